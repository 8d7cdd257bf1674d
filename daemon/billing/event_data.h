// The `data` of subscription events, in the shape the public API documents (id, status,
// plan_name, plan_interval, amount_cents, currency, customer_email, current_period_start,
// current_period_end, metadata), plus the per-object `sequence` receivers use to drop stale
// events, and the failure details of subscription.payment_failed.
#pragma once

#include <boost/json.hpp>

#include "daemon/billing/lifecycle.h"
#include "daemon/billing/subscription.h"

namespace jopay {

boost::json::object SubscriptionEventData(const Subscription& s, const EventExtras& extras);

}  // namespace jopay
