// Time: Unix seconds in UTC, RFC 3339 text, and durations such as "4d" or "1mo".
//
// The store keeps times as int64 Unix seconds (UTC) and shows them as RFC 3339
// with a "Z" suffix; this file is the only place that converts between the two.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jopay {

using UnixSeconds = int64_t;  // seconds since 1970-01-01T00:00:00Z

// "2025-01-31T10:00:00Z". Always UTC, always whole seconds, always 20 chars
// for years 0000..9999.
std::string FormatRfc3339(UnixSeconds t);

// Parses, strictly:
//   "YYYY-MM-DDTHH:MM:SSZ"           UTC
//   "YYYY-MM-DDTHH:MM:SS.fffZ"       fractional seconds, truncated toward the
//                                    earlier second (any number of digits)
//   "YYYY-MM-DDTHH:MM:SS+hh:mm"      an offset ("-hh:mm" too), converted to UTC
//   "YYYY-MM-DD"                     a bare date: midnight UTC
// "T" and "Z" may also be lowercase, as RFC 3339 allows. Every field must have
// exactly its digit count and name a real calendar time: "2025-02-30",
// "2025-1-05", "24:00:00", leap seconds and surrounding whitespace are
// rejected, and so is an offset that carries the instant out of years 0000..9999
// (FormatRfc3339 could not write it). Failure is Status::Invalid whose message shows the
// expected format.
Result<UnixSeconds> ParseRfc3339(std::string_view s);

// The wall clock, in whole seconds.
UnixSeconds SystemNow();

// A span of time. Seconds are exact; months are calendar months, applied with
// AddMonthsClamped so that "1mo" from Jan 31 lands on Feb 28/29.
struct Duration {
  int64_t seconds = 0;
  int64_t months = 0;
};

// Parses one or more <digits><unit> groups, e.g. "45s", "90m", "12h", "4d",
// "2w", "1mo", "1y" (= 12 months) or "1d12h", "1y6mo". Units: s, m (minutes),
// h, d, w, mo, y. The total must be > 0 and at most ~10000 years (so that
// AddDuration stays inside the calendar); anything else, including overflow,
// signs, spaces and unknown units, is Status::Invalid.
Result<Duration> ParseDuration(std::string_view s);

// t + d: the months first (AddMonthsClamped, keeping day-of-month and time of
// day), then the seconds. Requires the result to lie within years 1..9999.
UnixSeconds AddDuration(UnixSeconds t, const Duration& d);

}  // namespace jopay
