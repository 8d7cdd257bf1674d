#include "daemon/billing/renewal.h"

#include <fmt/core.h>

#include <algorithm>

#include "daemon/billing/plan_change.h"
#include "daemon/billing/push_renewal.h"

namespace jopay {

using namespace sub_status;  // NOLINT: the statuses read better unqualified here

void Summary::Add(const Summary& o) {
  renewed += o.renewed;
  failed += o.failed;
  retried += o.retried;
  expired += o.expired;
  reminders += o.reminders;
  for (const auto& [cur, amount] : o.charged) charged[cur] += amount;
  for (const auto& [name, n] : o.work) work[name] += n;
}

void EmitEvent(Subscription& s, BillingContext& ctx, std::string_view type,
               const EventExtras& extras) {
  ++s.sequence;
  ctx.Emit(s, type, extras);
}

void Expire(Subscription& s, UnixSeconds now, BillingContext& ctx, Summary* summary) {
  // A subscription that never started was never announced: it ends silently.
  bool announced = s.status != kIncomplete;
  s.status = kExpired;
  s.ended_at = now;
  s.ClearSchedule();
  if (s.pending_update) {  // a plan change scheduled for a period that will not come
    s.pending_update.reset();
    s.terms_changed = true;
  }
  if (summary) ++summary->expired;
  if (announced) EmitEvent(s, ctx, "subscription.expired");
}

ChargeOutcome ChargePeriod(Subscription& s, int attempt, BillingContext& ctx, Summary* summary) {
  ChargeRequest req;
  req.amount = s.amount;
  req.currency = s.currency;
  req.attempt = attempt;
  req.period_start = s.current_period_start;
  req.period_end = s.current_period_end;
  req.schedule = s.schedule;
  req.idempotency_key = fmt::format("{}:{}:{}", s.id, s.current_period_start, attempt);
  if (s.schedule > 0) req.idempotency_key += fmt::format(":s{}", s.schedule);
  ChargeOutcome out = ctx.Charge(s, req);
  if (out.pending) {
    // Sent by the charge sender; the subscription waits for the answer (ApplyChargeAnswer).
    s.next_action = std::string(next_action::kCharge);
    s.next_action_at.reset();
    if (summary) ++summary->work["charges_sent"];
    return out;
  }
  if (summary) {
    if (out.paid) {
      ++summary->renewed;
      summary->charged[s.currency] += s.amount;
    } else {
      ++summary->failed;
    }
    if (attempt > 1) ++summary->retried;
  }
  return out;
}

void MarkPaid(Subscription& s) {
  s.status = kActive;
  s.retry_count = 0;
  s.first_failed_at.reset();
  s.Schedule(next_action::kRenew, s.current_period_end);
}

void ScheduleTrialWork(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                       Summary* summary) {
  UnixSeconds remind_at = *s.trial_end - policy.trial_reminder_lead;
  if (remind_at > now) {
    s.Schedule(next_action::kTrialReminder, remind_at);
    return;
  }
  EmitEvent(s, ctx, "subscription.trial_ending");  // shorter trial: remind at once
  if (summary) ++summary->reminders;
  s.Schedule(next_action::kRenew, *s.trial_end);
}

void StartDunning(Subscription& s, const ChargeOutcome& out, UnixSeconds now,
                  const Policy& policy, BillingContext& ctx, Summary* summary) {
  s.status = kPastDue;
  s.retry_count = 0;
  s.first_failed_at = now;
  if (policy.retry_offsets.empty()) {  // no retries: straight to the end of the grace period
    EmitEvent(s, ctx, "subscription.payment_failed", {out, 1, std::nullopt});
    UnixSeconds grace_end = now + int64_t{s.grace_days} * 86400;
    if (grace_end > now) s.Schedule(next_action::kExpire, grace_end);
    else Expire(s, now, ctx, summary);
    return;
  }
  UnixSeconds next = now + policy.retry_offsets[0];
  s.Schedule(next_action::kRetry, next);
  EmitEvent(s, ctx, "subscription.payment_failed", {out, 1, next});
}

namespace {

void FailRetry(Subscription& s, const ChargeOutcome& out, int attempt, UnixSeconds now,
               const Policy& policy, BillingContext& ctx, Summary* summary) {
  size_t done = static_cast<size_t>(++s.retry_count);
  if (done < policy.retry_offsets.size()) {
    // Offsets count from the first failure; after downtime keep at least the planned gap
    // instead of firing every overdue retry in the same second.
    UnixSeconds planned = *s.first_failed_at + policy.retry_offsets[done];
    UnixSeconds gap = policy.retry_offsets[done] - policy.retry_offsets[done - 1];
    UnixSeconds next = std::max(planned, now + gap);
    s.Schedule(next_action::kRetry, next);
    EmitEvent(s, ctx, "subscription.payment_failed", {out, attempt, next});
    return;
  }
  EmitEvent(s, ctx, "subscription.payment_failed", {out, attempt, std::nullopt});
  UnixSeconds grace_end = *s.first_failed_at + int64_t{s.grace_days} * 86400;
  if (grace_end > now) {
    s.Schedule(next_action::kExpire, grace_end);  // access lasts until the grace period ends
  } else {
    Expire(s, now, ctx, summary);
  }
}

void RenewPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                 Summary& summary) {
  if (s.cancel_at_period_end) {
    Expire(s, now, ctx, &summary);
    return;
  }
  ApplyPendingUpdate(s, now, ctx);  // a downgrade scheduled for this period end
  s.SetPeriod(s.period_index + 1);  // from a trial (index -1) this is the first paid period
  ChargeOutcome out = ChargePeriod(s, 1, ctx, &summary);
  if (out.pending) return;
  if (out.paid) {
    MarkPaid(s);
    EmitEvent(s, ctx, "subscription.renewed", {std::nullopt, 1, std::nullopt});
  } else {
    StartDunning(s, out, now, policy, ctx, &summary);
  }
}

void RetryPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                 Summary& summary) {
  int attempt = s.retry_count + 2;
  ChargeOutcome out = ChargePeriod(s, attempt, ctx, &summary);
  if (out.pending) return;
  if (out.paid) {
    MarkPaid(s);  // the period keeps its anchored boundaries
    EmitEvent(s, ctx, "subscription.renewed", {std::nullopt, attempt, std::nullopt});
  } else {
    FailRetry(s, out, attempt, now, policy, ctx, &summary);
  }
}

}  // namespace

