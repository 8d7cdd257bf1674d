// Plan changes of stored subscriptions (the rules are plan_change.h): one writer job loads the
// subscription and the plan, decides, bills the proration and saves; the subscription's new
// terms, the invoice, the payment and the events commit together or not at all.
//
// Billing a change made now with proration: one invoice, billing_reason
// "subscription_update", of two lines: the credit (negative) for the unused part of the period
// at the old price, and the new plan's charge for the rest of the period (or for the whole new
// period a change of interval starts). Rounding is proration.h's: each line half up. Its total,
// the net:
//   > 0   is charged to the saved method as a payment of its own, attempt -n of period `now`
//         (n = 1, 2, ... for the changes made in that second), under the key
//         "<sub>:update:<now>:<n>[:s<schedule>]": never the period's renewal (attempts 1..),
//         and never another change's. An instant provider (the sandbox) is asked in the job,
//         and a decline refuses the change (kPaymentFailed: the job is rolled back, nothing
//         stays, the invoice number is not used). A network provider (Stripe, PayPal) gets a
//         pending payment sent after the commit, like a renewal's, and the change waits for
//         it (Stripe's payment_behavior=pending_if_incomplete): the subscription keeps its
//         plan and shows the change as its pending update, awaiting that payment
//         (plan_change.h AwaitPlanChange), until SettleAwaitedChange applies the answer. A
//         crash before the commit leaves nothing; after it, the charge sender sends the
//         committed payment with its key, as often as it takes to get a definite answer.
//   <= 0  charges nothing: the invoice is marked paid as it stands (nothing is owed). A credit
//         beyond the charge (a downgrade made now: the default timing never makes one) is
//         refunded to the payment that paid the period, up to what that payment has left,
//         under the key "update:<invoice id>" (at once through the sandbox, pending through a
//         network provider). With no such payment stored (an imported subscription's period)
//         nothing is refunded: refund it by hand if owed.
// Lines that cancel out (the same price) make no invoice.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "daemon/billing/engine.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/plan_change.h"
#include "daemon/billing/refunds.h"

namespace jopay {

struct PlanChangeRequest {
  std::string plan_id;  // the plan to move to (unless cancel_pending)
  ChangeOptions options;
  bool cancel_pending = false;  // drop the scheduled change instead
  bool by_customer = false;     // the portal: only a switchable plan may be chosen
};

// What a change did, for the answer.
struct PlanChangeResult {
  std::optional<PlanChange> change;
  bool awaiting_payment = false;  // applies when its charge is paid (see above)
  std::optional<Invoice> invoice;
  std::optional<Payment> payment;
  std::optional<Refund> refund;  // of a credit beyond the charge
};

// Moves subscription `id` to req.plan_id (or drops its pending update) as plan_change.h says,
// billing a change made now as above. An unknown plan, or one of the other mode ->
// kNotFound (param "plan"); an archived plan -> kInvalid "plan_archived"; a plan that is not
// switchable, chosen by the customer -> kInvalid "plan_not_switchable"; plan_change.h's
// refusals; a declined proration charge -> kPaymentFailed. Any failure changes nothing.
Status ChangePlan(const Engine& engine, Db& db, bool livemode, const std::string& id,
                  const PlanChangeRequest& req, UnixSeconds now, Subscription* out,
                  PlanChangeResult* result);

// The answer to an upgrade's proration charge (payment `p`, settled just now) that `s`
// awaits: paid, with `s` still in the period the change was made in (active, or canceled at
// its end) -> the change applies from when it was asked (subscription.updated with
// previous_plan; on a new interval its period starts then) and its invoice is paid;
// declined -> the change is called off (subscription.updated, no pending update) and its
// invoice voided; paid too late (the period renewed, or is being charged at the old price,
// or the subscription was paused or ended meanwhile) -> called off, and the invoice credited in full, which refunds the
// payment. Saves `s`. A payment `s` does not await changes nothing.
Status SettleAwaitedChange(const Engine& engine, Db& db, Subscription& s, const Payment& p,
                           UnixSeconds now);

// Drops the pending updates that would move a subscription to `plan_id` (being archived):
// subscription.updated for each.
void DropPendingUpdatesTo(const Engine& engine, Db& db, bool livemode, const std::string& plan_id,
                          UnixSeconds now);

// The change a request's fields ask for: `plan_key` (the plan's id: "plan" on the admin API,
// "plan_id" on the LNbits one), "proration" ("now" | "none"), "at" ("now" | "period_end") and
// "cancel_pending" (true). Neither a plan nor cancel_pending -> nullopt (no change asked);
// a bad value, both, or proration/at without a plan -> kInvalid naming the field. Other
// fields are the caller's.
Result<std::optional<PlanChangeRequest>> PlanChangeRequestOf(const boost::json::object& o,
                                                             std::string_view plan_key);

// {kind, applies: "now" | "period_end" | "on_payment" (awaiting its charge), at, proration: {credit, charge, net} | null,
// invoice: id | null, payment: id | null, refund: id | null}; null when no change was made
// (cancel_pending).
boost::json::value PlanChangeView(const PlanChangeResult& r);

}  // namespace jopay
