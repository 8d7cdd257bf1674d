#include "daemon/billing/plan_change.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "daemon/billing/fake_billing_context.h"
#include "daemon/billing/transitions.h"

namespace jopay {

using namespace jopay::testing;  // NOLINT: the fixtures of these tests

namespace {

PlanTerms Terms(std::string id, int64_t amount, Interval interval = Interval::kMonth,
                std::string currency = "eur") {
  return {id, "Plan " + id, amount, std::move(currency), interval, 1, 0};
}

// An active monthly subscription on plan "basic" (1000), paid from January 31.
Subscription Active(FakeContext& ctx) {
  Subscription s = NewSub();
  SetTerms(s, Terms("basic", 1000));
  REQUIRE(Start(s, kJan31, 0, Policy{}, ctx, nullptr).ok());
  s.terms_changed = false;
  return s;
}

}  // namespace

TEST_CASE("an upgrade applies now, prorated; the period and its renewal stay where they were") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  auto c = PlanChangeFor(s, Terms("pro", 3000), {}, kJan31 + 14 * kDay);
  REQUIRE(c.ok());
  CHECK(c->kind == ChangeKind::kUpgrade);
  CHECK(c->now);
  CHECK(c->prorated);
  CHECK(c->proration.credit == 500);
  CHECK(c->proration.charge == 1500);
  CHECK((c->charge_start == kJan31 + 14 * kDay && c->charge_end == kJan31 + 28 * kDay));
  ApplyPlanChange(s, *c, ctx);
  CHECK((s.plan_id == "pro" && s.amount == 3000));
  CHECK(FormatRfc3339(s.current_period_end) == "2025-02-28T10:00:00Z");
  CHECK((s.next_action == "renew" && *s.next_action_at == s.current_period_end));
  CHECK(ctx.events.back() == "subscription.updated");
  REQUIRE(ctx.extras.back().previous_plan);
  CHECK(ctx.extras.back().previous_plan->plan_id == "basic");
  RunUntil(s, kJan31 + 28 * kDay, ctx);
  CHECK(ctx.charges.back().amount == 3000);  // the next period at the new price
}

TEST_CASE("a downgrade waits for the period end, shows as pending, and the renewal applies it") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  auto c = PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + 3 * kDay);
  REQUIRE(c.ok());
  CHECK(!c->now);
  CHECK(!c->prorated);
  ApplyPlanChange(s, *c, ctx);
  CHECK(s.plan_id == "basic");
  CHECK(s.amount == 1000);
  REQUIRE(s.pending_update);
  CHECK(s.pending_update->plan.plan_id == "lite");
  CHECK(s.pending_update->at == s.current_period_end);
  // Asked again: already scheduled; to the plan it is on: unchanged.
  CHECK(PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + 4 * kDay).status().code() ==
        "update_already_pending");
  CHECK(PlanChangeFor(s, Terms("basic", 1000), {}, kJan31 + 4 * kDay).status().code() ==
        "plan_unchanged");
  size_t charges = ctx.charges.size();
  RunUntil(s, kJan31 + 28 * kDay, ctx);
  CHECK(ctx.charges.size() == charges + 1);
  CHECK(ctx.charges.back().amount == 400);
  CHECK((s.plan_id == "lite" && !s.pending_update && s.terms_changed));
  CHECK(ctx.events.end()[-2] == "subscription.updated");
  CHECK(ctx.events.back() == "subscription.renewed");
  CHECK(ctx.extras.end()[-2].previous_plan->plan_id == "basic");
}

TEST_CASE("a scheduled change can be called off, and a later change replaces it") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  ApplyPlanChange(s, *PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + kDay), ctx);
  REQUIRE(CancelPendingUpdate(s, kJan31 + 2 * kDay, ctx).ok());
  CHECK(!s.pending_update);
  CHECK(CancelPendingUpdate(s, kJan31 + 2 * kDay, ctx).code() == "no_pending_update");
  ApplyPlanChange(s, *PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + 3 * kDay), ctx);
  auto up = PlanChangeFor(s, Terms("pro", 3000), {}, kJan31 + 4 * kDay);
  ApplyPlanChange(s, *up, ctx);
  CHECK((s.plan_id == "pro" && !s.pending_update));
  RunUntil(s, kJan31 + 28 * kDay, ctx);
  CHECK(ctx.charges.back().amount == 3000);
}

