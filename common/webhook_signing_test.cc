#include "common/webhook_signing.h"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/json_stringify.h"

namespace jopay {
namespace {

namespace json = boost::json;

// The published Standard Webhooks example (its README and test suites).
constexpr const char* kStdSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kStdId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kStdBody = "{\"test\": 2432232314}";

TEST_CASE("SignWebhook reproduces the Standard Webhooks reference signature") {
  auto s = SignWebhook(kStdBody, kStdId, 1614265330, {kStdSecret});
  CHECK(s.webhook_id == kStdId);
  CHECK(s.webhook_timestamp == "1614265330");
  CHECK(s.webhook_signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST_CASE("X-JoPay-Signature is hex HMAC keyed by the whole secret over t.body") {
  // Expected value computed with Python's hmac module.
  auto s = SignWebhook(kStdBody, kStdId, 1614265330, {kStdSecret});
  CHECK(s.jopay ==
        "t=1614265330,v1=2e37df5d4a028c51a7f3133d64ae1e300d2c2c900f1b1d49d4369ad2530f8964");
}

TEST_CASE("During a rotation both secrets sign, newest first") {
  std::string older = NewWebhookSecret();
  auto one = SignWebhook("{}", "evt_1", 5, {kStdSecret});
  auto both = SignWebhook("{}", "evt_1", 5, {kStdSecret, older});
  auto old_only = SignWebhook("{}", "evt_1", 5, {older});
  CHECK(both.jopay == one.jopay + "," + old_only.jopay.substr(std::string("t=5,").size()));
  CHECK(both.webhook_signature == one.webhook_signature + " " + old_only.webhook_signature);
}

TEST_CASE("A fresh timestamp changes both signatures") {
  auto a = SignWebhook("{}", "evt_1", 100, {kStdSecret});
  auto b = SignWebhook("{}", "evt_1", 101, {kStdSecret});
  CHECK(a.jopay != b.jopay);
  CHECK(a.webhook_signature != b.webhook_signature);
}

TEST_CASE("NewWebhookSecret is whsec_ and base64 of 32 random bytes") {
  std::string s = NewWebhookSecret();
  CHECK(s.rfind("whsec_", 0) == 0);
  auto key = StandardWebhooksKey(s);
  REQUIRE(key.ok());
  CHECK(key->size() == 32);
  CHECK(NewWebhookSecret() != s);
  CHECK_FALSE(StandardWebhooksKey("whsec_").ok());
  CHECK_FALSE(StandardWebhooksKey("whsec_not base64!").ok());
}

TEST_CASE("WebhookBody is id, event, data, created_at in that order, compact") {
  json::value data = json::parse(R"({"id":"sub_1","sequence":3,"metadata":{"k":"v"}})");
  CHECK(WebhookBody("evt_1", "subscription.renewed", data, "2025-02-10T00:00:00Z") ==
        R"({"id":"evt_1","event":"subscription.renewed","data":{"id":"sub_1","sequence":3,)"
        R"("metadata":{"k":"v"}},"created_at":"2025-02-10T00:00:00Z"})");
}

TEST_CASE("JsStringify escapes strings as JSON.stringify does") {
  json::value v = json::string("q\"b\\s/n\nt\tc\x01\x1f\x7f é😀\u2028");
  CHECK(JsStringify(v) == "\"q\\\"b\\\\s/n\\nt\\tc\\u0001\\u001f\x7f é😀\u2028\"");
}

TEST_CASE("JsStringify orders array-index keys first, ascending, like a JS object") {
  json::value v = json::parse(R"({"b":1,"10":2,"2":3,"01":4,"a":5,"4294967295":6,"0":7})");
  CHECK(JsStringify(v) == R"({"0":7,"2":3,"10":2,"b":1,"01":4,"a":5,"4294967295":6})");
}

TEST_CASE("JsNumber prints doubles as Number.prototype.toString") {
  CHECK(JsNumber(1.5) == "1.5");
  CHECK(JsNumber(-0.0) == "0");
  CHECK(JsNumber(100) == "100");
  CHECK(JsNumber(1e21) == "1e+21");
  CHECK(JsNumber(1e20) == "100000000000000000000");
  CHECK(JsNumber(1.25e-7) == "1.25e-7");
  CHECK(JsNumber(0.000001) == "0.000001");
  CHECK(JsNumber(0.1 + 0.2) == "0.30000000000000004");
  CHECK(JsNumber(123456.789) == "123456.789");
  CHECK(JsStringify(json::parse("[9007199254740993, 18446744073709551615, 2.0, 1E2]")) ==
        "[9007199254740992,18446744073709552000,2,100]");
}

}  // namespace
}  // namespace jopay
