#include "daemon/providers/json_api.h"

#include <doctest/doctest.h>

namespace jopay::providers {

namespace json = boost::json;

namespace {

const JsonApiOptions kOptions{"SatsPay", "satspay-test", "http://127.0.0.1:1", "X-Api-Key", "",
                              "satspay-test-api-key", false};
const std::string kKey = "0123456789abcdef0123456789abcdef";

JsonReply Reply(int status, std::string_view body) {
  JsonReply r;
  r.status = status;
  boost::system::error_code ec;
  r.body = json::parse(body, ec);
  return r;
}

}  // namespace

TEST_SUITE("push providers") {

TEST_CASE("no answer, 5xx and 429 leave the outcome unknown; other 4xx are refusals") {
  JsonReply none;
  none.error = "connect: Connection refused";
  CHECK(FailureOf(none, kOptions, kKey).kind == PushAnswer::Kind::kUnknown);
  for (int status : {500, 502, 503, 429}) {
    CHECK(FailureOf(Reply(status, "{}"), kOptions, kKey).kind == PushAnswer::Kind::kUnknown);
  }
  for (int status : {400, 401, 403, 404, 409, 422}) {
    PushAnswer a = FailureOf(Reply(status, R"({"detail":"Charge does not exist."})"), kOptions, kKey);
    CHECK(a.kind == PushAnswer::Kind::kRefused);
    CHECK(a.detail.find(std::to_string(status)) != std::string::npos);
    CHECK(a.detail.rfind("SatsPay: ", 0) == 0);
  }
}

TEST_CASE("a refused key names the option to check and never the key, even when echoed") {
  std::string body = R"({"detail":"Invalid key )" + kKey + R"("})";
  PushAnswer a = FailureOf(Reply(401, body), kOptions, kKey);
  CHECK(a.kind == PushAnswer::Kind::kRefused);
  CHECK(a.detail.find("satspay-test-api-key") != std::string::npos);
  CHECK(a.detail.find(kKey) == std::string::npos);
  CHECK(a.detail.find("Invalid key ***") != std::string::npos);
}

TEST_CASE("the provider's error message is quoted from each of the shapes it comes in") {
  CHECK(ErrorMessageOf(json::parse(R"({"detail":"LNbits wallet does not exist."})")) ==
        "LNbits wallet does not exist.");
  CHECK(ErrorMessageOf(json::parse(R"({"code":"invoice-not-found","message":"no invoice"})")) ==
        "no invoice");
  CHECK(ErrorMessageOf(json::parse(
            R"([{"path":"amount","message":"Amount should be positive"},{"message":"x"}])")) ==
        "amount: Amount should be positive; x");
  CHECK(ErrorMessageOf(json::parse(
            R"({"detail":[{"loc":["body","time"],"msg":"field required","type":"missing"}]})")) ==
        "field required");
  CHECK(ErrorMessageOf(json::parse("null")).empty());
  CHECK(ErrorMessageOf(json::parse("[1,2]")).empty());
}

TEST_CASE("answer fields of the wrong type read as absent") {
  json::object o = json::parse(R"({"a":"x","n":5,"big":18446744073709551615,"b":true,"z":null})")
                       .as_object();
  CHECK(TextField(o, "a") == "x");
  CHECK_FALSE(TextField(o, "n"));
  CHECK(IntField(o, "n") == 5);
  CHECK_FALSE(IntField(o, "big"));
  CHECK_FALSE(IntField(o, "a"));
  CHECK(BoolField(o, "b") == true);
  CHECK_FALSE(BoolField(o, "z"));
  CHECK_FALSE(TextField(o, "missing"));
}

TEST_CASE("an id from an answer cannot step out of its path segment") {
  CHECK(PathSegment("Wn8mK3sQ-y_2.p~") == "Wn8mK3sQ-y_2.p~");
  CHECK(PathSegment("../../admin?x=1#") == "..%2F..%2Fadmin%3Fx%3D1%23");
  CHECK(IsPlainId("Wn8mK3sQy2pX-aB_7"));
  for (const char* bad : {"", "..", "a/b", "a b", "a%2F", "é"}) CHECK_FALSE(IsPlainId(bad));
  CHECK_FALSE(IsPlainId(std::string(101, 'a')));
}

}  // TEST_SUITE

}  // namespace jopay::providers
