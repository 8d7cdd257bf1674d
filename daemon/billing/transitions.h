// The transitions a caller asks for: start a new subscription (trial or first charge), cancel,
// pause and resume. Pure functions over a Subscription, like the due actions of renewal.h
// whose steps they share; the engine runs them inside one writer transaction.
#pragma once

#include "common/status.h"
#include "daemon/billing/rules.h"

namespace jopay {

// A new subscription: `sub` holds its ids, the plan's price and interval. With trial_days > 0
// it starts trialing (reminder scheduled, or written at once when the trial is shorter than the
// lead); otherwise the first period is charged now. A failed first charge leaves it
// `incomplete` (expiring after Policy::incomplete_ttl) and returns kPaymentFailed.
Status Start(Subscription& sub, UnixSeconds now, int trial_days, const Policy& policy,
             BillingContext& ctx, Summary* summary);

// Cancel at period end (default) or immediately. Subscriptions with no paid period running
// (past_due, incomplete, a paused trial, paused past_due or paused past its period end) end
// at once either way; a paused one inside a paid period is canceled and runs to its end, like
// an active one (it was paid for). Expired ones -> kConflict.
Status Cancel(Subscription& sub, bool immediate, std::optional<std::string> reason,
              UnixSeconds now, BillingContext& ctx);
// Pause: no charges until resumed. From trialing, active or past_due. The period in progress
// keeps running on its own schedule while paused (it is not extended).
Status Pause(Subscription& sub, UnixSeconds now, BillingContext& ctx);
// Resume a paused subscription. A period that was paid (or a trial) and has not ended goes on:
// active (trialing) again, renewed (converted) at its own end, never charged twice. When it
// ended during the pause, or was paused unpaid (past_due), a new schedule starts now and its
// first period is charged now (subscription.resumed, then subscription.renewed); a failed
// charge starts dunning (past_due) rather than refusing the resume.
Status Resume(Subscription& sub, UnixSeconds now, const Policy& policy, BillingContext& ctx,
              Summary* summary);

}  // namespace jopay
