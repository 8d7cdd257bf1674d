#include "cli/report_view.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "cli/fake_daemon.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

constexpr const char* kAnswer = R"({"object": "report", "livemode": false,
  "since": "2025-01-01T00:00:00Z", "until": "2025-03-15T00:00:00Z",
  "now": "2025-03-15T00:00:00Z",
  "currencies": {"eur": {"mrr": 5483, "arr": 65800,
    "subscribers": {"incomplete": 0, "active": 3, "past_due": 1, "expired": 2},
    "new_subscriptions": 5, "churned": {"voluntary": 1, "failed_payment": 1, "total": 2},
    "reactivated": 1, "recovery": {"went_past_due": 3, "recovered": 2, "rate_bp": 6667},
    "revenue": {"payments": 13000, "refunds": 1000, "net": 12000},
    "months": [
      {"month": "2025-01", "mrr": 1499, "payments": 1499, "refunds": 0, "revenue": 1499},
      {"month": "2025-02", "mrr": 0, "payments": 0, "refunds": 0, "revenue": 0},
      {"month": "2025-03", "mrr": 5483, "payments": 11501, "refunds": 1000, "revenue": 10501}]}}})";

std::string Value(const std::vector<KeyValue>& rows, const std::string& key) {
  for (const auto& r : rows) {
    if (r.key == key) return r.value.text;
  }
  return "<missing>";
}

}  // namespace

TEST_CASE("report view: each figure as a readable line in the currency's money") {
  json::object eur = json::parse(kAnswer).at("currencies").at("eur").as_object();
  auto rows = ReportRows(eur, "eur");
  CHECK(Value(rows, "MRR") == "54.83 EUR");
  CHECK(Value(rows, "ARR") == "658.00 EUR");
  CHECK(Value(rows, "subscribers now") == "3 active, 1 past_due, 2 expired");
  CHECK(Value(rows, "new") == "5");
  CHECK(Value(rows, "churned") == "2: 1 voluntary, 1 failed payment");
  CHECK(Value(rows, "reactivated") == "1");
  CHECK(Value(rows, "recovered") == "2 of 3 that went past_due (66.67%)");
  CHECK(Value(rows, "revenue") == "120.00 EUR: paid 130.00 EUR, refunded 10.00 EUR");
  eur["recovery"] = json::object{{"went_past_due", 0}, {"recovered", 0}, {"rate_bp", nullptr}};
  CHECK(Value(ReportRows(eur, "eur"), "recovered") == "no subscription went past_due");
}

TEST_CASE("report view: bars rise in eighths of the largest value, zero is blank") {
  CHECK(Bars({1, 2, 4, 8}, 1) == "▁ ▂ ▄ █");
  CHECK(Bars({0, 8, 1}, 2) == "   ██ ▁▁");  // the smallest positive value still shows
  CHECK(Bars({0, 0}) == "");
  CHECK(Bars({-5, 10}, 1) == "  █");       // a month of more refunds than payments: blank
  CHECK(Bars({}) == "");
}

TEST_CASE("report view: months as a table, and the charts only when asked") {
  json::object report = json::parse(kAnswer).as_object();
  std::ostringstream plain, charted;
  PrintReport(plain, report, false, false);
  PrintReport(charted, report, true, false);
  CHECK(plain.str().find("2025-03  54.83 EUR  115.01 EUR  10.00 EUR  105.01 EUR") !=
        std::string::npos);
  CHECK(plain.str().find("█") == std::string::npos);
  CHECK(charted.str().find("MRR 2025-01 .. 2025-03, max 54.83 EUR\n▃▃    ██\n01 02 03\n") !=
        std::string::npos);
  CHECK(charted.str().find("revenue 2025-01 .. 2025-03, max 105.01 EUR\n▂▂    ██\n") !=
        std::string::npos);
}

TEST_CASE("report: the options become the query, and -o json prints the answer as it came") {
  Harness h;
  h.daemon.Answer(kAnswer);
  CHECK(h.Run({"-o", "json", "report", "--since", "2025-01-01", "--currency", "eur"}) == 0);
  REQUIRE(h.daemon.calls.size() == 1);
  CHECK(h.daemon.calls[0].target == "/v1/report?since=2025-01-01&currency=eur");
  CHECK(json::parse(h.out()) == json::parse(kAnswer));
  Harness bad;
  CHECK(bad.Run({"report", "--until", "soon"}) == 2);  // not a time: refused before any call
  CHECK(bad.daemon.calls.empty());
}

}  // namespace jopay::cli
