#include "daemon/http/router.h"

#include <optional>

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

namespace jopay::http {
namespace {

// Dispatches `method target` and returns what was answered.
std::optional<Response> Call(const Router& router, std::string method, std::string target,
                             Request* seen = nullptr) {
  Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  REQUIRE(ParseTarget(req).ok());
  std::optional<Response> answer;
  router.Dispatch(req, [&](Response r) { answer = std::move(r); });
  if (seen != nullptr) *seen = req;
  return answer;
}

// A handler answering with its own name and the params it saw.
Handler Named(std::string name) {
  return [name](Request& req, Respond respond) {
    boost::json::object params;
    for (const auto& [k, v] : req.params) params[k] = v;
    respond(JsonResponse(200, boost::json::object{{"route", name}, {"params", params}}));
  };
}

std::string RouteOf(const std::optional<Response>& r) {
  REQUIRE(r.has_value());
  return std::string(boost::json::parse(r->body).at("route").as_string());
}

std::string ErrorCodeOf(const std::optional<Response>& r) {
  REQUIRE(r.has_value());
  return std::string(boost::json::parse(r->body).at("error").at("code").as_string());
}

TEST_CASE("a placeholder captures its decoded segment into params") {
  Router router;
  router.Add("POST", "/v1/plans/{id}/archive", Named("archive"));
  Request seen;
  auto r = Call(router, "POST", "/v1/plans/plan%20one%2F2/archive", &seen);
  CHECK(RouteOf(r) == "archive");
  CHECK(seen.params.at("id") == "plan one/2");
}

TEST_CASE("several placeholders in one pattern each get their value") {
  Router router;
  router.Add("GET", "/v1/{kind}/{id}", Named("two"));
  Request seen;
  CHECK(RouteOf(Call(router, "GET", "/v1/plans/plan_1", &seen)) == "two");
  CHECK(seen.params.at("kind") == "plans");
  CHECK(seen.params.at("id") == "plan_1");
}

TEST_CASE("a literal segment beats a placeholder whatever the order of Add") {
  Router router;
  router.Add("GET", "/v1/customers/{id}", Named("one"));
  router.Add("GET", "/v1/customers/search", Named("search"));
  CHECK(RouteOf(Call(router, "GET", "/v1/customers/search")) == "search");
  CHECK(RouteOf(Call(router, "GET", "/v1/customers/cus_1")) == "one");
}

TEST_CASE("an unknown path answers 404 route_missing") {
  Router router;
  router.Add("GET", "/v1/plans", Named("list"));
  auto r = Call(router, "GET", "/v1/nothing");
  REQUIRE(r.has_value());
  CHECK(r->status == 404);
  CHECK(ErrorCodeOf(r) == "route_missing");
  // Matching is by whole segments: no prefix match, no empty placeholder.
  router.Add("POST", "/v1/plans/{id}/archive", Named("archive"));
  CHECK(Call(router, "GET", "/v1/plans/extra")->status == 404);
  CHECK(Call(router, "POST", "/v1/plans//archive")->status == 404);
  CHECK(Call(router, "GET", "/v1/plans/")->status == 404);
}

TEST_CASE("a known path with another method answers 405 with Allow") {
  Router router;
  router.Add("GET", "/v1/plans/{id}", Named("get"));
  router.Add("POST", "/v1/plans/{id}", Named("update"));
  auto r = Call(router, "DELETE", "/v1/plans/plan_1");
  REQUIRE(r.has_value());
  CHECK(r->status == 405);
  CHECK(ErrorCodeOf(r) == "method_not_allowed");
  REQUIRE(r->headers.size() == 1);
  CHECK(r->headers[0].first == "Allow");
  CHECK(r->headers[0].second == "GET, HEAD, POST");
}

TEST_CASE("HEAD runs the GET route and keeps its method") {
  Router router;
  router.Add("GET", "/v1/plans/{id}", Named("get"));
  router.Add("POST", "/v1/plans/{id}/archive", Named("archive"));
  Request seen;
  CHECK(RouteOf(Call(router, "HEAD", "/v1/plans/plan_1", &seen)) == "get");
  CHECK(seen.method == "HEAD");
  auto r = Call(router, "HEAD", "/v1/plans/plan_1/archive");
  CHECK(r->status == 405);
  CHECK(r->headers[0].second == "POST");
}

TEST_CASE("the root pattern and a hand-built request without a target route") {
  Router router;
  router.Add("GET", "/", Named("root"));
  router.Add("GET", "/v1/plans/{id}", Named("get"));
  CHECK(RouteOf(Call(router, "GET", "/")) == "root");

  Request req;
  req.method = "GET";
  req.path = "/v1/plans/plan_9";
  std::optional<Response> answer;
  router.Dispatch(req, [&](Response r) { answer = std::move(r); });
  CHECK(RouteOf(answer) == "get");
  CHECK(req.params.at("id") == "plan_9");
}

TEST_CASE("the first of two identical routes wins") {
  Router router;
  router.Add("GET", "/v1/status", Named("first"));
  router.Add("GET", "/v1/status", Named("second"));
  CHECK(RouteOf(Call(router, "GET", "/v1/status")) == "first");
}

}  // namespace
}  // namespace jopay::http
