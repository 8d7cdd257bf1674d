#include "daemon/billing/transitions.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "daemon/billing/fake_billing_context.h"

namespace jopay {

using namespace jopay::testing;  // NOLINT: the fixtures of these tests

TEST_CASE("a new subscription pays its first period and renews on the anchored boundaries") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "active");
  CHECK(FormatRfc3339(s.current_period_end) == "2025-02-28T10:00:00Z");
  CHECK(ctx.events == std::vector<std::string>{"subscription.created"});
  CHECK(ctx.charges.at(0).idempotency_key == "sub_test:1738317600:1");
  Summary sum = RunUntil(s, kJan31 + 365 * kDay, ctx);
  CHECK(sum.renewed == 12);
  CHECK(sum.charged["eur"] == 12 * 1499);
  CHECK(FormatRfc3339(s.current_period_start) == "2026-01-31T10:00:00Z");
  CHECK(FormatRfc3339(ctx.charges.at(2).period_start) == "2025-03-31T10:00:00Z");
  CHECK(FormatRfc3339(ctx.charges.at(3).period_start) == "2025-04-30T10:00:00Z");
  CHECK(s.sequence == 13);
}

TEST_CASE("a failed first charge leaves the subscription incomplete and unannounced") {
  Subscription s = NewSub();
  FakeContext ctx;
  ctx.outcomes = {false};
  Status st = Start(s, kJan31, 0, Policy{}, ctx, nullptr);
  CHECK(st.kind() == Status::Kind::kPaymentFailed);
  CHECK(s.status == "incomplete");
  CHECK(ctx.events.empty());
  RunUntil(s, kJan31 + 2 * kDay, ctx);
  CHECK(s.status == "expired");
  CHECK(ctx.events.empty());
}

TEST_CASE("cancel at period end keeps access, then expires without a charge") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Cancel(s, false, std::string("too expensive"), kJan31 + kDay, ctx).ok());
  CHECK(s.status == "canceled");
  CHECK(s.cancel_at_period_end);
  CHECK(Cancel(s, false, std::nullopt, kJan31 + kDay, ctx).kind() == Status::Kind::kConflict);
  RunUntil(s, kJan31 + 60 * kDay, ctx);
  CHECK(s.status == "expired");
  CHECK(ctx.charges.size() == 1);
  CHECK(ctx.events.back() == "subscription.expired");
  CHECK(Cancel(s, true, std::nullopt, kJan31 + 61 * kDay, ctx).kind() == Status::Kind::kConflict);
}

TEST_CASE("immediate cancel and cancel of a past_due subscription end it now") {
  Subscription a = NewSub();
  FakeContext ctx;
  REQUIRE(Start(a, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Cancel(a, true, std::nullopt, kJan31 + kDay, ctx).ok());
  CHECK(a.status == "expired");
  CHECK_FALSE(a.next_action.has_value());

  Subscription b = NewSub();
  REQUIRE(Start(b, kJan31, 0, Policy{}, ctx, nullptr).ok());
  ctx.outcomes = {false};
  RunUntil(b, b.current_period_end, ctx);
  REQUIRE(b.status == "past_due");
  REQUIRE(Cancel(b, false, std::nullopt, b.current_period_start + kDay / 2, ctx).ok());
  CHECK(b.status == "expired");
}

TEST_CASE("a paused subscription canceled inside its paid period runs to the period end") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(s, kJan31 + kDay, ctx).ok());
  REQUIRE(Cancel(s, false, std::nullopt, kJan31 + 2 * kDay, ctx).ok());
  CHECK(s.status == "canceled");
  CHECK(s.cancel_at_period_end);
  CHECK_FALSE(s.paused_at.has_value());
  CHECK((*s.next_action == "expire" && *s.next_action_at == s.current_period_end));
  RunUntil(s, kJan31 + 60 * kDay, ctx);
  CHECK(s.status == "expired");
  CHECK(ctx.charges.size() == 1);

  // Paused past its period end, or as a trial: nothing paid is running, it ends now.
  Subscription late = NewSub();
  REQUIRE(Start(late, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(late, kJan31 + kDay, ctx).ok());
  REQUIRE(Cancel(late, false, std::nullopt, late.current_period_end + kDay, ctx).ok());
  CHECK(late.status == "expired");
  Subscription trial = NewSub();
  REQUIRE(Start(trial, kJan31, 14, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(trial, kJan31 + kDay, ctx).ok());
  REQUIRE(Cancel(trial, false, std::nullopt, kJan31 + 2 * kDay, ctx).ok());
  CHECK(trial.status == "expired");
}

TEST_CASE("a paid period survives pause and resume: ten pairs charge it once") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  const UnixSeconds end = s.current_period_end;  // Feb 28
  for (int i = 1; i <= 10; ++i) {
    REQUIRE(Pause(s, kJan31 + i * kDay, ctx).ok());
    CHECK(s.status == "paused");
    CHECK_FALSE(s.next_action_at.has_value());
    CHECK(Pause(s, kJan31 + i * kDay, ctx).kind() == Status::Kind::kConflict);
    REQUIRE(Resume(s, kJan31 + i * kDay + 3600, Policy{}, ctx, nullptr).ok());
    CHECK(s.status == "active");
    CHECK(*s.next_action == "renew");
    CHECK(*s.next_action_at == end);
  }
  CHECK(ctx.charges.size() == 1);  // the first period's charge only
  CHECK(s.current_period_end == end);
  CHECK(s.billing_anchor == kJan31);
  CHECK(Resume(s, kJan31 + 20 * kDay, Policy{}, ctx, nullptr).kind() == Status::Kind::kConflict);
  RunUntil(s, end, ctx);
  CHECK(ctx.charges.size() == 2);  // Feb 28: renewed on the original schedule
  CHECK(ctx.events.back() == "subscription.renewed");
}