TEST_CASE("options: a downgrade now credits more than it charges; no proration switches alone") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  ChangeOptions now;
  now.at = ChangeTiming::kNow;
  auto down = PlanChangeFor(s, Terms("lite", 400), now, kJan31 + 14 * kDay);
  REQUIRE(down.ok());
  CHECK((down->now && down->prorated));
  CHECK(down->proration.net() == 200 - 500);
  ChangeOptions none;
  none.prorate = false;
  auto quiet = PlanChangeFor(s, Terms("pro", 3000), none, kJan31 + 14 * kDay);
  REQUIRE(quiet.ok());
  CHECK((quiet->now && !quiet->prorated));
  ChangeOptions later;
  later.at = ChangeTiming::kPeriodEnd;
  CHECK(!PlanChangeFor(s, Terms("pro", 3000), later, kJan31 + kDay)->now);
}

TEST_CASE("a change of interval starts a new period now when it costs more than the credit") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  auto yearly = PlanChangeFor(s, Terms("year", 10000, Interval::kYear), {}, kJan31 + 7 * kDay);
  REQUIRE(yearly.ok());
  CHECK((yearly->kind == ChangeKind::kInterval && yearly->now && yearly->new_period));
  CHECK(yearly->proration.credit == 750);
  CHECK(yearly->proration.charge == 10000);
  int64_t schedule = s.schedule;
  ApplyPlanChange(s, *yearly, ctx);
  CHECK(s.schedule == schedule + 1);  // its charges never share a key with the old schedule's
  CHECK(FormatRfc3339(s.current_period_start) == "2025-02-07T10:00:00Z");
  CHECK(FormatRfc3339(s.current_period_end) == "2026-02-07T10:00:00Z");
  CHECK((s.status == "active" && *s.next_action_at == s.current_period_end));
  // Back to monthly a month later: the credit (11 months) beats a month's price, so it waits.
  auto monthly = PlanChangeFor(s, Terms("basic", 1000), {}, kJan31 + 38 * kDay);
  REQUIRE(monthly.ok());
  CHECK(!monthly->now);
  ApplyPlanChange(s, *monthly, ctx);
  RunUntil(s, kJan31 + 372 * kDay, ctx);  // the yearly period ends 2026-02-07
  CHECK(ctx.charges.back().amount == 1000);
  // The monthly periods are a schedule of their own: their first is not the subscription's.
  CHECK(s.schedule == schedule + 2);
  CHECK(ctx.charges.back().schedule == s.schedule);
  CHECK(FormatRfc3339(s.current_period_start) == "2026-02-07T10:00:00Z");
  CHECK(FormatRfc3339(s.current_period_end) == "2026-03-07T10:00:00Z");
}

TEST_CASE("a change of currency waits for the period end; now only without proration") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  PlanTerms usd = Terms("usd", 1100, Interval::kMonth, "usd");
  auto c = PlanChangeFor(s, usd, {}, kJan31 + kDay);
  REQUIRE(c.ok());
  CHECK((c->kind == ChangeKind::kCurrency && !c->now));
  ChangeOptions now;
  now.at = ChangeTiming::kNow;
  CHECK(PlanChangeFor(s, usd, now, kJan31 + kDay).status().code() == "currency_change_now");
  now.prorate = false;
  CHECK(PlanChangeFor(s, usd, now, kJan31 + kDay).ok());
}

