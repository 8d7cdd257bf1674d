#include "cli/output.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sstream>

namespace jopay::cli {

namespace json = boost::json;

namespace {

const char* kSubs = R"([
  {"id": "sub_1", "object": "subscription", "status": "active", "customer_email": "ann@x.io",
   "plan_name": "Pro", "amount_cents": 1499, "currency": "eur",
   "current_period_end": "2025-02-28T10:00:00Z"},
  {"id": "sub_2", "object": "subscription", "status": "past_due", "customer_email": "bo@x.io",
   "plan_name": "Basic", "amount_cents": 500, "currency": "jpy", "current_period_end": null}
])";

std::string Print(Format f, const std::function<void(Printer&)>& fn, bool color = false) {
  std::ostringstream out;
  Printer p(f, out, color);
  fn(p);
  return out.str();
}

}  // namespace

TEST_CASE("output: a list printed page by page reads as the same list printed whole") {
  json::array subs = json::parse(kSubs).as_array();
  json::array first{subs[0]}, second{subs[1]}, empty;
  for (Format f : {Format::kTable, Format::kJson, Format::kNdjson, Format::kId}) {
    CAPTURE(static_cast<int>(f));
    std::string whole = Print(f, [&](Printer& p) { p.List(subs, "subscription"); });
    std::string paged = Print(f, [&](Printer& p) {
      p.ListBegin("subscription");
      p.ListPage(first);
      p.ListPage(empty);
      p.ListPage(second);
      p.ListEnd();
    });
    CHECK(paged == whole);
    std::string none = Print(f, [&](Printer& p) {
      p.ListBegin("subscription");
      p.ListEnd();
    });
    CHECK(none == Print(f, [&](Printer& p) { p.List(empty, "subscription"); }));
  }
  // json: one array of both pages, not two arrays.
  CHECK(json::parse(Print(Format::kJson, [&](Printer& p) {
          p.ListBegin("subscription");
          p.ListPage(first);
          p.ListPage(second);
          p.ListEnd();
        })) == subs);
}

TEST_CASE("output: a subscription list as a table has the usual columns and money") {
  json::array subs = json::parse(kSubs).as_array();
  std::string s = Print(Format::kTable, [&](Printer& p) { p.List(subs, "subscription"); });
  CHECK(s ==
        "ID     STATUS    EMAIL     PLAN   AMOUNT     PERIOD END\n"
        "sub_1  active    ann@x.io  Pro    14.99 EUR  2025-02-28T10:00:00Z\n"
        "sub_2  past_due  bo@x.io   Basic  500 JPY    -\n");
}

TEST_CASE("output: colour only when asked, only on statuses") {
  json::array subs = json::parse(kSubs).as_array();
  std::string s = Print(Format::kTable, [&](Printer& p) { p.List(subs, "subscription"); }, true);
  CHECK(s.find("\x1b[32mactive\x1b[0m") != std::string::npos);
  CHECK(s.find("\x1b[33mpast_due\x1b[0m") != std::string::npos);
  CHECK(s.find("\x1b[0m", s.find("past_due") + 10) == std::string::npos);
}

TEST_CASE("output: an empty list still prints its header in table mode") {
  std::string s = Print(Format::kTable, [&](Printer& p) { p.List({}, "plan"); });
  CHECK(s == "ID  NAME  AMOUNT  INTERVAL  TRIAL  METHODS  ACTIVE\n");
}

TEST_CASE("output: id prints one id a line, for lists and single objects") {
  json::array subs = json::parse(kSubs).as_array();
  CHECK(Print(Format::kId, [&](Printer& p) { p.List(subs, "subscription"); }) ==
        "sub_1\nsub_2\n");
  CHECK(Print(Format::kId, [&](Printer& p) { p.Object(subs[1]); }) == "sub_2\n");
  CHECK(Print(Format::kId, [&](Printer& p) { p.Object(json::parse(R"({"imported": 3})")); })
            .empty());
}

