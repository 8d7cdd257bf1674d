#include "daemon/billing/transitions.h"

#include <fmt/core.h>

#include "daemon/billing/plan_change.h"
#include "daemon/billing/renewal.h"

namespace jopay {

using namespace sub_status;  // NOLINT: the statuses read better unqualified here

namespace {

// A trial is period -1 ending at trial_end; a paid period can be -1 too (imported, or
// re-anchored by a plan change) and has no trial to go back to.
bool InTrial(const Subscription& s) {
  return s.period_index < 0 && s.trial_end && s.current_period_end == *s.trial_end;
}

// Whether a paused subscription still has a paid period running: one paid (not paused
// past_due) and not yet ended. Resume continues it; a cancel lets it run out.
bool PausedInPaidPeriod(const Subscription& s, UnixSeconds now) {
  return s.status == kPaused && !s.first_failed_at && now < s.current_period_end && !InTrial(s);
}

// The period the pause interrupted is still running and owes nothing: a paid period (or a
// trial) simply goes on, and its renewal (or the trial's end) comes at its own end.
void ContinuePeriod(Subscription& s, UnixSeconds paused_at, UnixSeconds now, const Policy& policy,
                    BillingContext& ctx, Summary* summary) {
  bool trial = InTrial(s);
  s.status = trial ? kTrialing : kActive;
  EmitEvent(s, ctx, "subscription.resumed");
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
  ApplyPendingUpdate(s, now, ctx);  // a change scheduled for the period that ended meanwhile
  s.billing_anchor = now;
  ++s.schedule;
  s.SetPeriod(0);
  ChargeOutcome out = ChargePeriod(s, 1, ctx, summary);
  if (out.pending) {  // active while the charge is with the provider; its answer decides
    s.status = kActive;
    EmitEvent(s, ctx, "subscription.resumed");
    return;
  }
  if (out.paid) {
    MarkPaid(s);
    EmitEvent(s, ctx, "subscription.resumed");
    EmitEvent(s, ctx, "subscription.renewed", {std::nullopt, 1, std::nullopt});
  } else {
    s.status = kPastDue;
    EmitEvent(s, ctx, "subscription.resumed");
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
    EmitEvent(s, ctx, "subscription.created");
    ScheduleTrialWork(s, now, policy, ctx, summary);
    return Status::Ok();
  }
  s.billing_anchor = now;
  s.SetPeriod(0);
  ChargeOutcome out = ChargePeriod(s, 1, ctx, summary);
  if (out.pending) {  // the answer starts it (ApplyChargeAnswer)
    s.status = kIncomplete;
    return Status::Ok();
  }
  if (!out.paid) {
    s.status = kIncomplete;
    s.Schedule(next_action::kExpire, now + policy.incomplete_ttl);
    return Status::PaymentFailed(out.failure_code, out.failure_message);
  }
  MarkPaid(s);
  EmitEvent(s, ctx, "subscription.created");
  return Status::Ok();
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
  s.pending_update.reset();  // no period on a new plan will come
  // No paid period is running for these, so there is nothing to let run out. A paused one
  // whose paid period has not ended keeps it: it was paid for, and canceled runs to its end.
  bool ends_now = immediate || s.status == kPastDue || s.status == kIncomplete ||
                  (s.status == kPaused && !PausedInPaidPeriod(s, now));
  if (ends_now) {
    Expire(s, now, ctx, nullptr);
    return Status::Ok();
  }
  s.paused_at.reset();
  s.status = kCanceled;
  s.cancel_at_period_end = true;
  s.Schedule(next_action::kExpire, s.current_period_end);
  EmitEvent(s, ctx, "subscription.cancelled");
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
  EmitEvent(s, ctx, "subscription.paused");
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
