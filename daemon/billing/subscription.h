// A subscription as the billing engine sees it: its stored row plus the few joined fields
// (customer email, plan name, saved card) that events and views need.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/period.h"
#include "common/time.h"

namespace jopay {

// Statuses, spelled as the public API spells them.
namespace sub_status {
inline constexpr std::string_view kIncomplete = "incomplete";
inline constexpr std::string_view kTrialing = "trialing";
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kPastDue = "past_due";
inline constexpr std::string_view kCanceled = "canceled";
inline constexpr std::string_view kPaused = "paused";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kAll[] = {kIncomplete, kTrialing, kActive, kPastDue,
                                            kCanceled,   kPaused,   kExpired};
}  // namespace sub_status

// The one piece of future work the clock owes a subscription.
namespace next_action {
inline constexpr std::string_view kRenew = "renew";                   // charge the next period
inline constexpr std::string_view kRetry = "retry";                   // dunning retry
inline constexpr std::string_view kTrialReminder = "trial_reminder";  // trial ends in 3 days
inline constexpr std::string_view kExpire = "expire";                 // end it
// A charge through a network provider is in flight: the clock owes nothing (no
// next_action_at); the charge's answer moves the subscription on (renewal.h ApplyChargeAnswer).
inline constexpr std::string_view kCharge = "charge";
// A push rail (Lightning, on-chain): ask for the next period's invoice, `push_lead` before the
// period ends, and tell the customer (subscription.payment_due); then `renew` at the end.
inline constexpr std::string_view kInvoice = "invoice";
}  // namespace next_action

// A plan's terms as a subscription copies them, when it starts on a plan or moves to one
// (plan_change.h): later changes to the plan do not reach it.
struct PlanTerms {
  std::string plan_id;
  std::string plan_name;
  int64_t amount = 0;
  std::string currency;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  int grace_days = 0;
};

// A plan change waiting for the end of the paid period (plan_change.h): the next period is
// the new plan's, at its price and on its interval.
//
// Or an upgrade made now whose proration is charged through a network provider (Stripe,
// PayPal): it waits for that charge (awaiting_payment), applies from requested_at when the
// charge is paid and is called off when it is declined (engine_plan_change.h).
struct PendingUpdate {
  PlanTerms plan;
  UnixSeconds at = 0;            // the end of the period it was scheduled in
  UnixSeconds requested_at = 0;
  std::optional<std::string> awaiting_payment;  // the proration's payment id
  bool new_period = false;       // awaiting: the change starts a new period at requested_at
};

struct Subscription {
  std::string id;
  bool livemode = false;
  std::string customer_id;
  std::string customer_email;
  std::string plan_id;
  std::string plan_name;
  std::optional<std::string> payment_method_id;
  std::string provider;      // of the saved method, "" when none
  std::string provider_ref;
  std::string provider_customer;  // the provider's customer the method belongs to (Stripe)
  std::string card_brand;
  std::string card_last4;
  // How the customer pays: "card" (pulled on jopayd's schedule) or a push rail, "lightning" /
  // "onchain" (the customer pays an invoice each period; push_renewal.h).
  std::string rail = "card";

  std::string status;
  int64_t amount = 0;
  std::string currency;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  int grace_days = 0;

  // The current period is [boundary(period_index), boundary(period_index + 1)) of the schedule
  // anchored at billing_anchor (common/period.h); stored start/end mirror it for queries.
  UnixSeconds billing_anchor = 0;
  int64_t period_index = 0;
  UnixSeconds current_period_start = 0;
  UnixSeconds current_period_end = 0;
  std::optional<UnixSeconds> trial_start;
  std::optional<UnixSeconds> trial_end;

  bool cancel_at_period_end = false;
  std::optional<UnixSeconds> canceled_at;
  std::optional<std::string> cancel_reason;
  std::optional<UnixSeconds> ended_at;
  std::optional<UnixSeconds> paused_at;

  std::optional<std::string> next_action;
  std::optional<UnixSeconds> next_action_at;
  int retry_count = 0;  // failed retries so far in this dunning run
  std::optional<UnixSeconds> first_failed_at;

  int64_t rowid = 0;     // the store's row number (keyset paging of due work)
  int64_t schedule = 0;  // bumped when a resume starts a new billing schedule
  int64_t sequence = 0;  // bumped by every event about this subscription
  std::string metadata = "{}";  // a JSON object of strings
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::optional<PendingUpdate> pending_update;
  // Not stored: the plan's terms changed in memory (a pending update applied at a renewal), so
  // the row must be saved whole (SaveSubscription), not only its due state.
  bool terms_changed = false;

  UnixSeconds Boundary(int64_t n) const {
    return PeriodBoundary(billing_anchor, interval, interval_count, n);
  }
  // Moves to period `index` of the schedule and mirrors its start and end.
  void SetPeriod(int64_t index) {
    period_index = index;
    current_period_start = Boundary(index);
    current_period_end = Boundary(index + 1);
  }
  void Schedule(std::string_view action, UnixSeconds at) {
    next_action = std::string(action);
    next_action_at = at;
  }
  void ClearSchedule() {
    next_action.reset();
    next_action_at.reset();
  }
  bool Ended() const { return status == sub_status::kExpired; }
  bool Push() const { return rail == "lightning" || rail == "onchain"; }
};

// What one run of due work did (jopayctl renew / clock advance print it).
struct Summary {
  int64_t renewed = 0;    // successful charges: renewals, trial conversions, successful retries
  int64_t failed = 0;     // failed charges
  int64_t retried = 0;    // charges that were dunning retries
  int64_t expired = 0;    // subscriptions that ended
  int64_t reminders = 0;  // subscription.trial_ending events
  std::map<std::string, int64_t> charged;  // currency -> minor units collected
  std::map<std::string, int64_t> work;     // other DueWork done, e.g. "sessions_expired" -> 3
  void Add(const Summary& o);
};

}  // namespace jopay
