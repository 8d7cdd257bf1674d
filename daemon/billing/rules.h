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

}  // namespace jopay
