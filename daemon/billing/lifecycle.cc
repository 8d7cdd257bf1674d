#include "daemon/billing/lifecycle.h"

#include <fmt/core.h>

#include <algorithm>

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

namespace {

void Emit(Subscription& s, BillingContext& ctx, std::string_view type,
          const EventExtras& extras = {}) {
  ++s.sequence;
  ctx.Emit(s, type, extras);
}

void Expire(Subscription& s, UnixSeconds now, BillingContext& ctx, Summary* summary) {
  // A subscription that never started was never announced: it ends silently.
  bool announced = s.status != kIncomplete;
  s.status = kExpired;
  s.ended_at = now;
  s.ClearSchedule();
  if (summary) ++summary->expired;
  if (announced) Emit(s, ctx, "subscription.expired");
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

// The current period is paid: back to active, the next renewal at its end.
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
  Emit(s, ctx, "subscription.trial_ending");  // shorter trial: remind at once
  if (summary) ++summary->reminders;
  s.Schedule(next_action::kRenew, *s.trial_end);
}

// First failure of a period: past_due, retries from now on the policy's schedule.
void StartDunning(Subscription& s, const ChargeOutcome& out, UnixSeconds now,
                  const Policy& policy, BillingContext& ctx, Summary* summary) {
  s.status = kPastDue;
  s.retry_count = 0;
  s.first_failed_at = now;
  if (policy.retry_offsets.empty()) {  // no retries: straight to the end of the grace period
    Emit(s, ctx, "subscription.payment_failed", {out, 1, std::nullopt});
    UnixSeconds grace_end = now + int64_t{s.grace_days} * 86400;
    if (grace_end > now) s.Schedule(next_action::kExpire, grace_end);
    else Expire(s, now, ctx, summary);
    return;
  }
  UnixSeconds next = now + policy.retry_offsets[0];
  s.Schedule(next_action::kRetry, next);
  Emit(s, ctx, "subscription.payment_failed", {out, 1, next});
}

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
    Emit(s, ctx, "subscription.payment_failed", {out, attempt, next});
    return;
  }
  Emit(s, ctx, "subscription.payment_failed", {out, attempt, std::nullopt});
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
  s.SetPeriod(s.period_index + 1);  // from a trial (index -1) this is the first paid period
  ChargeOutcome out = ChargePeriod(s, 1, ctx, &summary);
  if (out.paid) {
    MarkPaid(s);
    Emit(s, ctx, "subscription.renewed", {std::nullopt, 1, std::nullopt});
  } else {
    StartDunning(s, out, now, policy, ctx, &summary);
  }
}

void RetryPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                 Summary& summary) {
  int attempt = s.retry_count + 2;
  ChargeOutcome out = ChargePeriod(s, attempt, ctx, &summary);
  if (out.paid) {
    MarkPaid(s);  // the period keeps its anchored boundaries
    Emit(s, ctx, "subscription.renewed", {std::nullopt, attempt, std::nullopt});
  } else {
    FailRetry(s, out, attempt, now, policy, ctx, &summary);
  }
}

// The period the pause interrupted is still running and owes nothing: a paid period (or a
// trial) simply goes on, and its renewal (or the trial's end) comes at its own end.
void ContinuePeriod(Subscription& s, UnixSeconds paused_at, UnixSeconds now, const Policy& policy,
                    BillingContext& ctx, Summary* summary) {
  bool trial = s.period_index < 0;
  s.status = trial ? kTrialing : kActive;
  Emit(s, ctx, "subscription.resumed");
  if (!trial) {
    s.Schedule(next_action::kRenew, s.current_period_end);
    return;
  }
  // The trial_ending reminder is sent once: only when the pause came before it was due.
  if (paused_at < *s.trial_end - policy.trial_reminder_lead) {
    ScheduleTrialWork(s, now, policy, ctx, summary);
  } else {
    s.Schedule(next_action::kRenew, *s.trial_end);
  }
}

// Nothing paid is running (the period or trial ended during the pause, or it was paused
// past_due): a new schedule starts now and its first period is charged now.
void StartNewSchedule(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                      Summary* summary) {
  s.retry_count = 0;
  s.first_failed_at.reset();
  s.billing_anchor = now;
  ++s.schedule;
  s.SetPeriod(0);
  ChargeOutcome out = ChargePeriod(s, 1, ctx, summary);
  if (out.paid) {
    MarkPaid(s);
    Emit(s, ctx, "subscription.resumed");
    Emit(s, ctx, "subscription.renewed", {std::nullopt, 1, std::nullopt});
  } else {
    s.status = kPastDue;
    Emit(s, ctx, "subscription.resumed");
    StartDunning(s, out, now, policy, ctx, summary);
  }
}

}  // namespace

