#include "daemon/providers/btcpay/signature.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

namespace jopay::btcpay {

namespace {

const std::string kSecret = "whsec-btcpay-3f9a";
// An InvoiceSettled delivery (webhooks.json WebhookInvoiceSettledEvent), as sent.
const std::string kBody =
    R"({"deliveryId":"Kq3hR6nM2xWb8cTz1vYp4e","webhookId":"7gJ2kL9mNp",)"
    R"("originalDeliveryId":"Kq3hR6nM2xWb8cTz1vYp4e","isRedelivery":false,)"
    R"("type":"InvoiceSettled","timestamp":1738317600,)"
    R"("storeId":"9pXbYz3vQ7Lm2NcR4tUw8sKd6FhJ1gAe5oPi0qWrTy","invoiceId":"LjM8vQ2sT5nR",)"
    R"("metadata":{"jopay_payment_id":"pay_7Qk2"},"manuallyMarked":false,"overPaid":false})";
// Python's hmac.new(secret, body, sha256).hexdigest(), computed apart from this code.
const std::string kHex = "2c27c84bb27dba9893006a41b999ead87347563fba2b18302b8dbf5b37de96be";

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

TEST_SUITE("btcpay") {

TEST_CASE("a BTCPay-Sig made with the webhook's secret over the raw body verifies") {
  CHECK(SignatureValid(kSecret, kBody, "sha256=" + kHex));
  CHECK(SignatureValid(kSecret, kBody, "sha256=" + Upper(kHex)));  // hex case is not secret
}

TEST_CASE("another secret or a body changed by one byte does not verify") {
  CHECK_FALSE(SignatureValid("whsec-btcpay-3f9b", kBody, "sha256=" + kHex));
  std::string tampered = kBody;
  tampered.replace(tampered.find("false,\"type\""), 5, "true ");
  CHECK_FALSE(SignatureValid(kSecret, tampered, "sha256=" + kHex));
  CHECK_FALSE(SignatureValid(kSecret, kBody + "\n", "sha256=" + kHex));
  std::string flipped = kHex;
  flipped[63] = flipped[63] == 'e' ? 'f' : 'e';
  CHECK_FALSE(SignatureValid(kSecret, kBody, "sha256=" + flipped));
}

TEST_CASE("a header of any other shape is refused") {
  for (const std::string& bad :
       std::initializer_list<std::string>{"", kHex, "sha256=", "sha256=" + kHex.substr(0, 63),
        "sha256=" + kHex + "0", "sha256=" + kHex + " ", " sha256=" + kHex, "SHA256=" + kHex,
        "sha1=" + kHex, "sha256=" + kHex + ",sha256=" + kHex,
        "sha256=" + kHex.substr(0, 62) + "zz", "sha256:" + kHex}) {
    CHECK_MESSAGE(!SignatureValid(kSecret, kBody, bad), bad);
  }
}

TEST_CASE("no secret configured verifies nothing, not even a signature made with none") {
  // HMAC with an empty key is well defined: a sender could sign with it.
  CHECK_FALSE(SignatureValid("", kBody, "sha256=" + kHex));
  CHECK_FALSE(SignatureValid(
      "", "", "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
  CHECK_FALSE(SignatureValid(kSecret, "", "sha256=" + kHex));
}

}  // TEST_SUITE

}  // namespace jopay::btcpay