TEST_CASE("a change without proration to another interval keeps the paid period, then re-anchors") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  ChangeOptions none;
  none.prorate = false;
  ApplyPlanChange(s, *PlanChangeFor(s, Terms("week", 300, Interval::kWeek), none, kJan31 + kDay),
                  ctx);
  CHECK(FormatRfc3339(s.current_period_end) == "2025-02-28T10:00:00Z");
  // Paused and resumed inside the paid period: it goes on as paid, not as a trial.
  REQUIRE(Pause(s, kJan31 + 2 * kDay, ctx).ok());
  REQUIRE(Resume(s, kJan31 + 3 * kDay, Policy{}, ctx, nullptr).ok());
  CHECK(s.status == "active");
  CHECK(*s.next_action_at == s.current_period_end);
  size_t charges = ctx.charges.size();
  RunUntil(s, kJan31 + 35 * kDay, ctx);
  CHECK(ctx.charges.size() == charges + 2);  // Feb 28 and Mar 7: weekly from the old end
  CHECK(FormatRfc3339(ctx.charges.back().period_start) == "2025-03-07T10:00:00Z");
  CHECK(ctx.charges.back().amount == 300);
}

TEST_CASE("refused: every status but active and trialing, the plan it is on, a charge out") {
  FakeContext ctx;
  PlanTerms pro = Terms("pro", 3000);
  for (auto [status, code] : {std::pair{"canceled", "subscription_canceled"},
                              {"expired", "subscription_expired"},
                              {"incomplete", "subscription_incomplete"},
                              {"past_due", "subscription_past_due"},
                              {"paused", "subscription_paused"}}) {
    Subscription s = Active(ctx);
    s.status = status;
    CHECK(PlanChangeFor(s, pro, {}, kJan31 + kDay).status().code() == code);
  }
  Subscription s = Active(ctx);
  s.next_action = std::string(next_action::kCharge);
  CHECK(PlanChangeFor(s, pro, {}, kJan31 + kDay).status().code() == "charge_in_flight");
  Subscription push = Active(ctx);
  push.rail = "lightning";
  CHECK(PlanChangeFor(push, pro, {}, kJan31 + kDay).status().code() == "plan_change_unsupported");
}

TEST_CASE("an upgrade awaiting its charge: shown, kept from renewals, applied as it was asked") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  UnixSeconds asked = kJan31 + 14 * kDay;
  auto c = PlanChangeFor(s, Terms("pro", 3000, Interval::kYear), {.at = ChangeTiming::kNow}, asked);
  REQUIRE(c.ok());
  REQUIRE(c->new_period);
  AwaitPlanChange(s, *c, "py_1", ctx);
  CHECK((s.plan_id == "basic" && s.amount == 1000));  // nothing applies before it is paid
  REQUIRE(s.pending_update);
  CHECK(*s.pending_update->awaiting_payment == "py_1");
  CHECK(ctx.events.back() == "subscription.updated");
  CHECK(PendingUpdateView(s.pending_update).as_object().at("at") == "2025-02-14T10:00:00Z");
  // Its stored form reads back whole.
  auto back = ParsePendingUpdate(PendingUpdateJson(*s.pending_update));
  REQUIRE(back);
  CHECK((*back->awaiting_payment == "py_1" && back->new_period && back->requested_at == asked));
  // Nothing else may change the plan or call it off while the charge is out.
  CHECK(PlanChangeFor(s, Terms("lite", 400), {}, asked + 1).status().code() == "charge_in_flight");
  CHECK(CancelPendingUpdate(s, asked + 1, ctx).code() == "charge_in_flight");
  // A renewal does not take it as the next period's change.
  Subscription renewed = s;
  ApplyPendingUpdate(renewed, kJan31 + 28 * kDay, ctx);
  CHECK(renewed.plan_id == "basic");
  // Paid: it applies from when it was asked, a new yearly period from then.
  ApplyPlanChange(s, AwaitedChange(*back), ctx);
  CHECK((s.plan_id == "pro" && !s.pending_update));
  CHECK(s.current_period_start == asked);
  CHECK(FormatRfc3339(s.current_period_end) == "2026-02-14T10:00:00Z");
  CHECK(ctx.extras.back().previous_plan->plan_id == "basic");
}

