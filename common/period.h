// Billing periods: where each period of a subscription starts and ends.
//
// A schedule is an anchor time plus `count` intervals per period. Boundary n
// is always computed from the anchor (anchor + n*count intervals), never by
// adding to the previous boundary, so a month schedule anchored on the 31st
// goes Jan 31 -> Feb 28 -> Mar 31 and never drifts to the 28th. Day and week
// intervals are exact multiples of 86400 seconds (UTC has no DST).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace jopay {

enum class Interval { kDay, kWeek, kMonth, kYear };

// "day", "week", "month" or "year": the public API's spelling.
std::string_view IntervalName(Interval interval);

// Accepts the four API names and the LNbits spellings "daily", "weekly",
// "monthly", "yearly" (exact, lowercase). Anything else is
// Status::Invalid with param "interval".
Result<Interval> ParseInterval(std::string_view s);

// `anchor` moved by `months` calendar months (negative moves back), keeping
// its day of month and time of day; when the target month is shorter the day
// is clamped to its last day (Jan 31 +1 -> Feb 28 or 29, +2 -> Mar 31).
// Requires the result to lie within years 1..9999.
UnixSeconds AddMonthsClamped(UnixSeconds anchor, int64_t months);

// Boundary n of the schedule anchored at `anchor` with periods of `count`
// intervals: boundary 0 is the anchor, boundary 1 the end of the first
// period, boundary -1 one period before the anchor. Requires count >= 1.
// Computed from the anchor for every n, so it never drifts.
UnixSeconds PeriodBoundary(UnixSeconds anchor, Interval interval, int count, int64_t n);

}  // namespace jopay
