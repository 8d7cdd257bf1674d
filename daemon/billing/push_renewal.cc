#include "daemon/billing/push_renewal.h"

#include <fmt/core.h>

#include <algorithm>

#include "daemon/billing/renewal.h"

namespace jopay {

using namespace sub_status;  // NOLINT: the statuses read better unqualified here

namespace {

// Tells the customer where to pay (subscription.payment_due); attempt 2.. are reminders.
void EmitPaymentDue(Subscription& s, const PushDue& due, UnixSeconds due_at, int attempt,
                    const Policy& policy, BillingContext& ctx) {
  EventExtras x;
  x.attempt = attempt;
  x.payment_id = due.payment_id;
  x.pay_url = policy.public_url + "/pay/" + due.payment_id;
  x.due_at = due_at;
  EmitEvent(s, ctx, "subscription.payment_due", x);
}

// Asks for the charge of the current period (kept if it exists) and, when it is new, tells
// the customer. A provider that cannot make one is told as a failed payment would be.
PushDue AskForOpenPeriod(Subscription& s, const Policy& policy, BillingContext& ctx,
                         Summary& summary) {
  PushDue due = ctx.RequestPush(
      s, PushChargeRequestFor(s, s.current_period_start, s.current_period_end));
  if (due.created) {
    EmitPaymentDue(s, due, s.current_period_start, 1, policy, ctx);
    ++summary.work["invoices_sent"];
  }
  return due;
}

void Renewed(Subscription& s, UnixSeconds now, int attempt, const Policy& policy,
             BillingContext& ctx, Summary* summary) {
  MarkPaid(s);
  SchedulePushInvoice(s, now, policy);
  if (summary) {
    ++summary->renewed;
    summary->charged[s.currency] += s.amount;
  }
  EmitEvent(s, ctx, "subscription.renewed", {std::nullopt, attempt, std::nullopt});
}

}  // namespace

ChargeRequest PushChargeRequestFor(const Subscription& s, UnixSeconds start, UnixSeconds end) {
  ChargeRequest r;
  r.amount = s.amount;
  r.currency = s.currency;
  r.attempt = 1;  // one charge per period: reminders point at the same one
  r.period_start = start;
  r.period_end = end;
  r.schedule = s.schedule;
  r.idempotency_key = fmt::format("{}:{}:1", s.id, start);
  if (s.schedule > 0) r.idempotency_key += fmt::format(":s{}", s.schedule);
  return r;
}

void SchedulePushInvoice(Subscription& s, UnixSeconds now, const Policy& policy) {
  UnixSeconds length = s.current_period_end - s.current_period_start;
  UnixSeconds lead = std::min(policy.push_lead, length / 2);
  s.Schedule(next_action::kInvoice, std::max(now, s.current_period_end - lead));
}

void InvoiceNextPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                       Summary& summary) {
  (void)now;
  s.Schedule(next_action::kRenew, s.current_period_end);
  if (s.cancel_at_period_end) return;  // it ends at the period's end: nothing more to pay
  UnixSeconds start = s.current_period_end;
  PushDue due = ctx.RequestPush(s, PushChargeRequestFor(s, start, s.Boundary(s.period_index + 2)));
  if (due.created) {
    EmitPaymentDue(s, due, start, 1, policy, ctx);
    ++summary.work["invoices_sent"];
  }
}

void RenewPushPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                     Summary& summary) {
  if (s.cancel_at_period_end) {
    Expire(s, now, ctx, &summary);
    return;
  }
  bool paid = ctx.PushPaid(s, s.current_period_end);
  s.SetPeriod(s.period_index + 1);  // from a trial (index -1) this is the first paid period
  if (paid) {
    Renewed(s, now, 1, policy, ctx, &summary);
    return;
  }
  AskForOpenPeriod(s, policy, ctx, summary);  // not asked yet: a resume, a short period
  if (s.status == kTrialing) s.status = kActive;  // access goes on through the grace period
  s.retry_count = 0;
  s.first_failed_at.reset();
  UnixSeconds overdue_at = s.current_period_start + int64_t{s.grace_days} * 86400;
  if (overdue_at > now) {
    s.Schedule(next_action::kRetry, overdue_at);
  } else {
    PushDunningStep(s, now, policy, ctx, summary);
  }
}

void PushDunningStep(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                     Summary& summary) {
  const auto& offsets = policy.retry_offsets;
  if (s.status != kPastDue) {  // the grace period is over
    s.status = kPastDue;
    s.retry_count = 0;
    s.first_failed_at = now;
    ++summary.failed;
    ChargeOutcome overdue = ChargeOutcome::Failed(
        "payment_overdue", "The period's invoice was not paid by the end of its grace period.");
    std::optional<UnixSeconds> next;
    if (!offsets.empty()) next = now + offsets[0];
    EmitEvent(s, ctx, "subscription.payment_failed", {overdue, 1, next});
    if (next) s.Schedule(next_action::kRetry, *next);
    else Expire(s, now, ctx, &summary);
    return;
  }
  size_t done = static_cast<size_t>(++s.retry_count);
  if (done >= offsets.size()) {  // the last offset: no more reminders
    Expire(s, now, ctx, &summary);
    return;
  }
  // After downtime keep at least the planned gap, as card retries do.
  UnixSeconds next = std::max(*s.first_failed_at + offsets[done],
                              now + offsets[done] - offsets[done - 1]);
  s.Schedule(next_action::kRetry, next);
  PushDue due = ctx.RequestPush(
      s, PushChargeRequestFor(s, s.current_period_start, s.current_period_end));
  EmitPaymentDue(s, due, s.current_period_start, static_cast<int>(done) + 1, policy, ctx);
  ++summary.work["payment_reminders"];
}

PushApplied ApplyPushPayment(Subscription& s, int64_t schedule, UnixSeconds period_start,
                             UnixSeconds now, const Policy& policy, BillingContext& ctx,
                             Summary* summary) {
  if (s.schedule != schedule || s.Ended()) return PushApplied::kUnapplied;
  s.updated_at = now;
  if (s.status == kIncomplete) {  // the first payment: its first period begins now
    s.billing_anchor = now;
    s.SetPeriod(0);
    MarkPaid(s);
    SchedulePushInvoice(s, now, policy);
    EmitEvent(s, ctx, "subscription.created");
    return PushApplied::kStarted;
  }
  if (s.status == kPaused || s.status == kCanceled) return PushApplied::kUnapplied;
  const bool waiting = s.next_action == next_action::kInvoice ||
                       s.next_action == next_action::kRenew;
  if (period_start == s.current_period_end && waiting) return PushApplied::kAhead;
  if (period_start == s.current_period_start && s.next_action == next_action::kRetry) {
    Renewed(s, now, s.retry_count + 1, policy, ctx, summary);
    return PushApplied::kRenewed;
  }
  return PushApplied::kUnapplied;
}

}  // namespace jopay
