#include "daemon/providers/stripe/signature.h"

#include <charconv>
#include <optional>

#include "common/crypto.h"

namespace jopay::stripe {

namespace {

Status Refused(std::string message) {
  return Status::Make(Status::Kind::kUnauthenticated, "signature_invalid", std::move(message),
                      "Stripe-Signature");
}

struct Parsed {
  std::optional<int64_t> t;
  std::vector<std::string_view> v1;
};

Parsed Parse(std::string_view header) {
  Parsed p;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? "" : header.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "t") {
      int64_t t = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) p.t = t;
    } else if (key == "v1") {
      p.v1.push_back(value);
    }
  }
  return p;
}

// |now - t| <= tolerance. t is whatever the header says, so now - t may overflow (and
// llabs(INT64_MIN) is undefined): found by tests/fuzz/signature_headers_fuzz.cc.
bool WithinTolerance(UnixSeconds now, int64_t t, int64_t tolerance) {
  int64_t diff = 0;
  if (__builtin_sub_overflow(now, t, &diff)) return false;
  return diff >= -tolerance && diff <= tolerance;
}

}  // namespace

Status VerifySignature(std::string_view header, std::string_view body,
                       const std::vector<std::string>& secrets, UnixSeconds now,
                       int64_t tolerance) {
  Parsed p = Parse(header);
  if (!p.t || p.v1.empty()) return Refused("Stripe-Signature has no timestamp or no v1 signature.");
  std::string signed_text = std::to_string(*p.t);
  signed_text += '.';
  signed_text.append(body);
  bool matched = false;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::string expected = HexEncode(HmacSha256(secret, signed_text));
    for (std::string_view v : p.v1) matched |= ConstantTimeEquals(expected, v);
  }
  if (!matched) return Refused("No signature in Stripe-Signature matches the payload.");
  if (!WithinTolerance(now, *p.t, tolerance)) {
    return Refused("The Stripe-Signature timestamp is outside the tolerance (stale or replayed).");
  }
  return Status::Ok();
}

}  // namespace jopay::stripe
