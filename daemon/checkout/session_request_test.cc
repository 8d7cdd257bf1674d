#include "daemon/checkout/session_request.h"

#include <doctest/doctest.h>

namespace jopay {
namespace {

namespace json = boost::json;

Result<NewSession> Parse(std::string_view text, bool live = false) {
  return ParseNewSession(json::parse(text).as_object(), live);
}

// The param a bad body is blamed on ("" when it parses).
std::string ParamOf(std::string_view text, bool live = false) {
  auto r = Parse(text, live);
  return r.ok() ? "" : r.status().param();
}

constexpr const char* kItem = R"({"name": "Beans", "amount": 2500, "currency": "eur", "quantity": 2})";

std::string WithItems(std::string items, std::string more = "") {
  return R"({"success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/back",
      "line_items": [)" + items + "]" + more + "}";
}

TEST_CASE("sessions: the reference's payment body gives a payment session with its total") {
  auto r = Parse(R"({"line_items": [{"name": "Premium Coffee Beans", "amount": 2500,
      "currency": "EUR", "quantity": 1}], "customer_email": " Customer@Example.com ",
      "success_url": "https://yoursite.com/success", "cancel_url": "https://yoursite.com/cancel",
      "metadata": {"order_id": "12345"}})");
  REQUIRE(r.ok());
  CHECK(r->mode == "payment");
  REQUIRE(r->line_items.size() == 1);
  CHECK(r->line_items[0].currency == "eur");
  CHECK(r->customer_email == "customer@example.com");
  CHECK(r->cancel_url == "https://yoursite.com/cancel");
  CHECK(r->metadata == R"({"order_id":"12345"})");
  CHECK(r->expires_in == 1800);
}

TEST_CASE("sessions: cancel_url is required (the JoPay reference); Eventop's defaults to "
          "success_url; quantity defaults to 1") {
  auto r = Parse(WithItems(R"({"name": "A", "amount": 1, "currency": "usd"})"));
  REQUIRE(r.ok());
  CHECK(r->cancel_url == "https://shop.example/back");
  CHECK(r->line_items[0].quantity == 1);
  const char* without = R"({"success_url": "https://shop.example/ok",
      "line_items": [{"name": "A", "amount": 1, "currency": "usd"}]})";
  auto missing = Parse(without);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().param() == "cancel_url");
  CHECK(missing.status().code() == "parameter_missing");
  auto eventop = ParseNewSession(json::parse(without).as_object(), false,
                                 CancelUrl::kDefaultsToSuccess);
  REQUIRE(eventop.ok());
  CHECK(eventop->cancel_url == "https://shop.example/ok");
}

TEST_CASE("sessions: the reference's subscription body, inline plan defaults to eur x1") {
  auto r = Parse(R"({"mode": "subscription", "plan": {"name": "Pro Monthly", "amount": 1499,
      "interval": "month"}, "trial_period_days": 7, "success_url": "https://yoursite.com/welcome",
      "cancel_url": "https://yoursite.com/pricing", "client_reference_id": "usr_123", "expires_in": 86400})");
  REQUIRE(r.ok());
  CHECK(r->mode == "subscription");
  REQUIRE(r->plan.has_value());
  CHECK(r->plan->id.empty());
  CHECK(r->plan->currency == "eur");
  CHECK(r->plan->interval_count == 1);
  CHECK(r->trial_days == 7);
  CHECK(r->client_reference_id == "usr_123");
  CHECK(r->expires_in == 86400);
  auto by_id = Parse(R"({"mode": "subscription", "plan": "plan_x", "success_url": "http://a.b",
      "cancel_url": "http://a.b/c"})");
  REQUIRE(by_id.ok());
  CHECK(by_id->plan->id == "plan_x");
}

