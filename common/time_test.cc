#include "common/time.h"

#include <doctest/doctest.h>

namespace jopay {
namespace {

// 2025-01-31T10:00:00Z, checked with `date -u -d 2025-01-31T10:00:00Z +%s`.
constexpr UnixSeconds kJan31 = 1738317600;

UnixSeconds MustParse(std::string_view s) {
  const auto r = ParseRfc3339(s);
  REQUIRE_MESSAGE(r.ok(), s, ": ", r.status().message());
  return *r;
}

TEST_CASE("FormatRfc3339 prints UTC with a Z") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(kJan31) == "2025-01-31T10:00:00Z");
  CHECK(FormatRfc3339(951782400) == "2000-02-29T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59Z");
  CHECK(FormatRfc3339(253402300799) == "9999-12-31T23:59:59Z");
}

TEST_CASE("ParseRfc3339 reads UTC times and round-trips with FormatRfc3339") {
  CHECK(MustParse("2025-01-31T10:00:00Z") == kJan31);
  CHECK(MustParse("1970-01-01T00:00:00Z") == 0);
  CHECK(MustParse("2024-02-29T23:59:59Z") == 1709251199);
  for (UnixSeconds t : {UnixSeconds{0}, kJan31, UnixSeconds{1709251199}, UnixSeconds{-86401}}) {
    CHECK(MustParse(FormatRfc3339(t)) == t);
  }
}

TEST_CASE("ParseRfc3339 accepts lowercase t and z as RFC 3339 allows") {
  CHECK(MustParse("2025-01-31t10:00:00z") == kJan31);
}

TEST_CASE("ParseRfc3339 truncates fractional seconds") {
  CHECK(MustParse("2025-01-31T10:00:00.999Z") == kJan31);
  CHECK(MustParse("2025-01-31T10:00:00.5Z") == kJan31);
  CHECK(MustParse("2025-01-31T10:00:00.123456789+00:00") == kJan31);
}

TEST_CASE("ParseRfc3339 converts offsets to UTC") {
  CHECK(MustParse("2025-01-31T12:00:00+02:00") == kJan31);
  CHECK(MustParse("2025-01-31T04:30:00-05:30") == kJan31);
  CHECK(MustParse("2025-01-31T10:00:00-00:00") == kJan31);
  // An offset can move the instant across a day and year boundary.
  CHECK(FormatRfc3339(MustParse("2025-01-01T01:00:00+02:00")) == "2024-12-31T23:00:00Z");
}

TEST_CASE("ParseRfc3339 refuses an offset that carries the time out of years 0000..9999") {
  // FormatRfc3339 could not write these back: "10000-01-01T00:00:00Z" is 21 characters and
  // not RFC 3339 (tests/fuzz/crashes/period_math/rfc3339_offset_past_year_9999).
  for (const char* outside : {"9999-12-31T23:00:00-01:00", "0000-01-01T00:59:59+01:00"}) {
    const auto r = ParseRfc3339(outside);
    CHECK_MESSAGE(!r.ok(), outside);
  }
  // The edges themselves are fine, with or without an offset.
  CHECK(FormatRfc3339(MustParse("9999-12-31T23:59:59Z")) == "9999-12-31T23:59:59Z");
  CHECK(FormatRfc3339(MustParse("9999-12-31T23:59:59.9+00:00")) == "9999-12-31T23:59:59Z");
  CHECK(FormatRfc3339(MustParse("0000-01-01T01:00:00+01:00")) == "0000-01-01T00:00:00Z");
}

TEST_CASE("ParseRfc3339 reads a bare date as midnight UTC") {
  CHECK(MustParse("2025-01-31") == kJan31 - 10 * 3600);
  CHECK(MustParse("2024-02-29") == 1709164800);
}

TEST_CASE("ParseRfc3339 rejects impossible dates and times") {
  for (const char* bad : {"2025-02-29", "2025-02-30", "2024-02-30", "2025-04-31", "2025-13-01",
                          "2025-00-10", "2025-01-00", "2025-02-29T00:00:00Z",
                          "2025-01-31T24:00:00Z", "2025-01-31T10:60:00Z",
                          "2025-12-31T23:59:60Z", "2025-01-31T10:00:00+24:00",
                          "2025-01-31T10:00:00+02:60"}) {
    const auto r = ParseRfc3339(bad);
    CHECK_MESSAGE(!r.ok(), bad);
  }
}

