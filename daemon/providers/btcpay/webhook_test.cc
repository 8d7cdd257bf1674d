#include "daemon/providers/btcpay/webhook.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace jopay::btcpay {

namespace json = boost::json;

namespace {

// WebhookInvoiceReceivedPaymentEvent as BTCPay sends it (webhooks.json).
const char* kReceivedPayment = R"({
  "deliveryId": "Kq3hR6nM2xWb8cTz1vYp4e", "webhookId": "7gJ2kL9mNp",
  "originalDeliveryId": "Kq3hR6nM2xWb8cTz1vYp4e", "isRedelivery": false,
  "type": "InvoiceReceivedPayment", "timestamp": 1738317600,
  "storeId": "9pXbYz3vQ7Lm2NcR4tUw8sKd6FhJ1gAe5oPi0qWrTy", "invoiceId": "LjM8vQ2sT5nR",
  "metadata": {"jopay_payment_id": "pay_7Qk2"}, "afterExpiration": false,
  "paymentMethodId": "BTC-LN",
  "payment": {"id": "9f86d081884c7d65", "receivedDate": 1738317590, "value": "0.00021000",
              "fee": "0.0", "status": "Settled", "destination": "lnbcrt210u1pjqqqqqpp5qqq"}})";

std::string With(std::string_view field, json::value value) {
  json::object o = json::parse(kReceivedPayment).as_object();
  if (value.is_null()) {
    o.erase(field);
  } else {
    o[field] = value;
  }
  return json::serialize(o);
}

}  // namespace

TEST_SUITE("btcpay") {

TEST_CASE("a delivery names its invoice, store and delivery") {
  auto d = ParseWebhook(kReceivedPayment);
  REQUIRE(d.ok());
  CHECK(d->delivery_id == "Kq3hR6nM2xWb8cTz1vYp4e");
  CHECK(d->webhook_id == "7gJ2kL9mNp");
  CHECK(d->type == "InvoiceReceivedPayment");
  CHECK(d->invoice_id == "LjM8vQ2sT5nR");
  CHECK(d->store_id == "9pXbYz3vQ7Lm2NcR4tUw8sKd6FhJ1gAe5oPi0qWrTy");
  CHECK_FALSE(d->is_redelivery);
  CHECK(d->timestamp == 1738317600);
  CHECK(d->about_invoice());
  CHECK(d->dedup_id() == "Kq3hR6nM2xWb8cTz1vYp4e");
}

TEST_CASE("a redelivery deduplicates with the delivery it repeats") {
  std::string body = With("deliveryId", "Zr5tY7uI9oP1aS3dF5gH7j");
  json::object o = json::parse(body).as_object();
  o["isRedelivery"] = true;
  auto d = ParseWebhook(json::serialize(o));
  REQUIRE(d.ok());
  CHECK(d->is_redelivery);
  CHECK(d->delivery_id == "Zr5tY7uI9oP1aS3dF5gH7j");
  CHECK(d->dedup_id() == "Kq3hR6nM2xWb8cTz1vYp4e");
  // Without originalDeliveryId the delivery id is all there is.
  auto bare = ParseWebhook(With("originalDeliveryId", nullptr));
  REQUIRE(bare.ok());
  CHECK(bare->dedup_id() == "Kq3hR6nM2xWb8cTz1vYp4e");
}

TEST_CASE("a delivery without what jopayd acts on is refused, naming the field") {
  for (const char* field : {"deliveryId", "type", "invoiceId", "storeId"}) {
    CHECK_MESSAGE(ParseWebhook(With(field, nullptr)).status().param() == field, field);
    CHECK_MESSAGE(ParseWebhook(With(field, 42)).status().param() == field, field);
    CHECK_MESSAGE(ParseWebhook(With(field, "")).status().param() == field, field);
  }
  CHECK(ParseWebhook(With("isRedelivery", "yes")).status().param() == "isRedelivery");
  CHECK(ParseWebhook(With("isRedelivery", nullptr)).ok());  // absent: a first delivery
  for (const char* bad : {"", "[]", "null", "{", "\"InvoiceSettled\""}) {
    CHECK_MESSAGE(ParseWebhook(bad).status().param() == "body", bad);
  }
}

TEST_CASE("an event that is not about an invoice parses without one") {
  json::object o = json::parse(kReceivedPayment).as_object();
  o["type"] = "PayoutCreated";
  o.erase("invoiceId");
  auto d = ParseWebhook(json::serialize(o));
  REQUIRE(d.ok());
  CHECK_FALSE(d->about_invoice());
  CHECK(d->invoice_id.empty());
}

}  // TEST_SUITE

}  // namespace jopay::btcpay
