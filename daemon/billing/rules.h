// What the subscription rules (renewal.h, transitions.h) work with: the billing policy, a
// charge request, the extras an event carries, and the BillingContext through which the rules
// charge and write events. The rules touch no database themselves: the engine runs them with a
// context that writes into the writer's open transaction, the unit tests with a fake, and the
// dry run with one that records nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/billing/subscription.h"
#include "daemon/providers/provider.h"

namespace jopay {

struct Policy {
  // Dunning retries, as offsets from the first failure (default +1d, +3d, +5d).
  std::vector<int64_t> retry_offsets = {86400, 3 * 86400, 5 * 86400};
  int64_t trial_reminder_lead = 3 * 86400;  // subscription.trial_ending this long before the end
  int64_t incomplete_ttl = 23 * 3600;       // an unpaid new subscription expires after this
  // Push rails: a period's invoice is asked for this long before the period begins (at most
  // half a period before: a daily plan's invoice comes 12 h ahead), and stays payable this
  // long after the customer is told (then the same charge is offered again, unchanged).
  int64_t push_lead = 3 * 86400;
  // jopayd's public URL: push charges are paid on its /pay/{payment_id} page (events carry
  // that URL) and their providers call back to its /public/webhook/{provider}.
  std::string public_url;
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
  // subscription.payment_due (push rails): the charge to pay, its page and when it is due.
  std::optional<std::string> payment_id;
  std::string pay_url;
  std::optional<UnixSeconds> due_at;
  // subscription.updated by a plan change: the plan it moved from.
  std::optional<PlanTerms> previous_plan;
};

// A push rail's charge for one period (RequestPush): its pending payment, or one already paid.
struct PushDue {
  std::string payment_id;
  bool created = false;  // asked for just now (else: the one recorded earlier for the period)
  bool paid = false;
  bool refused = false;  // no place to pay could be had (failure says why)
  ChargeOutcome failure;
};

class BillingContext {
 public:
  virtual ~BillingContext() = default;
  // Charges the subscription's saved method and records the payment row. Returns the outcome
  // already recorded under the same idempotency key instead of charging again.
  virtual ChargeOutcome Charge(const Subscription& sub, const ChargeRequest& req) = 0;
  // Records an event about `sub` (sub.sequence is already bumped for it) at time `at`.
  virtual void Emit(const Subscription& sub, std::string_view type, const EventExtras& extras) = 0;

  // Push rails (push_renewal.h). Records the pending payment of `req`'s period with a place to
  // pay it (asked of the rail's provider: at once from the sandbox, else after the commit), or
  // returns the one already recorded under the same key.
  virtual PushDue RequestPush(const Subscription& sub, const ChargeRequest& req) {
    (void)sub, (void)req;
    return {"", false, false, true, ChargeOutcome::Failed("provider_unavailable", "No push rail here.")};
  }
  // Whether the push charge of the period starting at `period_start` (sub's schedule) is paid.
  virtual bool PushPaid(const Subscription& sub, UnixSeconds period_start) {
    (void)sub, (void)period_start;
    return false;
  }
};

}  // namespace jopay