TEST_CASE("ParseRfc3339 rejects sloppy shapes with a message showing the format") {
  for (const char* bad : {"", "2025", "2025-1-31", "2025-01-5", "25-01-31", " 2025-01-31",
                          "2025-01-31 ", "2025-01-31T10:00:00", "2025-01-31 10:00:00Z",
                          "2025-01-31T10:00Z", "2025-01-31T1:00:00Z", "2025-01-31T10:00:00.Z",
                          "2025-01-31T10:00:00+0200", "2025-01-31T10:00:00+2:00",
                          "2025-01-31T10:00:00ZZ", "2025-01-31T10:00:00 Z", "+2025-01-31",
                          "2025/01/31", "yesterday", "1738317600"}) {
    const auto r = ParseRfc3339(bad);
    CHECK_MESSAGE(!r.ok(), "accepted: '", bad, "'");
    if (r.ok()) continue;
    CHECK(r.status().kind() == Status::Kind::kInvalid);
    CHECK(r.status().code() == "parameter_invalid");
    CHECK(r.status().message().find("2025-01-31T10:00:00Z") != std::string::npos);
  }
}

TEST_CASE("SystemNow is the wall clock in seconds") {
  const UnixSeconds now = SystemNow();
  CHECK(now > MustParse("2024-01-01"));
  CHECK(now < MustParse("2100-01-01"));
}

Duration MustDuration(std::string_view s) {
  const auto r = ParseDuration(s);
  REQUIRE_MESSAGE(r.ok(), s, ": ", r.status().message());
  return *r;
}

TEST_CASE("ParseDuration reads fixed units as seconds") {
  CHECK(MustDuration("45s").seconds == 45);
  CHECK(MustDuration("90m").seconds == 5400);
  CHECK(MustDuration("12h").seconds == 43200);
  CHECK(MustDuration("4d").seconds == 345600);
  CHECK(MustDuration("2w").seconds == 1209600);
  CHECK(MustDuration("4d").months == 0);
}

TEST_CASE("ParseDuration reads mo and y as calendar months") {
  CHECK(MustDuration("1mo").months == 1);
  CHECK(MustDuration("1mo").seconds == 0);
  CHECK(MustDuration("1y").months == 12);
  CHECK(MustDuration("2y6mo").months == 30);
}

TEST_CASE("ParseDuration combines units") {
  CHECK(MustDuration("1d12h").seconds == 129600);
  CHECK(MustDuration("1h30m15s").seconds == 5415);
  const Duration d = MustDuration("1mo2d");
  CHECK(d.months == 1);
  CHECK(d.seconds == 172800);
  CHECK(MustDuration("0d1s").seconds == 1);
}

TEST_CASE("ParseDuration rejects zero, signs, junk and overflow") {
  for (const char* bad : {"", "0s", "0d0h", "5", "d", "-1d", "+1d", "1.5d", "1 d", " 1d", "1d ",
                          "1D", "1x", "1min", "1mon", "1dd", "1d-2h", "d1",
                          "99999999999999999999s", "9223372036854775807w", "153722867280912931m",
                          "10001y", "120001mo", "5000y5001y"}) {
    const auto r = ParseDuration(bad);
    CHECK_MESSAGE(!r.ok(), "accepted: '", bad, "'");
    if (!r.ok()) CHECK(r.status().kind() == Status::Kind::kInvalid);
  }
}

TEST_CASE("ParseDuration accepts up to the documented maximum") {
  CHECK(MustDuration("10000y").months == 120000);
  CHECK(MustDuration("3660000d").seconds == int64_t{3660000} * 86400);
}

TEST_CASE("AddDuration applies months with clamping, then seconds") {
  const UnixSeconds jan31 = MustParse("2025-01-31T10:00:00Z");
  CHECK(FormatRfc3339(AddDuration(jan31, MustDuration("1mo"))) == "2025-02-28T10:00:00Z");
  CHECK(FormatRfc3339(AddDuration(jan31, MustDuration("1mo1d"))) == "2025-03-01T10:00:00Z");
  CHECK(FormatRfc3339(AddDuration(jan31, MustDuration("1y"))) == "2026-01-31T10:00:00Z");
  CHECK(FormatRfc3339(AddDuration(jan31, MustDuration("4d"))) == "2025-02-04T10:00:00Z");
  CHECK(FormatRfc3339(AddDuration(jan31, MustDuration("90m"))) == "2025-01-31T11:30:00Z");
}

}  // namespace
}  // namespace jopay
