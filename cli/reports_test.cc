#include "cli/reports.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

namespace jopay::cli {

namespace json = boost::json;

namespace {

std::string Value(const std::vector<KeyValue>& rows, const std::string& key) {
  for (const auto& r : rows) {
    if (r.key == key) return r.value.text;
  }
  return "<missing>";
}

}  // namespace

TEST_CASE("reports: a summary shows counts and the money charged per currency") {
  auto rows = SummaryRows(json::parse(R"({"dry_run": true, "renewed": 3, "failed": 1,
      "retried": 1, "expired": 0, "reminders": 2, "charged": {"eur": 4497, "jpy": 500}})")
                              .as_object());
  CHECK(rows.front().key == "dry run");
  CHECK(Value(rows, "renewed") == "3");
  CHECK(Value(rows, "charged") == "44.97 EUR, 500 JPY");
}

TEST_CASE("reports: status counts only the statuses that have subscriptions") {
  auto rows = StatusRows(json::parse(R"({"version": "0.1.0", "pid": 7, "uptime_seconds": 93784,
      "clock": {"mode": "system", "now": "2025-01-31T10:00:00Z"},
      "subscriptions": {"active": 4, "trialing": 0, "past_due": 1}, "next_action": null})")
                             .as_object());
  CHECK(Value(rows, "jopayd") == "0.1.0, pid 7");
  CHECK(Value(rows, "clock") == "system, now 2025-01-31T10:00:00Z");
  CHECK(Value(rows, "subscriptions") == "4 active, 1 past_due");
  CHECK(Value(rows, "next action") == "none");
  CHECK(Value(rows, "started").ends_with("(up 1d 2h)"));
}

TEST_CASE("reports: durations show their largest unit and the next") {
  CHECK(HumanDuration(0) == "0s");
  CHECK(HumanDuration(59) == "59s");
  CHECK(HumanDuration(3600 + 120 + 5) == "1h 2m");
  CHECK(HumanDuration(86400 * 3 + 5) == "3d");
}

TEST_CASE("reports: counts of other due work the daemon reports get a row each") {
  auto rows = SummaryRows(json::parse(R"({"renewed": 0, "failed": 0, "retried": 0,
      "expired": 0, "reminders": 0, "charged": {}, "sessions_expired": 4})")
                              .as_object());
  CHECK(Value(rows, "sessions expired") == "4");
  CHECK(Value(rows, "renewed") == "0");
}

}  // namespace jopay::cli
