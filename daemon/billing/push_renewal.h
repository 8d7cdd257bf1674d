// Push rails (Lightning, on-chain): the customer pays each period; jopayd never pulls money.
// Like renewal.h these are pure functions over a Subscription; the charge for a period (its
// pending payment and the place to pay it) comes from BillingContext::RequestPush.
//
//   active --period end - push_lead--> invoice the next period (subscription.payment_due)
//          --period end, paid--> next period (subscription.renewed) ...
//          --period end, unpaid--> next period, still active for grace_days
//              --grace over--> past_due (subscription.payment_failed "payment_overdue")
//                  --retry offsets but the last--> reminders (subscription.payment_due)
//                  --last offset--> expired
//   A payment at any point of that pays the open period (subscription.renewed) and the
//   subscription is active again; a payment after it expired is kept as unapplied.
//
// The charge of a period stays payable until the subscription would expire for it, so that a
// reminder points at the same invoice: a period is never asked for twice.
#pragma once

#include "daemon/billing/rules.h"

namespace jopay {

// next_action kInvoice: asks for the next period's charge and tells the customer; renews at
// the period's end. A subscription set to cancel at period end is not invoiced.
void InvoiceNextPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                       Summary& summary);
// next_action kRenew of a push subscription: the next period begins, renewed if its charge is
// paid, else unpaid (invoiced now if it was not yet) into grace and dunning.
void RenewPushPeriod(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                     Summary& summary);
// next_action kRetry of a push subscription: grace over (past_due), a reminder, or the end.
void PushDunningStep(Subscription& s, UnixSeconds now, const Policy& policy, BillingContext& ctx,
                     Summary& summary);
// After a paid period of a push subscription: the next invoice is due push_lead before its end
// (at most half a period ahead; never before `now`).
void SchedulePushInvoice(Subscription& s, UnixSeconds now, const Policy& policy);

enum class PushApplied {
  kStarted,    // the first payment: an incomplete subscription starts (subscription.created)
  kRenewed,    // the open (unpaid) period is paid (subscription.renewed)
  kAhead,      // the next period is paid before it begins: its renewal will find it
  kUnapplied,  // the subscription has moved on (expired, canceled, another schedule)
};
// A push charge for (schedule, period_start) was paid at `now`: what it pays, if anything.
PushApplied ApplyPushPayment(Subscription& s, int64_t schedule, UnixSeconds period_start,
                             UnixSeconds now, const Policy& policy, BillingContext& ctx,
                             Summary* summary);
// The request for the charge of the period [start, end) of `s`'s current schedule.
ChargeRequest PushChargeRequestFor(const Subscription& s, UnixSeconds start, UnixSeconds end);

}  // namespace jopay
