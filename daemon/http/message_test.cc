#include "daemon/http/message.h"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

namespace jopay::http {
namespace {

Request WithTarget(std::string target) {
  Request req;
  req.method = "GET";
  req.target = std::move(target);
  return req;
}

TEST_CASE("MediaType: the Content-Type without parameters, lowercased") {
  Request req;
  CHECK(req.MediaType() == "");
  req.headers = {{"content-type", "Application/JSON ; charset=utf-8"}};
  CHECK(req.MediaType() == "application/json");
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  CHECK(req.MediaType() == "application/x-www-form-urlencoded");
}

TEST_CASE("ParseTarget decodes the path, its segments and the query") {
  Request req = WithTarget("/v1/customers/a%40b.com%2Fx?q=a%20b&r=c+d&q=last&e=%E2%82%AC&flag");
  REQUIRE(ParseTarget(req).ok());
  CHECK(req.path == "/v1/customers/a@b.com/x");
  CHECK(req.segments == std::vector<std::string>{"v1", "customers", "a@b.com/x"});
  CHECK(req.query.at("q") == "last");
  CHECK(req.query.at("r") == "c d");
  CHECK(req.query.at("e") == "\xE2\x82\xAC");
  CHECK(req.query.at("flag") == "");
}

TEST_CASE("ParseTarget gives the root path no segments") {
  Request req = WithTarget("/?x=1");
  REQUIRE(ParseTarget(req).ok());
  CHECK(req.path == "/");
  CHECK(req.segments.empty());
  CHECK(req.query.at("x") == "1");
}

TEST_CASE("ParseTarget rejects targets that are not origin-form") {
  for (const char* target : {"*", "http://example.com/v1", "no-slash", "/bad%zz"}) {
    Request req = WithTarget(target);
    Status s = ParseTarget(req);
    CHECK_FALSE(s.ok());
    CHECK(s.code() == "target_invalid");
    CHECK(s.http_status() == 400);
  }
}

TEST_CASE("Header lookup ignores case and answers empty when absent") {
  Request req;
  req.headers = {{"Content-Type", "application/json"}, {"JoPay-Mode", "live"}};
  CHECK(req.Header("content-type") == "application/json");
  CHECK(req.Header("JOPAY-MODE") == "live");
  CHECK(req.Header("Authorization") == "");
}

TEST_CASE("JsonResponse serializes compactly") {
  Response r = JsonResponse(201, boost::json::object{{"id", "plan_1"}, {"amount", 500}});
  CHECK(r.status == 201);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"id":"plan_1","amount":500})");
}

TEST_CASE("ErrorResponse carries code, message and a null param when there is none") {
  Response r = ErrorResponse(Status::NotFound("no such plan"));
  CHECK(r.status == 404);
  auto body = boost::json::parse(r.body).as_object();
  const auto& error = body.at("error").as_object();
  CHECK(error.at("code") == "resource_missing");
  CHECK(error.at("message") == "no such plan");
  CHECK(error.at("param").is_null());
}

TEST_CASE("ErrorResponse names the parameter to blame") {
  Response r = ErrorResponse(Status::Invalid("amount must be positive", "amount"));
  CHECK(r.status == 400);
  auto body = boost::json::parse(r.body);
  CHECK(body.at("error").at("param") == "amount");
}

TEST_CASE("QueryInt: absent gives the fallback; present must be an integer in range") {
  std::map<std::string, std::string> q{{"limit", "25"}, {"neg", "-3"}, {"empty", ""},
                                       {"word", "ten"}, {"tail", "5x"}, {"big", "1001"}};
  CHECK(*QueryInt(q, "absent", 1, 1000, 100) == 100);
  CHECK(*QueryInt(q, "limit", 1, 1000, 100) == 25);
  CHECK(*QueryInt(q, "neg", -5, 0, 0) == -3);
  for (const char* bad : {"empty", "word", "tail", "big"}) {
    auto r = QueryInt(q, bad, 1, 1000, 100);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().param() == bad);
    CHECK(r.status().message() == std::string(bad) + " must be an integer from 1 to 1000");
  }
}

}  // namespace
}  // namespace jopay::http
