#include "daemon/billing/push_renewal.h"

#include <doctest/doctest.h>

#include <map>

#include "daemon/billing/fake_billing_context.h"
#include "daemon/billing/renewal.h"

namespace jopay {

using namespace jopay::testing;  // NOLINT: the fixtures of these tests

namespace {

// A push rail's charges as the store would keep them: one per (schedule, period start).
class PushContext : public FakeContext {
 public:
  std::map<UnixSeconds, bool> charges_by_period;  // period start -> paid
  std::vector<ChargeRequest> asked;

  PushDue RequestPush(const Subscription&, const ChargeRequest& r) override {
    auto [it, created] = charges_by_period.emplace(r.period_start, false);
    if (created) asked.push_back(r);
    return {"pay_" + std::to_string(r.period_start), created, it->second, false, {}};
  }
  bool PushPaid(const Subscription&, UnixSeconds start) override {
    auto it = charges_by_period.find(start);
    return it != charges_by_period.end() && it->second;
  }
};

Subscription ActiveLightning(PushContext& ctx, const Policy& policy) {
  Subscription s = NewSub();
  s.rail = "lightning";
  s.status = "incomplete";
  s.grace_days = 3;
  ctx.RequestPush(s, PushChargeRequestFor(s, kJan31, kJan31 + 28 * kDay));
  ctx.charges_by_period[kJan31] = true;
  REQUIRE(ApplyPushPayment(s, 0, kJan31, kJan31, policy, ctx, nullptr) == PushApplied::kStarted);
  return s;
}

}  // namespace

TEST_CASE("push: the first payment starts the subscription and dates its period") {
  PushContext ctx;
  Policy policy;
  Subscription s = ActiveLightning(ctx, policy);
  CHECK(s.status == "active");
  CHECK(s.current_period_start == kJan31);
  CHECK(FormatRfc3339(s.current_period_end) == "2025-02-28T10:00:00Z");  // Jan 31 anchor clamps
  // Invoiced 3 days before the period ends.
  CHECK(*s.next_action == "invoice");
  CHECK(*s.next_action_at == s.current_period_end - 3 * kDay);
  CHECK(ctx.events == std::vector<std::string>{"subscription.created"});
}

TEST_CASE("push: a period paid ahead renews at its start, never asked for twice") {
  PushContext ctx;
  Policy policy;
  Subscription s = ActiveLightning(ctx, policy);
  UnixSeconds end = s.current_period_end;
  RunUntil(s, end - 3 * kDay, ctx, policy);
  REQUIRE(ctx.asked.size() == 2);
  CHECK(ctx.asked[1].period_start == end);
  CHECK(ctx.events.back() == "subscription.payment_due");
  CHECK(*ctx.extras.back().payment_id == "pay_" + std::to_string(end));
  CHECK(*ctx.extras.back().due_at == end);
  ctx.charges_by_period[end] = true;
  CHECK(ApplyPushPayment(s, 0, end, end - kDay, policy, ctx, nullptr) == PushApplied::kAhead);
  Summary sum = RunUntil(s, end, ctx, policy);
  CHECK(sum.renewed == 1);
  CHECK(s.current_period_start == end);
  CHECK(ctx.events.back() == "subscription.renewed");
  CHECK(ctx.asked.size() == 2);
  CHECK(ctx.charges.empty());  // a push subscription is never charged like a card
}

TEST_CASE("push: unpaid, grace keeps it active, then past_due, reminders, expired") {
  PushContext ctx;
  Policy policy;  // retries +1d, +3d, +5d
  Subscription s = ActiveLightning(ctx, policy);
  UnixSeconds end = s.current_period_end;
  RunUntil(s, end + 2 * kDay, ctx, policy);
  CHECK(s.status == "active");
  CHECK(s.current_period_start == end);
  RunUntil(s, end + 3 * kDay, ctx, policy);
  CHECK(s.status == "past_due");
  CHECK(ctx.events.back() == "subscription.payment_failed");
  CHECK(ctx.extras.back().failure->failure_code == "payment_overdue");
  RunUntil(s, end + 7 * kDay, ctx, policy);
  int reminders = 0;
  for (size_t i = 0; i < ctx.events.size(); ++i) {
    if (ctx.events[i] == "subscription.payment_due" && ctx.extras[i].attempt > 1) ++reminders;
  }
  CHECK(reminders == 2);
  CHECK(s.status == "past_due");
  RunUntil(s, end + 8 * kDay, ctx, policy);
  CHECK(s.status == "expired");
  CHECK(ctx.asked.size() == 2);  // the reminders pointed at the same charge
  ctx.charges_by_period[end] = true;
  CHECK(ApplyPushPayment(s, 0, end, end + 9 * kDay, policy, ctx, nullptr) ==
        PushApplied::kUnapplied);
}

TEST_CASE("push: paying while past_due renews the open period and invoices the next") {
  PushContext ctx;
  Policy policy;
  Subscription s = ActiveLightning(ctx, policy);
  UnixSeconds end = s.current_period_end;
  RunUntil(s, end + 4 * kDay, ctx, policy);
  REQUIRE(s.status == "past_due");
  ctx.charges_by_period[end] = true;
  Summary sum;
  CHECK(ApplyPushPayment(s, 0, end, end + 4 * kDay, policy, ctx, &sum) == PushApplied::kRenewed);
  CHECK(s.status == "active");
  CHECK(sum.renewed == 1);
  CHECK(*s.next_action == "invoice");
  CHECK(*s.next_action_at == s.current_period_end - 3 * kDay);
  // A charge of another schedule (before a resume) pays nothing now.
  CHECK(ApplyPushPayment(s, 1, end, end + 5 * kDay, policy, ctx, nullptr) ==
        PushApplied::kUnapplied);
}

TEST_CASE("push: a daily plan is invoiced half a period ahead, a canceled one not at all") {
  PushContext ctx;
  Policy policy;
  Subscription s = NewSub();
  s.rail = "onchain";
  s.interval = Interval::kDay;
  s.status = "incomplete";
  ctx.charges_by_period[kJan31] = true;
  REQUIRE(ApplyPushPayment(s, 0, kJan31, kJan31, policy, ctx, nullptr) == PushApplied::kStarted);
  CHECK(*s.next_action_at == kJan31 + kDay / 2);
  s.cancel_at_period_end = true;
  RunUntil(s, kJan31 + kDay, ctx, policy);
  CHECK(ctx.asked.empty());
  CHECK(s.status == "expired");
}

}  // namespace jopay
