// The `data` of subscription events, in the shape the public API documents (id, status,
// plan_name, plan_interval, amount_cents, currency, customer_email, current_period_start,
// current_period_end, metadata), plus the per-object `sequence` receivers use to drop stale
// events, and the failure details of subscription.payment_failed.
#pragma once

#include <boost/json.hpp>

#include "daemon/billing/rules.h"
#include "daemon/billing/subscription.h"
#include "daemon/events/outbox.h"

namespace jopay {

// Allocates from `storage` (the default heap if none is given).
boost::json::object SubscriptionEventData(const Subscription& s, const EventExtras& extras,
                                          boost::json::storage_ptr storage = {});

// The outbox row of an event `type` about `s` at time `at`; its id is left for InsertEvent.
Event SubscriptionEvent(const Subscription& s, std::string_view type, const EventExtras& extras,
                        UnixSeconds at);

}  // namespace jopay
