#include "daemon/public/tokens.h"

#include <doctest/doctest.h>

namespace jopay {
namespace {

constexpr std::string_view kKey = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3yk3";

PortalGrant Grant() { return {"sub_abc", true, "https://app.example/account?x=1&y=2", 1000}; }

TEST_CASE("portal tokens: a signed grant verifies until it expires") {
  std::string token = SignPortalToken(kKey, Grant());
  CHECK(token.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
        std::string::npos);
  auto g = VerifyPortalToken(kKey, token, 999);
  REQUIRE(g.ok());
  CHECK(g->subscription_id == "sub_abc");
  CHECK(g->livemode == true);
  CHECK(g->return_url == "https://app.example/account?x=1&y=2");
  CHECK(g->expires_at == 1000);
  auto late = VerifyPortalToken(kKey, token, 1000);
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().code() == "portal_token_expired");
  CHECK(late.status().http_status() == 401);
}

TEST_CASE("portal tokens: forged, altered, other-key and malformed tokens are refused") {
  std::string token = SignPortalToken(kKey, Grant());
  CHECK(VerifyPortalToken("another key", token, 0).status().code() == "portal_token_invalid");
  std::string altered = token;
  altered[3] = altered[3] == 'A' ? 'B' : 'A';  // the payload changed, the MAC did not
  CHECK_FALSE(VerifyPortalToken(kKey, altered, 0).ok());
  PortalGrant other = Grant();
  other.subscription_id = "sub_other";
  std::string other_token = SignPortalToken(kKey, other);
  // Another grant's payload with this token's MAC.
  std::string spliced = other_token.substr(0, other_token.find('.')) + token.substr(token.find('.'));
  CHECK_FALSE(VerifyPortalToken(kKey, spliced, 0).ok());
  for (const char* bad : {"", ".", "abc", "abc.def", "%%%.xyz"}) {
    CAPTURE(bad);
    CHECK(VerifyPortalToken(kKey, bad, 0).status().code() == "portal_token_invalid");
  }
}

TEST_CASE("checkout form tokens: per session and per key, compared in constant time") {
  std::string t = CheckoutFormToken(kKey, "cs_1");
  CHECK(t.size() == 64);
  CHECK(VerifyCheckoutFormToken(kKey, "cs_1", t));
  CHECK_FALSE(VerifyCheckoutFormToken(kKey, "cs_2", t));
  CHECK_FALSE(VerifyCheckoutFormToken("other", "cs_1", t));
  CHECK_FALSE(VerifyCheckoutFormToken(kKey, "cs_1", ""));
  CHECK(PortalUrl("https://pay.example", "tok") == "https://pay.example/portal/tok");
}

}  // namespace
}  // namespace jopay
