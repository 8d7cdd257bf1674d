// The subscription state machine: every transition of DESIGN.md's billing model, as pure
// functions over a Subscription. They touch no database: charging and writing events go
// through a BillingContext, so the rules are unit-tested with a fake and run for real by the
// engine inside one writer transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/billing/subscription.h"
#include "daemon/providers/provider.h"

namespace jopay {

struct Policy {
  // Dunning retries, as offsets from the first failure (default +1d, +3d, +5d).
  std::vector<int64_t> retry_offsets = {86400, 3 * 86400, 5 * 86400};
  int64_t trial_reminder_lead = 3 * 86400;  // subscription.trial_ending this long before the end
  int64_t incomplete_ttl = 23 * 3600;       // an unpaid new subscription expires after this
};

struct ChargeRequest {
  int64_t amount = 0;
  std::string currency;
  int attempt = 1;  // 1 = first try of the period, 2.. = retries
  UnixSeconds period_start = 0;
  UnixSeconds period_end = 0;
  int64_t schedule = 0;
  // "<subscription>:<period_start>:<attempt>", plus ":s<schedule>" after a resume (a resumed
  // period may start in the same second as an earlier one and must not share its key).
  std::string idempotency_key;
};

// Extra fields an event carries besides the subscription snapshot.
struct EventExtras {
  std::optional<ChargeOutcome> failure;  // subscription.payment_failed
  int attempt = 0;
  std::optional<UnixSeconds> next_retry_at;
};

class BillingContext {
 public:
  virtual ~BillingContext() = default;
  // Charges the subscription's saved method and records the payment row. Returns the outcome
  // already recorded under the same idempotency key instead of charging again.
  virtual ChargeOutcome Charge(const Subscription& sub, const ChargeRequest& req) = 0;
  // Records an event about `sub` (sub.sequence is already bumped for it) at time `at`.
  virtual void Emit(const Subscription& sub, std::string_view type, const EventExtras& extras) = 0;
};

// A new subscription: `sub` holds its ids, the plan's price and interval. With trial_days > 0
// it starts trialing (reminder scheduled, or written at once when the trial is shorter than the
// lead); otherwise the first period is charged now. A failed first charge leaves it
// `incomplete` (expiring after Policy::incomplete_ttl) and returns kPaymentFailed.
Status Start(Subscription& sub, UnixSeconds now, int trial_days, const Policy& policy,
             BillingContext& ctx, Summary* summary);

// Runs the due next_action at time `now` (the caller checked next_action_at <= now).
void RunDueAction(Subscription& sub, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                  Summary& summary);

// Cancel at period end (default) or immediately. Subscriptions with no paid period running
// (past_due, paused, incomplete) end at once either way. Expired ones -> kConflict.
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