TEST_CASE("sessions: bad input names the field, nested ones by path") {
  CHECK(ParamOf(WithItems(kItem, R"(, "bogus": 1)")) == "bogus");
  CHECK(ParamOf(R"({"line_items": [)" + std::string(kItem) + "]}") == "success_url");
  CHECK(ParamOf(R"({"success_url": "https://a.b"})") == "line_items");
  CHECK(ParamOf(WithItems("")) == "line_items");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": 0, "currency": "eur"})")) ==
        "line_items[0].amount");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": 1.5, "currency": "eur"})")) ==
        "line_items[0].amount");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": "100", "currency": "eur"})")) ==
        "line_items[0].amount");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": 1, "currency": "xyz"})")) ==
        "line_items[0].currency");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": 1, "currency": "eur", "quantity": 0})")) ==
        "line_items[0].quantity");
  CHECK(ParamOf(WithItems(R"({"amount": 1, "currency": "eur"})")) == "line_items[0].name");
  CHECK(ParamOf(WithItems(R"({"name": "A", "amount": 1, "currency": "eur", "x": 1})")) ==
        "line_items[0].x");
  CHECK(ParamOf(WithItems(std::string(kItem) + R"(, {"name": "B", "amount": 1, "currency": "usd"})")) ==
        "line_items[1].currency");
  CHECK(ParamOf(WithItems(kItem, R"(, "expires_in": 60)")) == "expires_in");
  CHECK(ParamOf(WithItems(kItem, R"(, "expires_in": 86401)")) == "expires_in");
  CHECK(ParamOf(WithItems(kItem, R"(, "customer_email": "nope")")) == "customer_email");
  CHECK(ParamOf(WithItems(kItem, R"(, "metadata": {"a": 1})")) == "metadata");
  CHECK(ParamOf(WithItems(kItem, R"(, "mode": "donation")")) == "mode");
  CHECK(ParamOf(WithItems(kItem, R"(, "plan": "plan_x")")) == "plan");
  CHECK(ParamOf(R"({"mode": "subscription", "success_url": "https://a.b"})") == "plan");
  CHECK(ParamOf(R"({"mode": "subscription", "plan": {"name": "P", "amount": 1,
      "interval": "fortnight"}, "success_url": "https://a.b"})") == "plan.interval");
  CHECK(ParamOf(R"({"mode": "subscription", "plan": {"name": "P", "amount": 1,
      "interval": "month", "interval_count": 0}, "success_url": "https://a.b"})") ==
        "plan.interval_count");
  CHECK(ParamOf(R"({"mode": "subscription", "plan": 5, "success_url": "https://a.b"})") == "plan");
  CHECK(ParamOf(R"({"mode": "subscription", "plan": "p", "line_items": [],
      "success_url": "https://a.b"})") == "line_items");
  CHECK(ParamOf(R"({"mode": "subscription", "plan": "p", "trial_period_days": -1,
      "success_url": "https://a.b"})") == "trial_period_days");
}

TEST_CASE("sessions: more than 50 metadata keys are refused") {
  std::string meta;
  for (int i = 0; i < 51; ++i) meta += (i ? "," : "") + ("\"k" + std::to_string(i) + "\": \"v\"");
  CHECK(ParamOf(WithItems(kItem, R"(, "metadata": {)" + meta + "}")) == "metadata");
}

TEST_CASE("sessions: redirect URLs are absolute http(s) with a host; live mode wants https") {
  CHECK(ValidateRedirectUrl("https://shop.example/ok?x=1", false, "u").ok());
  CHECK(ValidateRedirectUrl("http://localhost:3000/ok", false, "u").ok());
  CHECK_FALSE(ValidateRedirectUrl("http://localhost:3000/ok", true, "u").ok());
  CHECK(ValidateRedirectUrl("https://shop.example/ok", true, "u").ok());
  for (const char* bad : {"/success", "success", "ftp://a.b/x", "javascript:alert(1)",
                          "https://", "mailto:a@b.c", "https:///path", ""}) {
    CAPTURE(bad);
    Status st = ValidateRedirectUrl(bad, false, "success_url");
    CHECK_FALSE(st.ok());
    CHECK(st.param() == "success_url");
  }
  CHECK(ParamOf(WithItems(kItem, R"(, "cancel_url": "/back")")) == "cancel_url");
  CHECK(ParamOf(R"({"success_url": "http://a.b", "line_items": [)" + std::string(kItem) + "]}",
                true) == "success_url");
}

}  // namespace
}  // namespace jopay
