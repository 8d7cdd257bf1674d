// Subscriptions in the store: load (with the joined customer email, plan name and card),
// insert, save the mutable columns, list, and the due-work query the clock runs.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/plans.h"
#include "daemon/billing/subscription.h"
#include "daemon/store/db.h"

namespace jopay {

struct SubscriptionFilter {
  bool livemode = false;
  std::string status;       // "" = any
  std::string email;        // "" = any
  std::string plan_id;      // "" = any
  std::string customer_id;  // "" = any
  bool hide_incomplete = false;  // leave out subscriptions whose first payment never came
  int limit = 100;
  std::string starting_after;
};

// A new subscription (fresh id, not yet stored) of `customer` to `plan`: the plan's price,
// interval and grace period are copied, so later plan changes do not touch it.
Subscription NewSubscriptionOf(const Plan& plan, const Customer& customer, bool livemode,
                               UnixSeconds now);
// Saves `card` as a payment method of the subscription's customer and makes it the
// subscription's (in memory; SaveSubscription/InsertSubscription stores the link).
void AttachCard(Db& db, Subscription& s, const SavedCard& card, UnixSeconds now);
// Ok for an incomplete subscription (waiting for its first payment); otherwise kConflict
// "subscription_not_pending" naming its status.
Status RequireIncomplete(const Subscription& s);
// Sets a push rail ("lightning", "onchain") through `provider` as the subscription's way to
// pay: a payment method with nothing saved (brand = the rail), so that it shows like a card.
void AttachPushRail(Db& db, Subscription& s, std::string_view rail, std::string_view provider,
                    UnixSeconds now);

Result<Subscription> LoadSubscription(Db& db, const std::string& id, bool livemode);
void InsertSubscription(Db& db, const Subscription& s);
// Writes the columns that change over a subscription's life: all but its customer (the plan
// and its terms change with a plan change, plan_change.h; the pending update with them).
void SaveSubscription(Db& db, const Subscription& s);
// Stores what a due action (renewal.h RunDueAction) changes, the state columns only, by the
// row number it was loaded with: due actions never change the card or the metadata, and this
// runs once per renewal (no id lookup, no foreign-key check on the card, no metadata copy).
// A renewal that applied a pending plan change (s.terms_changed) needs SaveSubscription too.
void SaveDueState(Db& db, const Subscription& s);
std::vector<Subscription> ListSubscriptions(Db& db, const SubscriptionFilter& f);
// Up to `limit` subscriptions (both modes) whose next action is due at or before `until`,
// earliest first.
std::vector<Subscription> LoadDue(Db& db, UnixSeconds until, int limit);
// How many subscriptions (both modes) have an action due at or before `until` (/metrics).
int64_t CountDue(Db& db, UnixSeconds until);
// The same, in pages: rows after (after_at, after_rowid) in due order (a reader's dry run, the
// writer's prefetch of its next batch).
std::vector<Subscription> LoadDueAfter(Db& db, UnixSeconds until, UnixSeconds after_at,
                                       int64_t after_rowid, int limit);
// The tables a row of LoadDue/LoadDueAfter is read from (for Writer::WatchTables).
std::vector<std::string> DueRowTables();
// Ids of the plan's subscriptions that have not ended.
std::vector<std::string> LiveSubscriptionIdsOfPlan(Db& db, const std::string& plan_id);

boost::json::object SubscriptionView(const Subscription& s);

}  // namespace jopay
