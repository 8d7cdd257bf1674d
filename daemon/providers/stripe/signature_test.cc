#include "daemon/providers/stripe/signature.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <cstdint>
#include <utility>

#include "common/crypto.h"

namespace jopay::stripe {
namespace {

constexpr UnixSeconds kNow = 1764806400;
const std::string kSecret = "whsec_test_secret";
const std::string kBody = R"({"id":"evt_1","type":"payment_intent.succeeded"})";

std::string V1(const std::string& secret, UnixSeconds t, const std::string& body) {
  return HexEncode(HmacSha256(secret, fmt::format("{}.{}", t, body)));
}

}  // namespace

TEST_CASE("a Stripe-Signature made with the secret over t.body verifies") {
  std::string header = fmt::format("t={},v1={},v0=deadbeef", kNow, V1(kSecret, kNow, kBody));
  CHECK(VerifySignature(header, kBody, {kSecret}, kNow).ok());
  CHECK(VerifySignature(header, kBody, {kSecret}, kNow + 300).ok());  // at the tolerance edge
}

TEST_CASE("during a secret roll any v1 may match any configured secret") {
  std::string header = fmt::format("t={},v1={},v1={}", kNow, V1("whsec_old", kNow, kBody),
                                   V1("whsec_new", kNow, kBody));
  CHECK(VerifySignature(header, kBody, {"whsec_new"}, kNow).ok());
  CHECK(VerifySignature(header, kBody, {"whsec_other", "whsec_old"}, kNow).ok());
}

TEST_CASE("forged, altered, stale and malformed signatures are refused") {
  std::string good = fmt::format("t={},v1={}", kNow, V1(kSecret, kNow, kBody));
  CHECK(VerifySignature(good, kBody + " ", {kSecret}, kNow).kind() ==
        Status::Kind::kUnauthenticated);                                   // body altered
  CHECK_FALSE(VerifySignature(good, kBody, {"whsec_wrong"}, kNow).ok());  // other secret
  CHECK_FALSE(VerifySignature(good, kBody, {kSecret}, kNow + 301).ok());  // stale / replayed
  CHECK_FALSE(VerifySignature(good, kBody, {kSecret}, kNow - 301).ok());  // from the future
  CHECK_FALSE(VerifySignature(good, kBody, {""}, kNow).ok());             // no secret set
  std::string v0_only = fmt::format("t={},v0={}", kNow, V1(kSecret, kNow, kBody));
  CHECK_FALSE(VerifySignature(v0_only, kBody, {kSecret}, kNow).ok());
  for (const char* bad : {"", "t=abc,v1=00", "v1=00", "garbage", "t=,v1="}) {
    CHECK_FALSE(VerifySignature(bad, kBody, {kSecret}, kNow).ok());
  }
  // A timestamp out of tolerance is refused even when the signature matches.
  std::string old = fmt::format("t={},v1={}", kNow - 3600, V1(kSecret, kNow - 3600, kBody));
  Status st = VerifySignature(old, kBody, {kSecret}, kNow);
  CHECK(st.message().find("tolerance") != std::string::npos);
}

TEST_CASE("a signed timestamp at the ends of the integers is refused, not overflowed") {
  // now - t overflowed for these (tests/fuzz/crashes/signature_headers/): only a sender with
  // the secret can sign them, but the answer must still be a plain refusal.
  const std::pair<int64_t, UnixSeconds> kFar[] = {{INT64_MIN, INT64_MAX}, {INT64_MAX, INT64_MIN},
                                                  {-5, INT64_MAX},        {INT64_MIN, 0},
                                                  {INT64_MIN + 1, kNow},  {INT64_MAX, -1}};
  for (auto [t, now] : kFar) {
    std::string header = fmt::format("t={},v1={}", t, V1(kSecret, t, kBody));
    CHECK_FALSE(VerifySignature(header, kBody, {kSecret}, now).ok());
    CHECK(VerifySignature(header, kBody, {kSecret}, t).ok());  // the same signature, in time
  }
}

}  // namespace jopay::stripe