TEST_CASE("resume after the paid period ended starts a new period, charged and announced") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(s, kJan31 + kDay, ctx).ok());
  UnixSeconds resume = kJan31 + 70 * kDay;
  REQUIRE(Resume(s, resume, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "active");
  CHECK(s.current_period_start == resume);
  CHECK(s.billing_anchor == resume);
  CHECK(s.schedule == 1);
  REQUIRE(ctx.charges.size() == 2);
  CHECK(ctx.charges.back().period_start == resume);
  CHECK(ctx.charges.back().idempotency_key.ends_with(":s1"));
  CHECK(ctx.events == std::vector<std::string>{"subscription.created", "subscription.paused",
                                               "subscription.resumed", "subscription.renewed"});
}

TEST_CASE("a trial paused and resumed with days left stays a trial, charged at its end") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 14, Policy{}, ctx, nullptr).ok());
  const UnixSeconds trial_end = *s.trial_end;
  REQUIRE(Pause(s, kJan31 + 2 * kDay, ctx).ok());
  REQUIRE(Resume(s, kJan31 + 5 * kDay, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "trialing");
  CHECK(ctx.charges.empty());
  CHECK(*s.next_action == "trial_reminder");  // paused before the reminder: still owed
  CHECK(*s.next_action_at == trial_end - 3 * kDay);
  // Paused again after the reminder went out: resuming does not send it twice.
  RunUntil(s, trial_end - 3 * kDay, ctx);
  REQUIRE(Pause(s, trial_end - 2 * kDay, ctx).ok());
  REQUIRE(Resume(s, trial_end - kDay, Policy{}, ctx, nullptr).ok());
  CHECK(*s.next_action == "renew");
  CHECK(*s.next_action_at == trial_end);
  RunUntil(s, trial_end, ctx);
  REQUIRE(ctx.charges.size() == 1);
  CHECK(ctx.charges[0].period_start == trial_end);
  CHECK(std::count(ctx.events.begin(), ctx.events.end(), "subscription.trial_ending") == 1);
  CHECK(ctx.events.back() == "subscription.renewed");
}

TEST_CASE("a trial resumed after the pause began and the reminder was due reminds at once") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 14, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(s, kJan31 + kDay, ctx).ok());
  REQUIRE(Resume(s, kJan31 + 12 * kDay, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "trialing");
  CHECK(ctx.events.back() == "subscription.trial_ending");
  CHECK(*s.next_action == "renew");
  CHECK(ctx.charges.empty());
}

TEST_CASE("a subscription paused past_due is charged a new period when resumed") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  ctx.outcomes = {false};
  RunUntil(s, s.current_period_end, ctx);
  REQUIRE(s.status == "past_due");
  UnixSeconds paused = s.current_period_start + kDay / 2;
  REQUIRE(Pause(s, paused, ctx).ok());
  REQUIRE(Resume(s, paused + 3600, Policy{}, ctx, nullptr).ok());  // inside the unpaid period
  CHECK(s.status == "active");
  CHECK(s.current_period_start == paused + 3600);
  CHECK_FALSE(s.first_failed_at.has_value());
  CHECK(ctx.charges.size() == 3);
  CHECK(ctx.events.back() == "subscription.renewed");
}

TEST_CASE("a resume whose charge fails starts dunning instead of refusing") {
  Subscription s = NewSub();
  FakeContext ctx;
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  REQUIRE(Pause(s, kJan31 + kDay, ctx).ok());
  ctx.outcomes = {false};
  REQUIRE(Resume(s, kJan31 + 40 * kDay, Policy{}, ctx, nullptr).ok());  // the period ended
  CHECK(s.status == "past_due");
  CHECK(*s.next_action == "retry");
  CHECK(ctx.events.back() == "subscription.payment_failed");
}

}  // namespace jopay
