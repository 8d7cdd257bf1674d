// Fuzz target: signature headers, both ways. Stripe-Signature as jopayd verifies it
// (daemon/providers/stripe/signature.h) and the webhook signatures jopayd sends
// (common/webhook_signing.h: X-JoPay-Signature, Standard Webhooks), with the base64 and the
// JSON.stringify-exact numbers they are made of.
//
// Input: '\n'-separated fields: secret(s) (space-separated for the webhook signer), a
// Stripe-Signature header, "T NOW" (decimal Unix seconds), an event id, then the body (the
// rest). Checked, against HMACs and base64 computed here from their definitions:
//  - a Stripe-Signature that verifies holds a v1 that is the HMAC of "<t>.<body>" under that
//    secret for one of its t, and that t is within the tolerance of now: only the signer
//    could have made it;
//  - the header the signer makes for (secret, T, body) verifies exactly when T is within the
//    tolerance of NOW (whatever the numbers: no overflow), and never with another secret or
//    another body;
//  - SignWebhook writes t=T and one v1 per secret, newest first, and one Standard Webhooks
//    v1 per secret whose whsec_ part is base64, over "<id>.<T>.<body>" with the decoded key;
//  - Base64Decode accepts exactly what a reference decoder accepts, with the same bytes;
//    Base64Encode round-trips;
//  - JsNumber writes the shortest text that reads back as the same double, in JavaScript's
//    notation; a webhook body reads back as JSON and, holding no inexact numbers, is its
//    own JSON.stringify(JSON.parse()).
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/json_stringify.h"
#include "common/webhook_signing.h"
#include "daemon/providers/stripe/signature.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {
namespace {

namespace json = boost::json;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Hmac(std::string_view key, std::string_view text) { return HmacSha256(key, text); }

std::string RefBase64(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = 0;
    size_t k = std::min<size_t>(3, bytes.size() - i);
    for (size_t j = 0; j < 3; ++j)
      n = n << 8 | (j < k ? static_cast<unsigned char>(bytes[i + j]) : 0);
    for (size_t j = 0; j < 4; ++j) out += j <= k ? kAlphabet[(n >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

// Standard base64 with its padding, nothing else (trailing bits need not be zero, as most
// decoders, the standardwebhooks libraries' among them, let them be).
std::optional<std::string> RefUnbase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string out;
  uint32_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t v = i >= text.size() - pad ? 0 : kAlphabet.find(text[i]);
    if (v == std::string_view::npos) return std::nullopt;
    n = n << 6 | static_cast<uint32_t>(v);
    if (i % 4 == 3)
      out += {static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  }
  out.resize(out.size() - pad);
  return out;
}

std::optional<int64_t> Integer(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool WithinTolerance(int64_t now, int64_t t) {
  __int128 d = static_cast<__int128>(now) - t;
  return (d < 0 ? -d : d) <= stripe::kSignatureTolerance;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t at; (at = s.find(sep)) != std::string_view::npos; s.remove_prefix(at + 1)) {
    out.push_back(s.substr(0, at));
  }
  out.push_back(s);
  return out;
}

void CheckStripeHeader(std::string_view header, std::string_view body, const std::string& secret,
                       int64_t now) {
  if (!stripe::VerifySignature(header, body, {secret}, now).ok()) return;
  FUZZ_CHECK(!secret.empty(), "verified with an empty secret");
  bool signed_by_signer = false;
  for (std::string_view t_item : Split(header, ',')) {
    if (!t_item.starts_with("t=")) continue;
    auto t = Integer(t_item.substr(2));
    if (!t || !WithinTolerance(now, *t)) continue;
    std::string want =
        "v1=" + HexEncode(Hmac(secret, std::to_string(*t) + "." + std::string(body)));
    for (std::string_view v_item : Split(header, ',')) signed_by_signer |= v_item == want;
  }
  FUZZ_CHECK(signed_by_signer, "\"{}\" verified but no v1 in it is the signer's", header);
}

void CheckStripeSigner(std::string_view body, const std::string& secret, int64_t t, int64_t now) {
  if (secret.empty()) return;
  std::string signed_text = std::to_string(t) + "." + std::string(body);
  std::string header = "t=" + std::to_string(t) + ",v1=" + HexEncode(Hmac(secret, signed_text));
  Status st = stripe::VerifySignature(header, body, {secret}, now);
  FUZZ_CHECK(st.ok() == WithinTolerance(now, t), "signed at {}, checked at {}: {}", t, now,
             st.ok() ? "accepted" : st.message());
  FUZZ_CHECK(!stripe::VerifySignature(header, body, {secret + "x"}, now).ok(),
             "another secret verified");
  if (!body.empty()) {
    std::string other(body);
    other[0] ^= 1;
    FUZZ_CHECK(!stripe::VerifySignature(header, other, {secret}, now).ok(),
               "another body verified");
  }
}

void CheckWebhookSigner(std::string_view body, std::string_view id, int64_t t,
                        const std::vector<std::string>& secrets) {
  WebhookSignatures sig = SignWebhook(body, id, t, secrets);
  std::string ts = std::to_string(t);
  std::string jopay = "t=" + ts, standard;
  for (const std::string& secret : secrets) {
    jopay += ",v1=" + HexEncode(Hmac(secret, ts + "." + std::string(body)));
    std::string_view b64 = secret;
    if (b64.starts_with("whsec_")) b64.remove_prefix(6);
    auto key = b64.empty() ? std::nullopt : RefUnbase64(b64);
    FUZZ_CHECK(StandardWebhooksKey(secret).ok() == key.has_value(), "StandardWebhooksKey(\"{}\")",
               secret);
    if (!key) continue;
    FUZZ_CHECK(*StandardWebhooksKey(secret) == *key, "StandardWebhooksKey(\"{}\") bytes", secret);
    if (!standard.empty()) standard += ' ';
    standard += "v1," + RefBase64(Hmac(*key, std::string(id) + "." + ts + "." + std::string(body)));
  }
  FUZZ_CHECK(sig.jopay == jopay, "X-JoPay-Signature {} != {}", sig.jopay, jopay);
  FUZZ_CHECK(sig.webhook_signature == standard, "webhook-signature {} != {}", sig.webhook_signature,
             standard);
  FUZZ_CHECK(sig.webhook_timestamp == ts && sig.webhook_id == id,
             "webhook-timestamp or webhook-id");
}

void CheckBase64(std::string_view text, std::string_view bytes) {
  std::string out;
  bool ok = Base64Decode(text, out);
  auto want = RefUnbase64(text);
  FUZZ_CHECK(ok == want.has_value(), "Base64Decode(\"{}\") ok={}", text, ok);
  if (ok) FUZZ_CHECK(out == *want, "Base64Decode(\"{}\") bytes", text);
  std::string encoded = Base64Encode(bytes);
  FUZZ_CHECK(encoded == RefBase64(bytes), "Base64Encode of {} bytes", bytes.size());
  FUZZ_CHECK(Base64Decode(encoded, out) && out == bytes, "Base64Encode does not decode back");
}

void CheckJsNumber(double d) {
  std::string s = JsNumber(d);
  if (!std::isfinite(d)) {
    FUZZ_CHECK(s == "null", "JsNumber({}) = {}", d, s);
    return;
  }
  double back = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), back);
  FUZZ_CHECK(ec == std::errc() && end == s.data() + s.size() && back == d, "JsNumber({}) = {}", d,
             s);
  FUZZ_CHECK(JsNumber(back) == s, "JsNumber not a fixed point: {}", s);
  double a = std::fabs(d);
  bool exponent = a != 0 && (a >= 1e21 || a < 1e-6);
  FUZZ_CHECK((s.find('e') != std::string::npos) == exponent, "JsNumber({}) = {}: notation", d, s);
  if (exponent)
    FUZZ_CHECK(s.find("e+") != std::string::npos || s.find("e-") != std::string::npos, "{}", s);
}

// Numbers that read back as the same JSON: integers within 2^53 (others turn into doubles, and
// Boost.JSON 1.81 does not promise the nearest double when it reads one).
bool ExactNumbers(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return false;
    case json::kind::int64:
      return std::llabs(v.get_int64()) <= (int64_t{1} << 53);
    case json::kind::uint64:
      return v.get_uint64() <= (uint64_t{1} << 53);
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (!ExactNumbers(e)) return false;
      return true;
    case json::kind::object:
      for (const auto& kv : v.get_object())
        if (!ExactNumbers(kv.value())) return false;
      return true;
    default:
      return true;
  }
}

