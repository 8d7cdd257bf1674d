#include "daemon/billing/renewal.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "daemon/billing/fake_billing_context.h"
#include "daemon/billing/transitions.h"

namespace jopay {

using namespace jopay::testing;  // NOLINT: the fixtures of these tests

TEST_CASE("a 7-day trial reminds on day 4 and charges on day 7") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 7, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "trialing");
  CHECK(ctx.charges.empty());
  CHECK(*s.next_action == "trial_reminder");
  CHECK(*s.next_action_at == kJan31 + 4 * kDay);
  RunUntil(s, kJan31 + 6 * kDay, ctx);
  CHECK(ctx.events.back() == "subscription.trial_ending");
  CHECK(ctx.charges.empty());
  RunUntil(s, kJan31 + 7 * kDay, ctx);
  REQUIRE(ctx.charges.size() == 1);
  CHECK(ctx.charges[0].period_start == kJan31 + 7 * kDay);
  CHECK(s.status == "active");
  CHECK(FormatRfc3339(s.current_period_end) == "2025-03-07T10:00:00Z");
}

TEST_CASE("a trial shorter than the reminder lead reminds at once") {
  Subscription s = NewSub();
  FakeContext ctx;
  Summary sum;
  REQUIRE(Start(s, kJan31, 2, Policy{}, ctx, &sum).ok());
  CHECK(ctx.events == std::vector<std::string>{"subscription.created", "subscription.trial_ending"});
  CHECK(sum.reminders == 1);
  CHECK(*s.next_action == "renew");
}

TEST_CASE("dunning retries at +1d, +3d, +5d from the first failure, then expires") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  ctx.outcomes = {false, false, false, false};
  UnixSeconds fail = s.current_period_end;
  Summary sum = RunUntil(s, fail + 10 * kDay, ctx);
  REQUIRE(ctx.charges.size() == 5);
  CHECK(ctx.charges[2].attempt == 2);
  CHECK(ctx.charges[4].attempt == 4);
  CHECK(ctx.charges[4].idempotency_key.ends_with(":4"));
  CHECK(sum.failed == 4);
  CHECK(sum.retried == 3);
  CHECK(sum.expired == 1);
  CHECK(s.status == "expired");
  CHECK(*s.ended_at == fail + 5 * kDay);
  // events: created, then one payment_failed per attempt, then expired
  REQUIRE(ctx.events.size() == 6);
  CHECK(*ctx.extras[1].next_retry_at == fail + kDay);
  CHECK(*ctx.extras[2].next_retry_at == fail + 3 * kDay);
  CHECK(*ctx.extras[3].next_retry_at == fail + 5 * kDay);
  CHECK(ctx.extras[4].attempt == 4);
  CHECK_FALSE(ctx.extras[4].next_retry_at.has_value());
  CHECK(ctx.events.back() == "subscription.expired");
}

TEST_CASE("a retry that succeeds keeps the original anchor") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  ctx.outcomes = {false, true};
  RunUntil(s, s.current_period_end + 2 * kDay, ctx);
  CHECK(s.status == "active");
  CHECK(FormatRfc3339(s.current_period_start) == "2025-02-28T10:00:00Z");
  CHECK(FormatRfc3339(*s.next_action_at) == "2025-03-31T10:00:00Z");
  CHECK(ctx.events.back() == "subscription.renewed");
}

TEST_CASE("the grace period delays expiry after the last retry") {
  Subscription s = NewSub();
  s.grace_days = 10;
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  UnixSeconds fail = s.current_period_end;
  ctx.outcomes = {false, false, false, false};
  RunUntil(s, fail + 6 * kDay, ctx);
  CHECK(s.status == "past_due");
  CHECK(*s.next_action == "expire");
  CHECK(*s.next_action_at == fail + 10 * kDay);
}

}  // namespace jopay
