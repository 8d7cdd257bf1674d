#include "common/period.h"

#include <doctest/doctest.h>

#include <string>

namespace jopay {
namespace {

UnixSeconds At(std::string_view rfc3339) {
  const auto r = ParseRfc3339(rfc3339);
  REQUIRE_MESSAGE(r.ok(), rfc3339);
  return *r;
}

// Boundary n of a monthly (or yearly) schedule, as text for readable checks.
std::string Monthly(std::string_view anchor, int64_t n, int count = 1) {
  return FormatRfc3339(PeriodBoundary(At(anchor), Interval::kMonth, count, n));
}
std::string Yearly(std::string_view anchor, int64_t n, int count = 1) {
  return FormatRfc3339(PeriodBoundary(At(anchor), Interval::kYear, count, n));
}

TEST_CASE("IntervalName and ParseInterval agree") {
  for (Interval i : {Interval::kDay, Interval::kWeek, Interval::kMonth, Interval::kYear}) {
    const auto parsed = ParseInterval(IntervalName(i));
    REQUIRE(parsed.ok());
    CHECK(*parsed == i);
  }
  CHECK(IntervalName(Interval::kMonth) == "month");
}

TEST_CASE("ParseInterval accepts the LNbits spellings") {
  CHECK(*ParseInterval("daily") == Interval::kDay);
  CHECK(*ParseInterval("weekly") == Interval::kWeek);
  CHECK(*ParseInterval("monthly") == Interval::kMonth);
  CHECK(*ParseInterval("yearly") == Interval::kYear);
}

TEST_CASE("ParseInterval rejects anything else naming the interval param") {
  for (const char* bad : {"", "Month", "MONTH", "months", "annually", "quarter", " month",
                          "fortnight"}) {
    const auto r = ParseInterval(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (r.ok()) continue;
    CHECK(r.status().kind() == Status::Kind::kInvalid);
    CHECK(r.status().param() == "interval");
  }
}

TEST_CASE("monthly from Jan 31 clamps to month ends without drifting") {
  const char* anchor = "2025-01-31T00:00:00Z";
  CHECK(Monthly(anchor, 0) == "2025-01-31T00:00:00Z");
  CHECK(Monthly(anchor, 1) == "2025-02-28T00:00:00Z");
  CHECK(Monthly(anchor, 2) == "2025-03-31T00:00:00Z");
  CHECK(Monthly(anchor, 3) == "2025-04-30T00:00:00Z");
  CHECK(Monthly(anchor, 4) == "2025-05-31T00:00:00Z");
}

TEST_CASE("monthly from Jan 31 reaches Feb 29 in a leap year") {
  CHECK(Monthly("2024-01-31T00:00:00Z", 1) == "2024-02-29T00:00:00Z");
  CHECK(Monthly("2024-01-31T00:00:00Z", 2) == "2024-03-31T00:00:00Z");
  CHECK(Monthly("2024-01-30T00:00:00Z", 1) == "2024-02-29T00:00:00Z");
  CHECK(Monthly("2024-01-29T00:00:00Z", 1) == "2024-02-29T00:00:00Z");
  CHECK(Monthly("2025-01-29T00:00:00Z", 1) == "2025-02-28T00:00:00Z");
}

TEST_CASE("a 12-month walk from Jan 31 never drifts") {
  const char* expected[] = {
      "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31",
      "2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31",
      "2025-11-30", "2025-12-31", "2026-01-31",
  };
  for (int64_t n = 0; n <= 12; ++n) {
    CHECK(Monthly("2025-01-31T09:15:00Z", n) == std::string(expected[n]) + "T09:15:00Z");
  }
}

TEST_CASE("yearly from Feb 29 clamps to Feb 28 and returns to Feb 29 in leap years") {
  const char* anchor = "2024-02-29T12:00:00Z";
  CHECK(Yearly(anchor, 1) == "2025-02-28T12:00:00Z");
  CHECK(Yearly(anchor, 2) == "2026-02-28T12:00:00Z");
  CHECK(Yearly(anchor, 3) == "2027-02-28T12:00:00Z");
  CHECK(Yearly(anchor, 4) == "2028-02-29T12:00:00Z");
  CHECK(Yearly(anchor, -4) == "2020-02-29T12:00:00Z");
}

TEST_CASE("leap years follow the Gregorian 4/100/400 rules") {
  // 2000 is divisible by 400: leap. 1900 and 2100 by 100 only: not leap.
  CHECK(Monthly("2000-01-31T00:00:00Z", 1) == "2000-02-29T00:00:00Z");
  CHECK(Monthly("1900-01-31T00:00:00Z", 1) == "1900-02-28T00:00:00Z");
  CHECK(Monthly("2100-01-31T00:00:00Z", 1) == "2100-02-28T00:00:00Z");
  CHECK(Yearly("1896-02-29T00:00:00Z", 4) == "1900-02-28T00:00:00Z");
  CHECK(Yearly("1996-02-29T00:00:00Z", 4) == "2000-02-29T00:00:00Z");
  CHECK(Yearly("1996-02-29T00:00:00Z", 8) == "2004-02-29T00:00:00Z");
}

TEST_CASE("interval_count multiplies the step") {
  // Every 3 months from Nov 30: Feb clamps, May returns to the 30th.
  CHECK(Monthly("2024-11-30T00:00:00Z", 1, 3) == "2025-02-28T00:00:00Z");
  CHECK(Monthly("2024-11-30T00:00:00Z", 2, 3) == "2025-05-30T00:00:00Z");
  CHECK(Monthly("2024-11-30T00:00:00Z", 4, 3) == "2025-11-30T00:00:00Z");
  // Every 2 weeks.
  const UnixSeconds anchor = At("2025-01-01T08:00:00Z");
  CHECK(FormatRfc3339(PeriodBoundary(anchor, Interval::kWeek, 2, 1)) == "2025-01-15T08:00:00Z");
  CHECK(FormatRfc3339(PeriodBoundary(anchor, Interval::kWeek, 2, 3)) == "2025-02-12T08:00:00Z");
  // Every 2 years from Feb 29.
  CHECK(Yearly("2024-02-29T00:00:00Z", 1, 2) == "2026-02-28T00:00:00Z");
  CHECK(Yearly("2024-02-29T00:00:00Z", 2, 2) == "2028-02-29T00:00:00Z");
}

TEST_CASE("month periods keep the anchor's time of day") {
  CHECK(Monthly("2025-01-31T23:59:59Z", 1) == "2025-02-28T23:59:59Z");
  CHECK(Monthly("2025-03-15T06:07:08Z", 1) == "2025-04-15T06:07:08Z");
  CHECK(Yearly("2025-03-15T06:07:08Z", 1) == "2026-03-15T06:07:08Z");
}

TEST_CASE("negative n goes back from the anchor") {
  CHECK(Monthly("2025-03-31T10:00:00Z", -1) == "2025-02-28T10:00:00Z");
  CHECK(Monthly("2025-03-31T10:00:00Z", -2) == "2025-01-31T10:00:00Z");
  CHECK(Monthly("2025-01-15T10:00:00Z", -1) == "2024-12-15T10:00:00Z");
  CHECK(Monthly("2025-01-31T10:00:00Z", -13) == "2023-12-31T10:00:00Z");
  CHECK(Yearly("2025-02-28T00:00:00Z", -1) == "2024-02-28T00:00:00Z");
  const UnixSeconds anchor = At("2025-01-01T00:00:00Z");
  CHECK(PeriodBoundary(anchor, Interval::kDay, 1, -1) == anchor - 86400);
}

TEST_CASE("day and week periods are exact multiples of 86400 seconds") {
  const UnixSeconds anchor = At("2025-03-30T00:30:00Z");  // a DST night in Europe: irrelevant
  CHECK(PeriodBoundary(anchor, Interval::kDay, 1, 1) - anchor == 86400);
  CHECK(PeriodBoundary(anchor, Interval::kDay, 3, 5) - anchor == 15 * 86400);
  CHECK(PeriodBoundary(anchor, Interval::kWeek, 1, 1) - anchor == 7 * 86400);
  CHECK(PeriodBoundary(anchor, Interval::kWeek, 2, 10) - anchor == 140 * 86400);
  CHECK(PeriodBoundary(anchor, Interval::kDay, 1, 0) == anchor);
}

TEST_CASE("AddMonthsClamped moves by calendar months") {
  const UnixSeconds jan31 = At("2025-01-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 0)) == "2025-01-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 1)) == "2025-02-28T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 2)) == "2025-03-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 11)) == "2025-12-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 12)) == "2026-01-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, -1)) == "2024-12-31T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, -11)) == "2024-02-29T10:00:00Z");
  CHECK(FormatRfc3339(AddMonthsClamped(jan31, 1200)) == "2125-01-31T10:00:00Z");
  // Before 1970 too (negative Unix seconds).
  CHECK(FormatRfc3339(AddMonthsClamped(At("1969-12-31T23:00:00Z"), 2)) ==
        "1970-02-28T23:00:00Z");
}

}  // namespace
}  // namespace jopay
