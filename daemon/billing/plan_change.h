// Plan changes: a subscription moves to another plan, now or when its paid period ends. Pure
// functions over a Subscription, like transitions.h; the engine (engine_plan_change.h) loads
// the plan, bills the proration (proration.h) and saves.
//
// When a change applies unless the caller says (ChangeOptions::at):
//   trialing                       now: nothing was paid; the trial ends into the new price
//   upgrade (higher price, same interval and currency)    now, prorated
//   same price                     now (there is nothing to prorate)
//   downgrade (lower price)        at the period end: the paid period runs out on the old plan
//   interval (same currency)       now, starting a new period from now, when that period costs
//                                  more than the unused credit; otherwise at the period end
//   currency                       at the period end (a credit in one currency cannot pay a
//                                  charge in another; `at now` needs proration none)
// A change at the period end is a pending_update, shown on the subscription and applied when
// the next paid period starts (ApplyPendingUpdate); a later change replaces it, and
// CancelPendingUpdate drops it. Without proration (ChangeOptions::prorate false) a change
// made now moves the subscription to the new plan's terms at once with no credit and no
// charge: the paid period runs to its end and the next one is the new plan's (on a new
// interval, the new schedule starts at that end).
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/billing/proration.h"
#include "daemon/billing/rules.h"

namespace jopay {

enum class ChangeTiming { kDefault, kNow, kPeriodEnd };

struct ChangeOptions {
  bool prorate = true;
  ChangeTiming at = ChangeTiming::kDefault;
};

// What a change does, decided before anything changes.
struct PlanChange {
  PlanTerms to;
  ChangeKind kind = ChangeKind::kUpgrade;
  UnixSeconds at = 0;        // when it was asked for
  bool now = true;           // applies at `at`; else scheduled for the period end
  bool new_period = false;   // a new period on the new plan starts at `at`
  bool prorated = false;     // a credit and a charge are billed (proration)
  Proration proration;
  // What the two lines bill: the unused part of the old period, and the new plan's time.
  UnixSeconds credit_start = 0, credit_end = 0, charge_start = 0, charge_end = 0;
};

// Whether `s` may move to `to` at `now` and how; nothing changes. Refused (kConflict, with a
// code naming why): an expired ("subscription_expired"), canceled, incomplete, past_due
// ("pay the open period first") or paused subscription; a Lightning or on-chain one
// ("plan_change_unsupported"); one whose renewal charge is still with its provider
// ("charge_in_flight"); the plan it is on ("plan_unchanged"), or the one already scheduled
// ("update_already_pending"). A change of currency now with proration -> kInvalid (param
// "at", "currency_change_now").
Result<PlanChange> PlanChangeFor(const Subscription& s, const PlanTerms& to,
                                 const ChangeOptions& options, UnixSeconds now);

// Applies `c` (from PlanChangeFor on the same `s`): now, the new terms (and the new period,
// paid, when c.new_period; the pending update, if any, dropped); at the period end, the
// pending update. subscription.updated either way (previous_plan when the plan changed). The
// money is the caller's: it bills c.proration.
void ApplyPlanChange(Subscription& s, const PlanChange& c, BillingContext& ctx);

// An upgrade made now (c, prorated) whose proration charge, payment `payment_id`, went to a
// network provider: `s` stays on its terms and shows the change as its pending update,
// awaiting that payment (subscription.updated). Nothing else may change the plan until the
// answer: PlanChangeFor and CancelPendingUpdate refuse with "charge_in_flight", and
// ApplyPendingUpdate leaves it.
void AwaitPlanChange(Subscription& s, const PlanChange& c, const std::string& payment_id,
                     BillingContext& ctx);
// The change an awaiting update stands for, to apply (ApplyPlanChange) once it is paid.
PlanChange AwaitedChange(const PendingUpdate& u);

// Drops the pending update: subscription.updated. None -> kConflict "no_pending_update"; one
// awaiting its charge -> kConflict "charge_in_flight".
Status CancelPendingUpdate(Subscription& s, UnixSeconds now, BillingContext& ctx);

// Where the next paid period starts (the renewal at the period or trial end; a resume that
// starts a new schedule): a pending update takes over before it is charged, with
// subscription.updated (previous_plan), and sets s.terms_changed. Nothing when none is pending.
void ApplyPendingUpdate(Subscription& s, UnixSeconds now, BillingContext& ctx);

PlanTerms TermsOf(const Subscription& s);
// Copies `t` onto `s` (plan, price, interval, grace); the schedule is the caller's.
void SetTerms(Subscription& s, const PlanTerms& t);

// The stored form of a pending update (subscriptions.pending_update, a JSON object), and back:
// nullopt for text that is not one (never written by jopayd).
std::string PendingUpdateJson(const PendingUpdate& u);
std::optional<PendingUpdate> ParsePendingUpdate(std::string_view json);
// Views: {plan_id, plan_name, amount, currency, interval, interval_count}, and the pending
// update as {plan_id, plan_name, amount, currency, interval, interval_count, at,
// awaiting_payment} (null: none; awaiting_payment: the payment id an upgrade waits for, else
// null; `at` is then when it was asked, which it applies from).
boost::json::object PlanTermsView(const PlanTerms& t);
boost::json::value PendingUpdateView(const std::optional<PendingUpdate>& u);

}  // namespace jopay