void CheckWebhookBody(std::string_view id, std::string_view data_text) {
  boost::system::error_code ec;
  json::value data = json::parse(data_text, ec);
  if (ec || !IsUtf8(id)) return;  // ids are jopayd's own: UTF-8 (ASCII) always
  std::string body = WebhookBody(id, "subscription.renewed", data, "2025-01-31T10:00:00Z");
  json::value back = json::parse(body, ec);
  FUZZ_CHECK(!ec && back.is_object(), "webhook body is not a JSON object: {}", body.substr(0, 300));
  const json::object& o = back.get_object();
  auto text = [&o](std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string("(missing)");
  };
  FUZZ_CHECK(o.size() == 4 && text("id") == id && text("event") == "subscription.renewed" &&
                 text("created_at") == "2025-01-31T10:00:00Z" && o.contains("data"),
             "webhook body fields: {}", body.substr(0, 300));
  if (ExactNumbers(data)) {
    FUZZ_CHECK(JsStringify(back) == body, "webhook body is not JSON.stringify's fixed point: {}",
               body.substr(0, 300));
  }
}

}  // namespace
}  // namespace jopay::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jopay;
  using namespace jopay::fuzz;
  auto f = Fields(std::string_view(reinterpret_cast<const char*>(data), size), '\n', 5);
  std::string secret(f[0]);
  std::string_view header = f[1], id = f[3], body = f[4];
  auto numbers = Split(f[2], ' ');
  int64_t t = Integer(numbers[0]).value_or(0);
  int64_t now = numbers.size() > 1 ? Integer(numbers[1]).value_or(t) : t;

  CheckStripeHeader(header, body, secret, now);
  CheckStripeSigner(body, secret, t, now);
  std::vector<std::string> secrets;
  for (std::string_view s : Split(secret, ' ')) {
    if (secrets.size() < 3) secrets.emplace_back(s);
  }
  CheckWebhookSigner(body, id, t, secrets);
  CheckBase64(secret, body);
  if (body.size() >= sizeof(double)) {
    double d;
    std::memcpy(&d, body.data(), sizeof d);
    CheckJsNumber(d);
  }
  CheckWebhookBody(id, body);
  return 0;
}