TEST_CASE("output: ndjson prints one compact object a line") {
  json::array subs = json::parse(kSubs).as_array();
  std::string s = Print(Format::kNdjson, [&](Printer& p) { p.List(subs, "subscription"); });
  std::istringstream lines(s);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    CHECK(json::parse(line) == subs[n]);
    CHECK(line.find('\n') == std::string::npos);
    ++n;
  }
  CHECK(n == 2);
  CHECK(Print(Format::kNdjson, [&](Printer& p) { p.Object(subs[0]); }) ==
        json::serialize(subs[0]) + "\n");
}

TEST_CASE("output: json prints the list's data as an array, indented, and parses back") {
  json::array subs = json::parse(kSubs).as_array();
  std::string s = Print(Format::kJson, [&](Printer& p) { p.List(subs, "subscription"); });
  CHECK(s.rfind("[\n  {\n    \"id\": \"sub_1\",", 0) == 0);
  CHECK(json::parse(s) == json::value(subs));
  CHECK(Print(Format::kJson, [&](Printer& p) { p.List({}, "plan"); }) == "[]\n");
  CHECK(PrettyJson(json::parse(R"({"a": {}, "b": [], "c": "x\"y"})")) ==
        "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": \"x\\\"y\"\n}\n");
}

TEST_CASE("output: one object in table mode is a vertical view with nested fields flattened") {
  json::value sub = json::parse(R"({"id": "sub_1", "status": "active", "amount_cents": 1499,
    "currency": "eur", "payment_method": {"brand": "visa", "last4": "4242"},
    "metadata": {}, "canceled_at": null, "cancel_at_period_end": false})");
  std::string s = Print(Format::kTable, [&](Printer& p) { p.Object(sub); });
  CHECK(s ==
        "id                    sub_1\n"
        "status                active\n"
        "amount_cents          14.99 EUR\n"
        "currency              eur\n"
        "payment_method.brand  visa\n"
        "payment_method.last4  4242\n"
        "metadata              -\n"
        "canceled_at           -\n"
        "cancel_at_period_end  no\n");
}

TEST_CASE("output: a customer's subscriptions follow the customer as a table") {
  json::value cus = json::parse(R"({"id": "cus_1", "email": "ann@x.io", "subscriptions": [
    {"id": "sub_1", "object": "subscription", "status": "active", "customer_email": "ann@x.io",
     "plan_name": "Pro", "amount_cents": 1499, "currency": "eur",
     "current_period_end": "2025-02-28T10:00:00Z"}]})");
  std::string s = Print(Format::kTable, [&](Printer& p) { p.Object(cus); });
  CHECK(s.rfind("id     cus_1\nemail  ann@x.io\n\nsubscriptions:\nID     STATUS", 0) == 0);
  CHECK(s.find("sub_1  active") != std::string::npos);
}

TEST_CASE("output: reports print rows in table mode, the answer in json, nothing in id") {
  json::value v = json::parse(R"({"renewed": 2})");
  std::vector<KeyValue> rows = {{"renewed", {"2"}}};
  CHECK(Print(Format::kTable, [&](Printer& p) { p.Report(v, rows); }) == "renewed  2\n");
  CHECK(Print(Format::kNdjson, [&](Printer& p) { p.Report(v, rows); }) == "{\"renewed\":2}\n");
  CHECK(Print(Format::kId, [&](Printer& p) { p.Report(v, rows); }).empty());
}

TEST_CASE("output: empty strings show as '-' in the vertical view") {
  std::string s = Print(Format::kTable, [&](Printer& p) {
    p.Object(json::parse(R"({"id": "cus_1", "name": ""})"));
  });
  CHECK(s == "id    cus_1\nname  -\n");
}

TEST_CASE("output: format names") {
  CHECK(*ParseFormat("ndjson") == Format::kNdjson);
  CHECK_FALSE(ParseFormat("yaml").ok());
}

}  // namespace jopay::cli
