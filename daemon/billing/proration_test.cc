#include "daemon/billing/proration.h"

#include <doctest/doctest.h>

#include "common/money.h"

namespace jopay {

TEST_CASE("a prorated amount is rounded half up, in integers, without overflow") {
  CHECK(ProratedAmount(1499, 1, 2) == 750);  // 749.5
  CHECK(ProratedAmount(1497, 1, 2) == 749);  // 748.5
  CHECK(ProratedAmount(1000, 1, 3) == 333);  // 333.33
  CHECK(ProratedAmount(2, 1, 3) == 1);       // 0.67
  CHECK(ProratedAmount(1, 1, 3) == 0);       // 0.33
  CHECK(ProratedAmount(1000, 0, 86400) == 0);
  CHECK(ProratedAmount(1000, 86400, 86400) == 1000);
  // The largest price over a 365-year period, all but one second unused: fits, exact.
  int64_t whole = int64_t{365} * 366 * 86400;
  CHECK(ProratedAmount(kMaxAmount, whole - 1, whole) ==
        kMaxAmount - (kMaxAmount + whole / 2) / whole);
}

TEST_CASE("an upgrade halfway through credits half the old price and charges half the new") {
  // February 2025: 28 days from the 31st of January; the change two weeks in.
  UnixSeconds start = 1738317600, end = start + 28 * 86400, at = start + 14 * 86400;
  Proration p = Prorate(1000, 3000, start, end, at, false);
  CHECK(p.credit == 500);
  CHECK(p.charge == 1500);
  CHECK(p.net() == 1000);
  // To the second: one second later, one second less of each.
  Proration later = Prorate(1000, 3000, start, end, at + 1, false);
  CHECK(later.credit == 500);  // 499.9996 -> 500
  CHECK(later.charge == 1500);
  Proration near_end = Prorate(1000, 3000, start, end, end - 3600, false);
  CHECK(near_end.credit == 1);  // 1000 * 3600 / 2419200 = 1.49 -> 1
  CHECK(near_end.charge == 4);  // 4.46 -> 4
}

TEST_CASE("each line is rounded on its own, so the net is within one unit of the exact one") {
  UnixSeconds start = 0, end = 30 * 86400;
  for (UnixSeconds at = 0; at < end; at += 7919) {
    Proration p = Prorate(1499, 2999, start, end, at, false);
    double exact = (2999.0 - 1499.0) * double(end - at) / double(end - start);
    CHECK(std::abs(double(p.net()) - exact) <= 1.0);
  }
}

TEST_CASE("a change that starts a new period charges the new price whole") {
  UnixSeconds start = 0, end = 30 * 86400;
  Proration p = Prorate(1000, 10000, start, end, 10 * 86400, true);
  CHECK(p.credit == 667);  // 666.67
  CHECK(p.charge == 10000);
  CHECK(p.net() == 9333);
  // A time outside the period is clamped: nothing or all of it is unused.
  CHECK(Prorate(1000, 2000, start, end, end + 5, false).credit == 0);
  CHECK(Prorate(1000, 2000, start, end, start - 5, false).credit == 1000);
}

TEST_CASE("a change's kind: price within the same interval and currency, else what differs") {
  PlanTerms monthly{"a", "A", 1000, "eur", Interval::kMonth, 1, 0};
  PlanTerms more = monthly, less = monthly, same = monthly, yearly = monthly, usd = monthly,
            quarterly = monthly;
  more.amount = 2000;
  less.amount = 500;
  yearly.interval = Interval::kYear;
  usd.currency = "usd";
  usd.amount = 5000;
  quarterly.interval_count = 3;
  CHECK(ChangeKindOf(monthly, more) == ChangeKind::kUpgrade);
  CHECK(ChangeKindOf(monthly, less) == ChangeKind::kDowngrade);
  CHECK(ChangeKindOf(monthly, same) == ChangeKind::kSamePrice);
  CHECK(ChangeKindOf(monthly, yearly) == ChangeKind::kInterval);
  CHECK(ChangeKindOf(monthly, quarterly) == ChangeKind::kInterval);
  CHECK(ChangeKindOf(monthly, usd) == ChangeKind::kCurrency);
  CHECK(ChangeKindName(ChangeKind::kSamePrice) == "same_price");
}

}  // namespace jopay
