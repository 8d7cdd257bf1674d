#include "common/time.h"

#include <time.h>  // strptime (POSIX)

#include <charconv>
#include <chrono>
#include <ctime>
#include <optional>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "common/period.h"

namespace jopay {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;

// The instants FormatRfc3339 writes in its 20 characters: years 0000 to 9999.
constexpr UnixSeconds kFirstTime = -62167219200;  // 0000-01-01T00:00:00Z
constexpr UnixSeconds kLastTime = 253402300799;   // 9999-12-31T23:59:59Z

constexpr std::string_view kTimeFormats =
    "expected RFC 3339 like 2025-01-31T10:00:00Z, 2025-01-31T10:00:00.5Z, "
    "2025-01-31T12:00:00+02:00, or a date 2025-01-31";

Status BadTime(std::string_view s) {
  return Status::Invalid(fmt::format("invalid time \"{}\": {}", s, kTimeFormats));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (T uppercase) read by strptime, which
// is lenient (it takes "2025-1-5" or "2025-02-30"); formatting the result back
// and demanding the same text is what makes the parse strict.
std::optional<UnixSeconds> ParseCivil(const std::string& text) {
  const bool with_time = text.size() > 10;
  std::tm tm{};
  const char* end = strptime(text.c_str(), with_time ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const sys_days date{std::chrono::year{tm.tm_year + 1900} /
                      std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)) /
                      std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  const UnixSeconds t = sys_seconds{date}.time_since_epoch().count() +
                        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  if (FormatRfc3339(t).compare(0, text.size(), text) != 0) return std::nullopt;
  return t;
}

std::optional<int> TwoDigits(std::string_view s) {
  if (s.size() != 2 || !IsDigit(s[0]) || !IsDigit(s[1])) return std::nullopt;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

// What follows the seconds: optional ".digits", then "Z" or "+hh:mm"/"-hh:mm".
// Returns the offset east of UTC in seconds.
std::optional<int64_t> ParseZone(std::string_view rest) {
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && IsDigit(rest[i])) ++i;
    if (i == 1) return std::nullopt;
    rest.remove_prefix(i);  // truncated: the parsed second is the earlier one
  }
  if (rest == "Z" || rest == "z") return 0;
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') {
    return std::nullopt;
  }
  const auto hh = TwoDigits(rest.substr(1, 2));
  const auto mm = TwoDigits(rest.substr(4, 2));
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  const int64_t offset = *hh * 3600 + *mm * 60;
  return rest[0] == '+' ? offset : -offset;
}

struct Unit {
  std::string_view name;
  int64_t seconds;
  int64_t months;
};
constexpr Unit kUnits[] = {
    {"s", 1, 0},      {"m", 60, 0},     {"h", 3600, 0}, {"d", 86400, 0},
    {"w", 604800, 0}, {"mo", 0, 1},     {"y", 0, 12},
};
// ~10000 years either way: far beyond any billing need, and small enough that
// AddDuration on a present-day time stays inside the calendar.
constexpr int64_t kMaxDurationMonths = 10000 * 12;
constexpr int64_t kMaxDurationSeconds = int64_t{10000} * 366 * 86400;

Status BadDuration(std::string_view s, std::string_view why) {
  return Status::Invalid(fmt::format(
      "invalid duration \"{}\": {}; expected a positive number and unit "
      "(s, m, h, d, w, mo, y) like 45s, 90m, 12h, 4d, 2w, 1mo, 1y or 1d12h",
      s, why));
}

const Unit* FindUnit(std::string_view name) {
  for (const Unit& u : kUnits) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

// total += count * per, refusing overflow and anything past `max`.
bool AddScaled(int64_t& total, int64_t count, int64_t per, int64_t max) {
  int64_t product = 0;
  if (__builtin_mul_overflow(count, per, &product) || product > max) return false;
  total += product;  // both <= max, which is far below INT64_MAX / 2
  return total <= max;
}

}  // namespace

std::string FormatRfc3339(UnixSeconds t) {
  const sys_seconds tp{std::chrono::seconds{t}};
  const auto day = std::chrono::floor<days>(tp);
  const year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{tp - day};
  // Compiled format: events carry two or more of these each, rendered by the ten thousand.
  return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"),
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

Result<UnixSeconds> ParseRfc3339(std::string_view s) {
  constexpr size_t kDateLen = 10;      // YYYY-MM-DD
  constexpr size_t kDateTimeLen = 19;  // YYYY-MM-DDTHH:MM:SS
  if (s.size() == kDateLen) {
    const auto t = ParseCivil(std::string(s));
    if (!t) return BadTime(s);
    return *t;
  }
  if (s.size() < kDateTimeLen + 1 || (s[kDateLen] != 'T' && s[kDateLen] != 't')) {
    return BadTime(s);
  }
  std::string civil(s.substr(0, kDateTimeLen));
  civil[kDateLen] = 'T';
  const auto local = ParseCivil(civil);
  const auto offset = ParseZone(s.substr(kDateTimeLen));
  if (!local || !offset) return BadTime(s);
  // An offset can carry the instant out of years 0000..9999 ("9999-12-31T23:00:00-01:00" is
  // in year 10000), where FormatRfc3339 could not write it back (found by
  // tests/fuzz/period_math_fuzz.cc).
  const UnixSeconds t = *local - *offset;
  if (t < kFirstTime || t > kLastTime) return BadTime(s);
  return t;
}

UnixSeconds SystemNow() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return now.time_since_epoch().count();
}

Result<Duration> ParseDuration(std::string_view s) {
  if (s.empty()) return BadDuration(s, "empty");
  Duration d;
  const char* p = s.data();
  const char* const end = s.data() + s.size();
  while (p != end) {
    int64_t count = 0;
    const auto [after_digits, ec] = std::from_chars(p, end, count);
    if (ec == std::errc::result_out_of_range) return BadDuration(s, "number too large");
    if (ec != std::errc() || !IsDigit(*p)) return BadDuration(s, "expected a number");
    p = after_digits;
    const char* unit_end = p;
    while (unit_end != end && *unit_end >= 'a' && *unit_end <= 'z') ++unit_end;
    const Unit* unit = FindUnit(std::string_view(p, static_cast<size_t>(unit_end - p)));
    if (unit == nullptr) return BadDuration(s, "missing or unknown unit");
    p = unit_end;
    if (!AddScaled(d.seconds, count, unit->seconds, kMaxDurationSeconds) ||
        !AddScaled(d.months, count, unit->months, kMaxDurationMonths)) {
      return BadDuration(s, "too large");
    }
  }
  if (d.seconds == 0 && d.months == 0) return BadDuration(s, "must be greater than zero");
  return d;
}

UnixSeconds AddDuration(UnixSeconds t, const Duration& d) {
  return AddMonthsClamped(t, d.months) + d.seconds;
}

}  // namespace jopay
