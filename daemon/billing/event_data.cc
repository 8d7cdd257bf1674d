#include "daemon/billing/event_data.h"

#include "common/json_fields.h"
#include "daemon/billing/plan_change.h"

namespace jopay {

namespace json = boost::json;

json::object SubscriptionEventData(const Subscription& s, const EventExtras& x,
                                   json::storage_ptr sp) {
  json::object d(sp);
  d.reserve(24);
  d["id"] = s.id;
  d["object"] = "subscription";
  d["stripe_subscription_id"] = nullptr;  // documented field; set only by the Stripe provider
  d["status"] = s.status;
  d["plan_id"] = s.plan_id;
  d["plan_name"] = s.plan_name;
  d["plan_interval"] = IntervalName(s.interval);
  d["interval_count"] = s.interval_count;
  d["amount_cents"] = s.amount;
  d["currency"] = s.currency;
  d["customer_id"] = s.customer_id;
  d["customer_email"] = s.customer_email;
  d["current_period_start"] = FormatRfc3339(s.current_period_start);
  d["current_period_end"] = FormatRfc3339(s.current_period_end);
  d["trial_end"] = TimeOrNull(s.trial_end, sp);
  d["cancel_at_period_end"] = s.cancel_at_period_end;
  d["canceled_at"] = TimeOrNull(s.canceled_at, sp);
  d["ended_at"] = TimeOrNull(s.ended_at, sp);
  d["metadata"] = json::parse(s.metadata, sp);
  d["sequence"] = s.sequence;
  d["livemode"] = s.livemode;
  if (x.attempt > 0) d["attempt"] = x.attempt;
  if (x.failure) {
    d["failure_code"] = x.failure->failure_code;
    d["failure_message"] = x.failure->failure_message;
    d["next_payment_attempt"] = TimeOrNull(x.next_retry_at, sp);
  }
  if (s.pending_update) d["pending_update"] = PendingUpdateView(s.pending_update);
  if (x.previous_plan) d["previous_plan"] = PlanTermsView(*x.previous_plan);
  if (x.payment_id) {  // subscription.payment_due: where and by when to pay
    d["payment_id"] = *x.payment_id;
    d["pay_url"] = x.pay_url;
    d["due_at"] = TimeOrNull(x.due_at, sp);
  }
  return d;
}

Event SubscriptionEvent(const Subscription& s, std::string_view type, const EventExtras& extras,
                        UnixSeconds at) {
  Event e;
  e.livemode = s.livemode;
  e.type = std::string(type);
  e.object_id = s.id;
  e.sequence = s.sequence;
  // Every allocation of the document comes from one buffer on the stack: events are rendered
  // by the ten thousand in a due run, and the heap was a quarter of the time.
  unsigned char buffer[8192];
  json::monotonic_resource scratch(buffer, sizeof buffer);
  e.data = json::serialize(SubscriptionEventData(s, extras, &scratch));
  e.created_at = at;
  return e;
}

}  // namespace jopay
