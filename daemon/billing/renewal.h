// Where a period is renewed, retried or expired: the due actions the billing clock runs
// (renew at period end, dunning retries, the trial reminder, expiry), and the steps the other
// transitions (transitions.h) share with them. Pure functions over a Subscription; charges and
// events go through the BillingContext (rules.h).
//
//   trialing --trial end--> charge --paid--> active --period end--> charge ...
//                              \--declined--> past_due --retry +1d, +3d, +5d--> ...
//                                                 \--last retry declined (+ grace)--> expired
//   canceled --period end--> expired (never charged)
#pragma once

#include "daemon/billing/rules.h"

namespace jopay {

// Runs the due next_action at time `now` (the caller checked next_action_at <= now).
void RunDueAction(Subscription& sub, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                  Summary& summary);

// A charge sent through a network provider was answered (paid or declined): the
// subscription moves on as it would have at once with an instant provider: renewed, or into
// dunning (attempt 1) or its next retry (attempt 2..); a first charge (incomplete) starts
// the subscription (subscription.created) or lets it expire. The caller checked AwaitsCharge.
void ApplyChargeAnswer(Subscription& s, int attempt, const ChargeOutcome& out, UnixSeconds now,
                       const Policy& policy, BillingContext& ctx, Summary* summary);
// Whether `s` still waits for the charge of period (schedule, period_start): not paused,
// canceled or moved on since it was sent.
bool AwaitsCharge(const Subscription& s, int64_t schedule, UnixSeconds period_start);

// Steps shared with transitions.h.

// Bumps the subscription's sequence and writes event `type` about it.
void EmitEvent(Subscription& s, BillingContext& ctx, std::string_view type,
               const EventExtras& extras = {});
// Charges the current period (attempt 1 = first try, 2.. = retries) under the key
// "<sub>:<period_start>:<attempt>[:s<schedule>]", counting it in `summary` when given.
ChargeOutcome ChargePeriod(Subscription& s, int attempt, BillingContext& ctx, Summary* summary);
// The current period is paid: active, dunning cleared, the next renewal at its end.
void MarkPaid(Subscription& s);
// First failure of a period: past_due, retries from `now` on the policy's schedule
// (subscription.payment_failed), or expiry when there are none and no grace.
void StartDunning(Subscription& s, const ChargeOutcome& out, UnixSeconds now,
                  const Policy& policy, BillingContext& ctx, Summary* summary);
// Ends the subscription now (subscription.expired, unless it never started).
void Expire(Subscription& s, UnixSeconds now, BillingContext& ctx, Summary* summary);
// A trial's next step: the trial_ending reminder, or (a trial shorter than the lead) the
// reminder now and the conversion charge at the trial's end.
void ScheduleTrialWork(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                       Summary* summary);

}  // namespace jopay
