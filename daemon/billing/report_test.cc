#include "daemon/billing/report.h"

#include <doctest/doctest.h>

namespace jopay {
namespace {

constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kJan1 = 1735689600;   // 2025-01-01T00:00:00Z
constexpr UnixSeconds kFeb1 = 1738368000;   // 2025-02-01T00:00:00Z
constexpr UnixSeconds kMar1 = 1740787200;   // 2025-03-01T00:00:00Z
constexpr UnixSeconds kApr1 = 1743465600;   // 2025-04-01T00:00:00Z

SubscriptionHistory Sub(std::string id, int64_t amount, Interval interval, UnixSeconds created,
                        std::vector<StatusChange> changes) {
  SubscriptionHistory h;
  h.id = std::move(id);
  h.currency = "eur";
  h.amount = amount;
  h.interval = interval;
  h.created_at = created;
  h.changes = std::move(changes);
  for (StatusChange& ch : h.changes) {  // no plan change: each event bills today's terms
    if (ch.terms.currency.empty()) ch.terms = {amount, "eur", interval, 1};
  }
  h.status = h.changes.empty() ? "active" : h.changes.back().status;
  return h;
}

StatusChange Change(UnixSeconds at, const char* type, const char* status) {
  return {at, std::string("subscription.") + type, status, {}, std::nullopt};
}

}  // namespace

TEST_CASE("MRR normalizes every interval exactly and rounds the sum once, half up") {
  RecurringTotal t;
  t.Add(1000, Interval::kYear, 1);  // 83.333...
  CHECK(t.Mrr() == 83);
  CHECK(t.Arr() == 1000);  // 12 x the exact MRR, not 12 x 83
  t.Add(1000, Interval::kYear, 1);  // 166.666... : rounding each (83 + 83) would give 166
  CHECK(t.Mrr() == 167);
  RecurringTotal week;
  week.Add(100, Interval::kWeek, 1);  // 100 x 52 / 12 = 433.33...
  week.Add(10, Interval::kDay, 1);    // 10 x 365 / 12 = 304.166...
  week.Add(300, Interval::kMonth, 3);  // 100
  CHECK(week.Mrr() == 838);            // 837.5 exactly: half up
  RecurringTotal half;
  half.Add(1, Interval::kMonth, 2);  // 0.5
  CHECK(half.Mrr() == 1);
  CHECK(RecurringTotal().Mrr() == 0);
}

TEST_CASE("MRR with many interval counts stays exact past any machine denominator") {
  RecurringTotal t;
  for (int count = 1; count <= 365; ++count) t.Add(int64_t{12} * count, Interval::kMonth, count);
  CHECK(t.Mrr() == 12 * 365);  // each adds exactly 12
}

TEST_CASE("a report period defaults to the 12 calendar months before until, from a month start") {
  UnixSeconds now = kMar1 + 14 * kDay + 3600;  // 2025-03-15T01:00:00Z
  auto r = ParseReportRange("", "", now);
  REQUIRE(r.ok());
  CHECK(r->until == now);
  CHECK(r->since == 1709251200);  // 2024-03-01T00:00:00Z
  auto given = ParseReportRange("2025-01-01", "2025-02-01T00:00:00Z", now);
  REQUIRE(given.ok());
  CHECK((given->since == kJan1 && given->until == kFeb1));
}

TEST_CASE("a bad report period is refused naming the parameter") {
  UnixSeconds now = kApr1;
  auto bad = [&](const char* since, const char* until) {
    auto r = ParseReportRange(since, until, now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().kind() == Status::Kind::kInvalid);
    return r.status().param();
  };
  CHECK(bad("yesterday", "") == "since");
  CHECK(bad("", "2025-02-30") == "until");
  CHECK(bad("2025-03-01", "2025-03-01") == "since");  // since must come first
  CHECK(bad("2025-03-02", "2025-03-01") == "since");
  CHECK(bad("", "2025-04-02") == "until");            // after now
  CHECK(bad("1969-12-31", "") == "since");
  CHECK(bad("2010-01-01", "") == "since");            // more than 121 months
  CHECK(ParseReportRange("2015-04-01", "", now).ok());  // exactly 121
}

TEST_CASE("MRR counts active, past_due and canceled at each month end, from the status history") {
  ReportRange range{kJan1, kApr1 - 1};
  ReportInput in;
  // Signed up Jan 10, past_due Feb 20, recovered Feb 22, canceled Mar 5 (runs to Mar 10).
  in.subscriptions.push_back(Sub("sub_a", 1000, Interval::kMonth, kJan1 + 9 * kDay,
                                 {Change(kJan1 + 9 * kDay, "created", "active"),
                                  Change(kFeb1 + 19 * kDay, "payment_failed", "past_due"),
                                  Change(kFeb1 + 21 * kDay, "renewed", "active"),
                                  Change(kMar1 + 4 * kDay, "cancelled", "canceled"),
                                  Change(kMar1 + 9 * kDay, "expired", "expired")}));
  in.subscriptions.back().canceled = true;
  // A trial from Feb 3 that became paying on Feb 17 (yearly: 1200 / 12 = 100 a month).
  in.subscriptions.push_back(Sub("sub_b", 1200, Interval::kYear, kFeb1 + 2 * kDay,
                                 {Change(kFeb1 + 2 * kDay, "created", "trialing"),
                                  Change(kFeb1 + 16 * kDay, "renewed", "active")}));
  // Failed in March and expired after dunning.
  in.subscriptions.push_back(Sub("sub_c", 500, Interval::kMonth, kJan1,
                                 {Change(kJan1, "created", "active"),
                                  Change(kMar1 + kDay, "payment_failed", "past_due"),
                                  Change(kMar1 + 5 * kDay, "expired", "expired")}));
  Report r = ComputeReport(in, range);
  const CurrencyReport& eur = r.currencies.at("eur");
  REQUIRE(eur.months.size() == 3);
  CHECK(eur.months[0].mrr == 1500);  // a + c
  CHECK(eur.months[1].mrr == 1600);  // a (active again) + b + c
  CHECK(eur.months[2].mrr == 100);   // b only
  CHECK(eur.mrr == 100);
  CHECK(eur.arr == 1200);
  CHECK(eur.new_subscriptions == 3);
  CHECK(eur.churned_voluntary == 1);
  CHECK(eur.churned_failed_payment == 1);
  CHECK(eur.went_past_due == 2);
  CHECK(eur.recovered == 1);
  CHECK(eur.subscribers.at("expired") == 2);
  CHECK(eur.subscribers.at("active") == 1);
  CHECK(eur.subscribers.at("paused") == 0);
  // Mar 7: a is canceled but runs to Mar 10 (counts), c expired on Mar 6.
  CHECK(ComputeReport(in, {kJan1, kMar1 + 6 * kDay}).currencies.at("eur").mrr == 1100);
}

TEST_CASE("MRR takes each month's price and currency: plan changes move it") {
  ReportRange range{kJan1, kApr1 - 1};
  ReportInput in;
  // Created Jan 1 on 1000 eur a month; upgraded Feb 10 to 3000; moved to 120 usd a year Mar 5.
  StatusChange up = Change(kFeb1 + 9 * kDay, "updated", "active");
  up.terms = {3000, "eur", Interval::kMonth, 1};
  up.previous = RecurringTerms{1000, "eur", Interval::kMonth, 1};
  StatusChange to_usd = Change(kMar1 + 4 * kDay, "updated", "active");
  to_usd.terms = {120, "usd", Interval::kYear, 1};
  to_usd.previous = up.terms;
  in.subscriptions.push_back(Sub("sub_a", 1000, Interval::kMonth, kJan1,
                                 {Change(kJan1, "created", "active"), up, to_usd}));
  in.subscriptions.back().currency = "usd";  // its row: the terms it has now
  in.subscriptions.back().amount = 120;
  in.subscriptions.back().interval = Interval::kYear;
  Report r = ComputeReport(in, range);
  REQUIRE(r.currencies.contains("eur"));  // billed in eur before, though in usd now
  const CurrencyReport& eur = r.currencies.at("eur");
  const CurrencyReport& usd = r.currencies.at("usd");
  CHECK((eur.months[0].mrr == 1000 && eur.months[1].mrr == 3000 && eur.months[2].mrr == 0));
  CHECK((usd.months[0].mrr == 0 && usd.months[1].mrr == 0 && usd.months[2].mrr == 10));
  CHECK((eur.subscribers.at("active") == 0 && usd.subscribers.at("active") == 1));
  // An imported subscription whose first event is a plan change billed the plan it left.
  ReportInput imported;
  StatusChange first = up;
  imported.subscriptions.push_back(Sub("sub_b", 3000, Interval::kMonth, kJan1, {first}));
  CHECK(ComputeReport(imported, range).currencies.at("eur").months[0].mrr == 1000);
}

TEST_CASE("a change outside the period counts for MRR but not as a sign-up, churn or resume") {
  ReportRange range{kFeb1, kMar1 - 1};
  ReportInput in;
  in.subscriptions.push_back(Sub("sub_a", 1000, Interval::kMonth, kJan1,
                                 {Change(kJan1, "created", "active"),
                                  Change(kJan1 + kDay, "paused", "paused"),
                                  Change(kMar1 + kDay, "resumed", "active")}));
  Report r = ComputeReport(in, range);
  const CurrencyReport& eur = r.currencies.at("eur");
  CHECK(eur.new_subscriptions == 0);
  CHECK(eur.reactivated == 0);
  CHECK(eur.mrr == 0);  // paused through February
  in.subscriptions[0].changes.back().at = kFeb1 + kDay;
  CHECK(ComputeReport(in, range).currencies.at("eur").reactivated == 1);
  CHECK(ComputeReport(in, range).currencies.at("eur").mrr == 1000);
}

TEST_CASE("an imported subscription counts before its first event by what that event changed") {
  ReportRange range{kJan1, kMar1 - 1};
  ReportInput in;
  // Imported Jan 1 as active (no created event), its dunning ran out on Feb 10.
  in.subscriptions.push_back(Sub("sub_i", 900, Interval::kMonth, kJan1,
                                 {Change(kFeb1 + 9 * kDay, "expired", "expired")}));
  // Imported paused, resumed Feb 5.
  in.subscriptions.push_back(Sub("sub_p", 300, Interval::kMonth, kJan1,
                                 {Change(kFeb1 + 4 * kDay, "resumed", "active")}));
  // Imported and never changed.
  in.subscriptions.push_back(Sub("sub_n", 100, Interval::kMonth, kJan1, {}));
  Report r = ComputeReport(in, range);
  const CurrencyReport& eur = r.currencies.at("eur");
  CHECK(eur.months[0].mrr == 1000);  // i + n; p was paused
  CHECK(eur.months[1].mrr == 400);   // p + n
  CHECK(eur.churned_failed_payment == 1);
  CHECK(eur.new_subscriptions == 0);  // imports are not sign-ups
  CHECK(eur.reactivated == 1);
}

TEST_CASE("an incomplete subscription counts nothing until its created event") {
  ReportRange range{kJan1, kFeb1 - 1};
  ReportInput in;
  in.subscriptions.push_back(Sub("sub_s", 700, Interval::kMonth, kJan1,
                                 {Change(kJan1 + 40 * kDay, "created", "active")}));
  CHECK(ComputeReport(in, range).currencies.at("eur").mrr == 0);
}

TEST_CASE("revenue per month is payments minus refunds, in the period, per currency") {
  ReportRange range{kJan1 + 10 * kDay, kMar1 + 4 * kDay};
  ReportInput in;
  in.payments = {{"eur", kJan1 + 9 * kDay, 999},  // before since
                 {"eur", kJan1 + 10 * kDay, 1000},
                 {"eur", kFeb1 + 3, 2000},
                 {"usd", kMar1 + 4 * kDay, 700},  // at until: inclusive
                 {"usd", kMar1 + 5 * kDay, 5}};
  in.refunds = {{"eur", kFeb1 + 100, 300}};
  Report r = ComputeReport(in, range);
  const CurrencyReport& eur = r.currencies.at("eur");
  REQUIRE(eur.months.size() == 3);
  CHECK(eur.months[0].payments == 1000);
  CHECK(eur.months[1].payments == 2000);
  CHECK(eur.months[1].refunds == 300);
  CHECK(eur.payments == 3000);
  CHECK(eur.refunds == 300);
  CHECK(r.currencies.at("usd").months[2].payments == 700);
  in.currency = "usd";
  CHECK(ComputeReport(in, range).currencies.count("eur") == 0);
}

TEST_CASE("the report's answer names its period, every currency and each month") {
  ReportRange range{kJan1, kFeb1 + kDay};
  ReportInput in;
  in.currency = "jpy";  // asked for: shown even with nothing in it
  Report r = ComputeReport(in, range);
  r.now = kFeb1 + kDay;
  auto view = ReportView(r);
  CHECK(view.at("since").as_string() == "2025-01-01T00:00:00Z");
  const auto& jpy = view.at("currencies").at("jpy").as_object();
  CHECK(jpy.at("mrr").as_int64() == 0);
  CHECK(jpy.at("recovery").at("rate_bp").is_null());
  const auto& months = jpy.at("months").as_array();
  REQUIRE(months.size() == 2);
  CHECK(months[1].at("month").as_string() == "2025-02");
}

}  // namespace jopay