bool AwaitsCharge(const Subscription& s, int64_t schedule, UnixSeconds period_start) {
  return s.next_action == next_action::kCharge && s.schedule == schedule &&
         s.current_period_start == period_start;
}

void ApplyChargeAnswer(Subscription& s, int attempt, const ChargeOutcome& out, UnixSeconds now,
                       const Policy& policy, BillingContext& ctx, Summary* summary) {
  s.updated_at = now;
  if (summary) {
    if (out.paid) {
      ++summary->renewed;
      summary->charged[s.currency] += s.amount;
    } else {
      ++summary->failed;
    }
    if (attempt > 1) ++summary->retried;
  }
  if (s.status == kIncomplete) {  // a first charge
    if (out.paid) {
      MarkPaid(s);
      EmitEvent(s, ctx, "subscription.created");
    } else {
      s.Schedule(next_action::kExpire, now + policy.incomplete_ttl);
    }
    return;
  }
  if (out.paid) {
    MarkPaid(s);
    EmitEvent(s, ctx, "subscription.renewed", {std::nullopt, attempt, std::nullopt});
  } else if (attempt == 1) {
    StartDunning(s, out, now, policy, ctx, summary);
  } else {
    FailRetry(s, out, attempt, now, policy, ctx, summary);
  }
}

void RunDueAction(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                  Summary& summary) {
  if (!s.next_action) return;
  const std::string action = *s.next_action;
  s.updated_at = now;
  if (action == next_action::kTrialReminder) {
    EmitEvent(s, ctx, "subscription.trial_ending");
    ++summary.reminders;
    if (s.Push()) SchedulePushInvoice(s, now, policy);
    else s.Schedule(next_action::kRenew, *s.trial_end);
  } else if (action == next_action::kInvoice) {
    InvoiceNextPeriod(s, now, policy, ctx, summary);
  } else if (action == next_action::kRenew) {
    if (s.Push()) RenewPushPeriod(s, now, policy, ctx, summary);
    else RenewPeriod(s, now, policy, ctx, summary);
  } else if (action == next_action::kRetry) {
    if (s.Push()) PushDunningStep(s, now, policy, ctx, summary);
    else RetryPeriod(s, now, policy, ctx, summary);
  } else if (action == next_action::kExpire) {
    Expire(s, now, ctx, &summary);
  }
}

}  // namespace jopay