TEST_CASE("in a trial every change applies now, and the trial converts at the new price") {
  FakeContext ctx;
  Subscription s = NewSub();
  SetTerms(s, Terms("basic", 1000));
  REQUIRE(Start(s, kJan31, 14, Policy{}, ctx, nullptr).ok());
  auto down = PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + kDay);
  REQUIRE(down.ok());
  CHECK((down->now && !down->prorated));
  ApplyPlanChange(s, *down, ctx);
  CHECK((s.status == "trialing" && s.amount == 400));
  RunUntil(s, kJan31 + 14 * kDay, ctx);
  CHECK(ctx.charges.size() == 1);
  CHECK(ctx.charges.back().amount == 400);

  // Scheduled for the trial's end on another interval: the first paid period is still the
  // first of the subscription's schedule (billed as its first), from the trial's end.
  Subscription t = NewSub();
  SetTerms(t, Terms("basic", 1000));
  REQUIRE(Start(t, kJan31, 14, Policy{}, ctx, nullptr).ok());
  ChangeOptions later;
  later.at = ChangeTiming::kPeriodEnd;
  ApplyPlanChange(t, *PlanChangeFor(t, Terms("year", 10000, Interval::kYear), later,
                                    kJan31 + kDay), ctx);
  REQUIRE(t.pending_update);
  RunUntil(t, kJan31 + 14 * kDay, ctx);
  CHECK(ctx.charges.back().amount == 10000);
  CHECK(ctx.charges.back().schedule == 0);
  CHECK(ctx.charges.back().period_start == t.Boundary(0));
  CHECK(FormatRfc3339(t.current_period_end) == "2026-02-14T10:00:00Z");
}

TEST_CASE("a pending change whose period ends during a pause applies when the resume charges") {
  FakeContext ctx;
  Subscription s = Active(ctx);
  ApplyPlanChange(s, *PlanChangeFor(s, Terms("lite", 400), {}, kJan31 + kDay), ctx);
  REQUIRE(Pause(s, kJan31 + 2 * kDay, ctx).ok());
  REQUIRE(Resume(s, kJan31 + 40 * kDay, Policy{}, ctx, nullptr).ok());
  CHECK(ctx.charges.back().amount == 400);
  CHECK((s.plan_id == "lite" && !s.pending_update));
  // A cancel drops a pending change: no period on the new plan will come. (Back to basic is
  // an upgrade, which would apply now: it is scheduled for the period end on purpose.)
  ChangeOptions later;
  later.at = ChangeTiming::kPeriodEnd;
  ApplyPlanChange(s, *PlanChangeFor(s, Terms("basic", 1000), later, kJan31 + 50 * kDay), ctx);
  CHECK((s.pending_update && s.plan_id == "lite"));
  REQUIRE(Cancel(s, false, std::nullopt, kJan31 + 51 * kDay, ctx).ok());
  CHECK(!s.pending_update);
}

TEST_CASE("the pending update's stored form reads back as written") {
  PendingUpdate u{Terms("lite", 400, Interval::kWeek, "usd"), kJan31 + 9, kJan31, std::nullopt,
                  false};
  u.plan.interval_count = 2;
  u.plan.grace_days = 3;
  auto back = ParsePendingUpdate(PendingUpdateJson(u));
  REQUIRE(back);
  CHECK(back->plan.plan_id == "lite");
  CHECK(back->plan.plan_name == "Plan lite");
  CHECK(back->plan.amount == 400);
  CHECK(back->plan.currency == "usd");
  CHECK(back->plan.interval == Interval::kWeek);
  CHECK(back->plan.interval_count == 2);
  CHECK(back->plan.grace_days == 3);
  CHECK((back->at == kJan31 + 9 && back->requested_at == kJan31));
  CHECK(!ParsePendingUpdate("{\"plan_id\": 3}"));
  CHECK(!ParsePendingUpdate("not json"));
}

// ---- The property: what the customer paid is the time spent on each price. ----

namespace {

// Integrates the price in force over the time the customer had paid for: a paid period's
// price spread evenly over its seconds, from each state of the subscription to the next.
class PriceInForce {
 public:
  // The state of `s` from `at` on.
  void Observe(const Subscription& s, UnixSeconds at) {
    Close(at);
    open_ = Segment{at, s.amount, s.current_period_start, s.current_period_end, Paid(s)};
  }
  // The sum up to `until` (or the end of the paid period, when that is later: it was paid).
  double Total(UnixSeconds until) {
    if (open_ && open_->paid) until = std::max(until, open_->end);
    Close(until);
    return total_;
  }