Status Start(Subscription& s, UnixSeconds now, int trial_days, const Policy& policy,
             BillingContext& ctx, Summary* summary) {
  s.created_at = s.updated_at = now;
  if (trial_days > 0) {
    s.status = kTrialing;
    s.trial_start = now;
    s.trial_end = now + int64_t{trial_days} * 86400;
    s.billing_anchor = *s.trial_end;  // paid periods are anchored at the trial's end
    s.period_index = -1;
    s.current_period_start = now;
    s.current_period_end = *s.trial_end;
    Emit(s, ctx, "subscription.created");
    ScheduleTrialWork(s, now, policy, ctx, summary);
    return Status::Ok();
  }
  s.billing_anchor = now;
  s.SetPeriod(0);
  ChargeOutcome out = ChargePeriod(s, 1, ctx, summary);
  if (!out.paid) {
    s.status = kIncomplete;
    s.Schedule(next_action::kExpire, now + policy.incomplete_ttl);
    return Status::PaymentFailed(out.failure_code, out.failure_message);
  }
  MarkPaid(s);
  Emit(s, ctx, "subscription.created");
  return Status::Ok();
}

void RunDueAction(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                  Summary& summary) {
  if (!s.next_action) return;
  const std::string action = *s.next_action;
  s.updated_at = now;
  if (action == next_action::kTrialReminder) {
    Emit(s, ctx, "subscription.trial_ending");
    ++summary.reminders;
    s.Schedule(next_action::kRenew, *s.trial_end);
  } else if (action == next_action::kRenew) {
    RenewPeriod(s, now, policy, ctx, summary);
  } else if (action == next_action::kRetry) {
    RetryPeriod(s, now, policy, ctx, summary);
  } else if (action == next_action::kExpire) {
    Expire(s, now, ctx, &summary);
  }
}

Status Cancel(Subscription& s, bool immediate, std::optional<std::string> reason,
              UnixSeconds now, BillingContext& ctx) {
  if (s.status == kExpired) {
    return Status::Conflict("The subscription has already expired.", "subscription_expired");
  }
  if (s.status == kCanceled && !immediate) {
    return Status::Conflict("The subscription is already canceled at period end.",
                            "already_canceled");
  }
  s.updated_at = now;
  s.canceled_at = now;
  if (reason) s.cancel_reason = std::move(reason);
  // No paid period is running for these, so there is nothing to let run out.
  bool ends_now = immediate || s.status == kPastDue || s.status == kPaused ||
                  s.status == kIncomplete;
  if (ends_now) {
    Expire(s, now, ctx, nullptr);
    return Status::Ok();
  }
  s.status = kCanceled;
  s.cancel_at_period_end = true;
  s.Schedule(next_action::kExpire, s.current_period_end);
  Emit(s, ctx, "subscription.cancelled");
  return Status::Ok();
}

Status Pause(Subscription& s, UnixSeconds now, BillingContext& ctx) {
  if (s.status != kActive && s.status != kTrialing && s.status != kPastDue) {
    return Status::Conflict(
        fmt::format("Only an active, trialing or past_due subscription can be paused; this one "
                    "is {}.", s.status));
  }
  s.status = kPaused;
  s.paused_at = now;
  s.updated_at = now;
  s.retry_count = 0;
  // first_failed_at stays: it tells Resume that the period was left unpaid (paused past_due).
  s.ClearSchedule();
  Emit(s, ctx, "subscription.paused");
  return Status::Ok();
}

Status Resume(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
              Summary* summary) {
  if (s.status != kPaused) {
    return Status::Conflict(
        fmt::format("Only a paused subscription can be resumed; this one is {}.", s.status));
  }
  UnixSeconds paused_at = s.paused_at.value_or(now);
  s.paused_at.reset();
  s.updated_at = now;
  bool unpaid = s.first_failed_at.has_value();
  if (!unpaid && now < s.current_period_end) {
    ContinuePeriod(s, paused_at, now, policy, ctx, summary);
  } else {
    StartNewSchedule(s, now, policy, ctx, summary);
  }
  return Status::Ok();
}

}  // namespace jopay
