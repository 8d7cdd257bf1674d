#include "daemon/providers/sandbox_push.h"

#include <fmt/core.h>

#include <cstring>

#include "common/crypto.h"
#include "common/money.h"
#include "daemon/providers/bitcoin/bech32.h"
#include "daemon/providers/bitcoin/bolt11.h"

namespace jopay {

namespace {

constexpr int64_t kSatsPerMajorUnit = 1000;

std::array<uint8_t, 32> Digest(std::string_view key, std::string_view data) {
  std::string mac = HmacSha256(key, data);
  std::array<uint8_t, 32> out{};
  std::memcpy(out.data(), mac.data(), out.size());
  return out;
}

// At most `max` bytes of `text`, never cutting a UTF-8 sequence (BOLT11 allows 639 bytes).
std::string Utf8Prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

}  // namespace

int64_t SandboxSats(int64_t amount, std::string_view currency) {
  if (currency == "sat") return amount;
  const Currency* c = FindCurrency(currency);
  int64_t per_minor = 1;
  for (int i = 0; c && i < c->exponent; ++i) per_minor *= 10;
  // amount * 1000 / 10^exponent, rounded up; amounts are below 10^15 (ValidateAmount).
  return (amount * kSatsPerMajorUnit + per_minor - 1) / per_minor;
}

void SandboxPushProvider::CreateCharge(const PushChargeRequest& r, Done done) {
  PushAnswer a;
  a.kind = PushAnswer::Kind::kOk;
  PushCharge& c = a.charge;
  c.provider_ref = "sbx_" + HexEncode(std::string_view(
                                reinterpret_cast<const char*>(Digest("ref", r.payment_id).data()),
                                12));
  c.amount_sats = SandboxSats(r.amount, r.currency);
  if (r.currency != "sat") {
    c.rate = fmt::format("{} sat/{} (sandbox)", kSatsPerMajorUnit, r.currency);
  }
  c.expires_at = r.created_at + r.expires_in;
  if (r.rail == rail::kLightning) {
    auto preimage = Digest("preimage", r.payment_id);
    bitcoin::InvoiceRequest inv;
    inv.amount_sats = c.amount_sats;
    inv.timestamp = r.created_at;
    inv.expiry = r.expires_in;
    // The payment hash is SHA-256 of the preimage, as Lightning requires.
    std::string hash = Sha256Hex(std::string_view(reinterpret_cast<const char*>(preimage.data()),
                                                  preimage.size()));
    for (size_t i = 0; i < 32; ++i) {
      inv.payment_hash[i] = static_cast<uint8_t>(std::stoi(hash.substr(2 * i, 2), nullptr, 16));
    }
    inv.payment_secret = Digest("secret", r.payment_id);
    inv.description = Utf8Prefix(r.description, 600);
    c.bolt11 = bitcoin::EncodeInvoice(inv);
  } else {
    auto program = Digest("address", r.payment_id);
    c.address = bitcoin::SegwitAddress("bcrt", {program.begin(), program.begin() + 20});
  }
  done(std::move(a));
}

void SandboxPushProvider::ReadCharge(const std::string&, bool, Done done) {
  PushAnswer a;
  a.kind = PushAnswer::Kind::kRefused;
  a.detail = "sandbox charges are paid with `jopayctl payments pay` or the hosted page";
  done(std::move(a));
}

}  // namespace jopay