 private:
  struct Segment {
    UnixSeconds from;
    int64_t amount;
    UnixSeconds start, end;
    bool paid;
  };
  static bool Paid(const Subscription& s) {
    using namespace sub_status;
    // A trial (period -1 ending at trial_end) was not paid for, also when it is canceled (it
    // runs to its end at no charge) or paused.
    if (s.period_index < 0 && s.trial_end && s.current_period_end == *s.trial_end) return false;
    if (s.status == kActive || s.status == kCanceled) return true;
    // A paused paid period keeps running (resume continues it; a cancel lets it run out).
    return s.status == kPaused && !s.first_failed_at;
  }
  void Close(UnixSeconds to) {
    if (!open_ || !open_->paid) return;
    UnixSeconds a = std::max(open_->from, open_->start), b = std::min(to, open_->end);
    if (b > a) total_ += double(open_->amount) * double(b - a) / double(open_->end - open_->start);
  }
  std::optional<Segment> open_;
  double total_ = 0;
};

struct Run {
  double paid = 0;
  double in_force = 0;
  int prorated_changes = 0;
};

// Two years of random upgrades, downgrades, interval changes, pauses, resumes and a cancel,
// all at their default timing, with every due action run at its time in between.
Run RandomRun(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<PlanTerms> plans = {
      Terms("m1", 999), Terms("m2", 1499), Terms("m3", 2999), Terms("m4", 4999),
      Terms("y1", 9999, Interval::kYear), Terms("y2", 29999, Interval::kYear)};
  FakeContext ctx;
  Subscription s = NewSub();
  SetTerms(s, plans[rng() % plans.size()]);
  int trial = rng() % 3 == 0 ? 7 : 0;
  REQUIRE(Start(s, kJan31, trial, Policy{}, ctx, nullptr).ok());
  PriceInForce model;
  Run run;
  model.Observe(s, kJan31);
  UnixSeconds now = kJan31, end = kJan31 + 2 * 365 * kDay;
  while (now < end) {
    now = std::min(end, now + 3600 + static_cast<int64_t>(rng() % (25 * kDay)));
    Summary sum;
    while (s.next_action_at && *s.next_action_at <= now) {
      UnixSeconds at = *s.next_action_at;
      RunDueAction(s, at, Policy{}, ctx, sum);
      model.Observe(s, at);
    }
    int op = static_cast<int>(rng() % 20);
    if (op < 12) {
      auto c = PlanChangeFor(s, plans[rng() % plans.size()], {}, now);
      if (!c.ok()) continue;
      ApplyPlanChange(s, *c, ctx);
      if (c->prorated) {
        ++run.prorated_changes;
        run.paid += double(std::max<int64_t>(0, c->proration.net()));
      }
    } else if (op < 15) {
      if (!Pause(s, now, ctx).ok()) continue;
    } else if (op < 19) {
      if (!Resume(s, now, Policy{}, ctx, nullptr).ok()) continue;
    } else if (rng() % 4 == 0) {
      if (!Cancel(s, false, std::nullopt, now, ctx).ok()) continue;
    }
    model.Observe(s, now);
  }
  for (const ChargeRequest& r : ctx.charges) run.paid += double(r.amount);
  run.in_force = model.Total(end);
  return run;
}

}  // namespace

TEST_CASE("over two years of random changes the customer pays the time spent on each price") {
  int changes = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Run run = RandomRun(seed);
    INFO("seed " << seed << ": paid " << run.paid << ", in force " << run.in_force << ", "
                 << run.prorated_changes << " prorated changes");
    CHECK(std::abs(run.paid - run.in_force) <= run.prorated_changes + 1e-6);
    changes += run.prorated_changes;
  }
  CHECK(changes > 300);  // the runs did change plans
}

}  // namespace jopay
