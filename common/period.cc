#include "common/period.h"

#include <algorithm>
#include <chrono>

namespace jopay {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::floor;
using std::chrono::last;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using std::chrono::year_month;
using std::chrono::year_month_day;
using std::chrono::year_month_day_last;

constexpr int64_t kSecondsPerDay = 86400;

}  // namespace

std::string_view IntervalName(Interval interval) {
  switch (interval) {
    case Interval::kDay: return "day";
    case Interval::kWeek: return "week";
    case Interval::kMonth: return "month";
    case Interval::kYear: return "year";
  }
  return "day";  // unreachable: every enumerator is handled above
}

Result<Interval> ParseInterval(std::string_view s) {
  if (s == "day" || s == "daily") return Interval::kDay;
  if (s == "week" || s == "weekly") return Interval::kWeek;
  if (s == "month" || s == "monthly") return Interval::kMonth;
  if (s == "year" || s == "yearly") return Interval::kYear;
  return Status::Invalid("interval must be one of day, week, month, year (or daily, "
                         "weekly, monthly, yearly), got \"" + std::string(s) + "\"",
                         "interval");
}

UnixSeconds AddMonthsClamped(UnixSeconds anchor, int64_t months) {
  const sys_seconds tp{seconds{anchor}};
  const sys_days date = floor<days>(tp);
  const auto time_of_day = tp - date;
  const year_month_day ymd{date};
  // year_month arithmetic handles negative months and year carries for us.
  const year_month target = ymd.year() / ymd.month() + std::chrono::months{months};
  const day last_day = year_month_day_last{target / last}.day();
  const sys_days moved{target / std::min(ymd.day(), last_day)};
  return (sys_seconds{moved} + time_of_day).time_since_epoch().count();
}

UnixSeconds PeriodBoundary(UnixSeconds anchor, Interval interval, int count, int64_t n) {
  const int64_t steps = n * count;
  switch (interval) {
    case Interval::kDay: return anchor + steps * kSecondsPerDay;
    case Interval::kWeek: return anchor + steps * 7 * kSecondsPerDay;
    case Interval::kMonth: return AddMonthsClamped(anchor, steps);
    case Interval::kYear: return AddMonthsClamped(anchor, steps * 12);
  }
  return anchor;  // unreachable: every enumerator is handled above
}

}  // namespace jopay
