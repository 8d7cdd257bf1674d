#include "daemon/providers/btcpay/signature.h"

#include <string>

#include "common/crypto.h"

namespace jopay::btcpay {

namespace {

constexpr std::string_view kScheme = "sha256=";

// Hex digits lowercased, or "" when `hex` holds anything else. Case is not secret: BTCPay
// writes lowercase, a proxy might not.
std::string LowerHex(std::string_view hex) {
  std::string out(hex);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return out;
}

}  // namespace

bool SignatureValid(std::string_view secret, std::string_view raw_body,
                    std::string_view btcpay_sig_header) {
  if (secret.empty() || btcpay_sig_header.substr(0, kScheme.size()) != kScheme) return false;
  std::string given = LowerHex(btcpay_sig_header.substr(kScheme.size()));
  if (given.size() != 64) return false;
  std::string expected = HexEncode(HmacSha256(secret, raw_body));
  return ConstantTimeEquals(expected, given);  // OpenSSL's CRYPTO_memcmp
}

}  // namespace jopay::btcpay
