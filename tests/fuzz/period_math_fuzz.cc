// Fuzz target: period math and time text (common/period.h, common/time.h).
//
// Input: 24 bytes of numbers (anchor, months, n, count, interval; zero-padded when short),
// then three text fields separated by '\n': an RFC 3339 time, a duration ("1mo12h"), an
// interval name. Every result is checked against a calendar written here from scratch
// (days_from_civil), never against the code under test:
//  - AddMonthsClamped lands in the right month, on the anchor's day clamped to the month's
//    last day, at the same time of day; more months is strictly later (monotonic);
//  - PeriodBoundary: each period ends after it starts, day and week periods are exact, month
//    and year boundaries are computed from the anchor (a month-end anchor is kept);
//  - ParseRfc3339 accepts exactly what the grammar of time.h describes, with the value a
//    reference reading gives, and whatever it accepts FormatRfc3339 writes back (20
//    characters) and ParseRfc3339 reads again to the same second: refuse or round-trip;
//  - ParseDuration agrees with a reference reading and round-trips through a canonical text;
//  - ParseInterval accepts exactly the eight spellings and round-trips through IntervalName.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "common/period.h"
#include "common/time.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {
namespace {

constexpr int64_t kDay = 86400;
constexpr UnixSeconds kMinTime = -62135596800;  // 0001-01-01T00:00:00Z
constexpr UnixSeconds kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z
constexpr UnixSeconds kYear0 = -62167219200;    // 0000-01-01T00:00:00Z

struct Civil {
  int64_t y, m, d;
};

// Howard Hinnant's days_from_civil / civil_from_days (public domain), for the proleptic
// Gregorian calendar the API uses.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Civil CivilOf(UnixSeconds t) { return CivilFromDays(FloorDiv(t, kDay)); }
int64_t TimeOfDay(UnixSeconds t) { return t - FloorDiv(t, kDay) * kDay; }

int64_t LastDay(int64_t y, int64_t m) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// The month `months` after the anchor's, as years*12 + (month - 1); in range when its year is
// 1..9999 (AddMonthsClamped's documented domain).
bool MonthInRange(UnixSeconds anchor, int64_t months, int64_t* index) {
  Civil c = CivilOf(anchor);
  *index = c.y * 12 + (c.m - 1) + months;
  return *index >= 12 && *index < 10000 * 12;
}

void CheckAddMonths(UnixSeconds anchor, int64_t months) {
  int64_t index = 0;
  if (!MonthInRange(anchor, months, &index)) return;
  UnixSeconds r = AddMonthsClamped(anchor, months);
  Civil a = CivilOf(anchor), got = CivilOf(r);
  int64_t y = index / 12, m = index % 12 + 1;
  int64_t d = std::min(a.d, LastDay(y, m));
  FUZZ_CHECK(got.y == y && got.m == m && got.d == d,
             "AddMonthsClamped({}, {}) = {}: expected {:04}-{:02}-{:02}", anchor, months, r, y, m,
             d);
  FUZZ_CHECK(TimeOfDay(r) == TimeOfDay(anchor), "time of day moved: {} -> {}", anchor, r);
  int64_t next = 0;
  if (MonthInRange(anchor, months + 1, &next)) {
    UnixSeconds later = AddMonthsClamped(anchor, months + 1);
    FUZZ_CHECK(later > r, "not monotonic: +{} -> {}, +{} -> {}", months, r, months + 1, later);
  }
  if (a.d <= 28) {  // nothing was clamped: going back undoes it
    FUZZ_CHECK(AddMonthsClamped(r, -months) == anchor, "+{} then -{} from {}", months, months,
               anchor);
  }
}

// Whether boundary n of the schedule lies within years 1..9999.
bool BoundaryInRange(UnixSeconds anchor, Interval interval, int count, int64_t n) {
  int64_t steps = n * count, index = 0;
  switch (interval) {
    case Interval::kDay:
      return anchor + steps * kDay >= kMinTime && anchor + steps * kDay <= kMaxTime;
    case Interval::kWeek:
      return anchor + steps * 7 * kDay >= kMinTime && anchor + steps * 7 * kDay <= kMaxTime;
    case Interval::kMonth:
      return MonthInRange(anchor, steps, &index);
    case Interval::kYear:
      return MonthInRange(anchor, steps * 12, &index);
  }
  return false;
}

void CheckBoundaries(UnixSeconds anchor, Interval interval, int count, int64_t n) {
  if (!BoundaryInRange(anchor, interval, count, n) ||
      !BoundaryInRange(anchor, interval, count, n + 1)) {
    return;
  }
  UnixSeconds start = PeriodBoundary(anchor, interval, count, n);
  UnixSeconds end = PeriodBoundary(anchor, interval, count, n + 1);
  FUZZ_CHECK(end > start, "period {} of {} x{} from {} ends at {} <= start {}", n,
             IntervalName(interval), count, anchor, end, start);
  FUZZ_CHECK(PeriodBoundary(anchor, interval, count, 0) == anchor, "boundary 0 is not the anchor");
  int64_t steps = n * count;
  switch (interval) {
    case Interval::kDay:
      FUZZ_CHECK(end - start == count * kDay, "day period not exact");
      break;
    case Interval::kWeek:
      FUZZ_CHECK(end - start == count * 7 * kDay, "week period not exact");
      break;
    case Interval::kMonth:
      FUZZ_CHECK(start == AddMonthsClamped(anchor, steps), "month boundary not from the anchor");
      CheckAddMonths(anchor, steps);
      break;
    case Interval::kYear:
      FUZZ_CHECK(start == AddMonthsClamped(anchor, steps * 12),
                 "year boundary not from the anchor");
      CheckAddMonths(anchor, steps * 12);
      break;
  }
}

// The reference reading of time.h's grammar. Digits only where digits belong, every field
// in range, a real calendar day; years 0000..9999.
bool Digits(std::string_view s, size_t at, size_t n, int64_t* v) {
  if (at + n > s.size()) return false;
  *v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    *v = *v * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<UnixSeconds> ReferenceTime(std::string_view s) {
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, offset = 0;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > LastDay(y, mo)) return std::nullopt;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &h) || s.size() < 20 || s[13] != ':' ||
        !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
      return std::nullopt;
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
    std::string_view zone = s.substr(19);
    if (!zone.empty() && zone[0] == '.') {
      size_t i = 1;
      while (i < zone.size() && zone[i] >= '0' && zone[i] <= '9') ++i;
      if (i == 1) return std::nullopt;
      zone.remove_prefix(i);
    }
    int64_t oh, om;
    if (zone == "Z" || zone == "z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2, &oh) &&
               zone[3] == ':' && Digits(zone, 4, 2, &om) && oh <= 23 && om <= 59) {
      offset = (zone[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  return DaysFromCivil(y, mo, d) * kDay + h * 3600 + mi * 60 + sec - offset;
}

void CheckTimeText(std::string_view text) {
  auto parsed = ParseRfc3339(text);
  std::optional<UnixSeconds> want = ReferenceTime(text);
  if (!parsed.ok()) {
    // A text naming a time outside years 0000..9999 once its offset is applied may be
    // refused: FormatRfc3339 could not write it back.
    bool outside = want && (*want < kYear0 || *want > kMaxTime);
    FUZZ_CHECK(!want || outside, "\"{}\" refused but names {}", text, *want);
    return;
  }
  FUZZ_CHECK(want.has_value(), "\"{}\" accepted as {} but is not RFC 3339", text, *parsed);
  FUZZ_CHECK(*parsed == *want, "\"{}\" read as {}, expected {}", text, *parsed, *want);
  std::string written = FormatRfc3339(*parsed);
  auto again = ParseRfc3339(written);
  FUZZ_CHECK(written.size() == 20 && again.ok() && *again == *parsed,
             "\"{}\" accepted as {}, written back as \"{}\", which does not read back", text,
             *parsed, written);
}

void CheckFormat(UnixSeconds t) {
  if (t < kYear0 || t > kMaxTime) return;
  std::string written = FormatRfc3339(t);
  auto again = ParseRfc3339(written);
  FUZZ_CHECK(written.size() == 20 && again.ok() && *again == t, "{} written as \"{}\"", t, written);
}

// Reference reading of a duration: <digits><unit> groups, totals in months and seconds
// (__int128: no overflow here, the limits are checked after).
struct RefDuration {
  __int128 seconds = 0, months = 0;
};
std::optional<RefDuration> ReferenceDuration(std::string_view s) {
  RefDuration d;
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    __int128 n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < (__int128{1} << 80))
      n = n * 10 + (s[i++] - '0');
    if (i == start || (i < s.size() && s[i] >= '0' && s[i] <= '9')) return std::nullopt;
    size_t u = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    std::string_view unit = s.substr(u, i - u);
    if (unit == "s")
      d.seconds += n;
    else if (unit == "m")
      d.seconds += n * 60;
    else if (unit == "h")
      d.seconds += n * 3600;
    else if (unit == "d")
      d.seconds += n * kDay;
    else if (unit == "w")
      d.seconds += n * 7 * kDay;
    else if (unit == "mo")
      d.months += n;
    else if (unit == "y")
      d.months += n * 12;
    else
      return std::nullopt;
  }
  if (d.seconds == 0 && d.months == 0) return std::nullopt;
  if (d.months > 10000 * 12 || d.seconds > __int128{10000} * 366 * kDay) return std::nullopt;
  return d;
}

void CheckDuration(std::string_view text, UnixSeconds anchor) {
  auto d = ParseDuration(text);
  auto want = ReferenceDuration(text);
  FUZZ_CHECK(d.ok() == want.has_value(), "ParseDuration(\"{}\") ok={} but the grammar says {}",
             text, d.ok(), want.has_value());
  if (!d.ok()) return;
  FUZZ_CHECK(d->seconds == want->seconds && d->months == want->months,
             "ParseDuration(\"{}\") = {}s {}mo", text, d->seconds, d->months);
  std::string canonical;
  if (d->months) canonical += std::to_string(d->months) + "mo";
  if (d->seconds) canonical += std::to_string(d->seconds) + "s";
  auto again = ParseDuration(canonical);
  FUZZ_CHECK(again.ok() && again->seconds == d->seconds && again->months == d->months,
             "\"{}\" does not read back as \"{}\" did", canonical, text);
  int64_t index = 0;
  if (!MonthInRange(anchor, d->months, &index)) return;
  UnixSeconds moved = AddMonthsClamped(anchor, d->months);
  if (moved + d->seconds > kMaxTime) return;
  UnixSeconds after = AddDuration(anchor, *d);
  FUZZ_CHECK(after == moved + d->seconds && after > anchor, "AddDuration({}, \"{}\") = {}", anchor,
             text, after);
}

void CheckInterval(std::string_view text) {
  auto i = ParseInterval(text);
  static constexpr std::string_view kNames[] = {"day",   "week",   "month",   "year",
                                                "daily", "weekly", "monthly", "yearly"};
  bool known = false;
  for (std::string_view n : kNames) known |= n == text;
  FUZZ_CHECK(i.ok() == known, "ParseInterval(\"{}\") ok={}", text, i.ok());
  if (i.ok()) FUZZ_CHECK(*ParseInterval(IntervalName(*i)) == *i, "IntervalName round trip");
}

template <class T>
T Take(const uint8_t*& data, size_t& size) {
  T v{};
  size_t n = std::min(size, sizeof(T));
  std::memcpy(&v, data, n);
  data += n;
  size -= n;
  return v;
}

}  // namespace
}  // namespace jopay::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jopay;
  using namespace jopay::fuzz;
  // The numbers, folded into the ranges the functions document.
  uint64_t raw_anchor = Take<uint64_t>(data, size);
  int64_t months = Take<int64_t>(data, size) % (10000 * 12);
  int64_t n = Take<int32_t>(data, size) % 100000;
  int count = Take<uint16_t>(data, size) % 1200 + 1;
  auto interval = static_cast<Interval>(Take<uint8_t>(data, size) % 4);
  Take<uint8_t>(data, size);  // reserved: keeps the text at a fixed offset
  UnixSeconds anchor =
      kMinTime + static_cast<int64_t>(raw_anchor % static_cast<uint64_t>(kMaxTime - kMinTime + 1));

  auto fields = Fields(std::string_view(reinterpret_cast<const char*>(data), size), '\n', 3);
  CheckAddMonths(anchor, months);
  CheckBoundaries(anchor, interval, count, n);
  CheckFormat(anchor);
  CheckTimeText(fields[0]);
  if (auto t = ParseRfc3339(fields[0]); t.ok()) {
    CheckAddMonths(*t, months);
    CheckBoundaries(*t, interval, count, n);
  }
  CheckDuration(fields[1], anchor);
  CheckInterval(fields[2]);
  return 0;
}
