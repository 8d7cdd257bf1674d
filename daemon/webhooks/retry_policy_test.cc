#include "daemon/webhooks/retry_policy.h"

#include <doctest/doctest.h>

namespace jopay::webhooks {
namespace {

TEST_CASE("RetryDelay follows the schedule, about 3 days in all, then gives up") {
  int64_t expected[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
  int64_t total = 0;
  for (int n = 1; n < kMaxAttempts; ++n) {
    auto d = RetryDelay(n, 0.0);
    REQUIRE(d.has_value());
    CHECK(*d == expected[n - 1]);
    total += *d;
  }
  CHECK(total > 3 * 86400);
  CHECK(total < 4 * 86400);
  CHECK_FALSE(RetryDelay(kMaxAttempts, 0.0).has_value());
  CHECK_FALSE(RetryDelay(0, 0.0).has_value());
}

TEST_CASE("RetryDelay jitter stretches by at most 10 percent") {
  CHECK(*RetryDelay(2, 0.5) == 315);
  CHECK(*RetryDelay(9, 0.999) < 86400 + 8640);
  CHECK(*RetryDelay(9, 0.999) > 86400 + 8600);
  CHECK(*RetryDelay(1, 0.999) == 5);  // whole seconds
}

TEST_CASE("ParseRetryAfter reads seconds and HTTP dates, clamped") {
  CHECK(*ParseRetryAfter("120", 1000) == 120);
  CHECK(*ParseRetryAfter(" 7 ", 1000) == 7);
  CHECK(*ParseRetryAfter("0", 1000) == 1);
  CHECK(*ParseRetryAfter("9999999", 1000) == kMaxRetryAfterSeconds);
  // 2015-10-21T07:28:00Z is 1445412480.
  CHECK(*ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 60) == 60);
  CHECK(*ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 60) == 1);
  CHECK_FALSE(ParseRetryAfter("", 0).has_value());
  CHECK_FALSE(ParseRetryAfter("-5", 0).has_value());
  CHECK_FALSE(ParseRetryAfter("soon", 0).has_value());
}

TEST_CASE("Classify: 2xx delivered, 410 gone, anything else retried") {
  CHECK(Classify(200) == Outcome::kDelivered);
  CHECK(Classify(204) == Outcome::kDelivered);
  CHECK(Classify(299) == Outcome::kDelivered);
  CHECK(Classify(410) == Outcome::kGone);
  CHECK(Classify(301) == Outcome::kRetry);
  CHECK(Classify(500) == Outcome::kRetry);
  CHECK(Classify(429) == Outcome::kRetry);
  CHECK(Classify(0) == Outcome::kRetry);
}

}  // namespace
}  // namespace jopay::webhooks
