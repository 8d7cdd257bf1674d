// Plans: the price list. A subscription copies a plan's price when it starts, so a later price
// change only affects new subscriptions.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/period.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

// The payment methods a plan takes: which rails the hosted checkout page and
// POST /public/subscribe offer. The fields are the plans table's columns as LNbits names them;
// JoPay's names are POST /public/subscribe's payment_method values: "card" (allow_stripe: the
// card rail, whatever the card provider), "lightning", "onchain", "paypal". The defaults are
// the schema's (and LNbits' reference's): card and lightning.
struct PlanFlags {
  bool allow_lightning = true;
  bool allow_onchain = false;
  bool allow_stripe = true;
  bool allow_paypal = false;
};

struct Plan {
  std::string id;
  bool livemode = false;
  std::string name;
  std::string description;
  int64_t amount = 0;
  std::string currency;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  int trial_days = 0;
  int grace_days = 0;
  bool active = true;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  PlanFlags methods;  // InsertPlan and UpdatePlan save them with the plan
  // Customers may move to it from another plan themselves, on the portal (plan_change.h).
  bool switchable = false;
};

// Applies request fields to `plan`. Creating: name, amount, currency, interval are required;
// optional interval_count, trial_days, grace_period_days, description. Updating: any of name,
// description, amount, currency, trial_days, grace_period_days (interval is fixed for life).
// Unknown fields, wrong types and bad values fail naming the field; `plan` is then unusable.
Status ApplyPlanFields(const boost::json::object& body, bool creating, Plan& plan);

// The admin API's plan body: ApplyPlanFields' fields plus `payment_methods`, a non-empty array
// of distinct method names that replaces the plan's methods (absent: they stay as they are),
// and `switchable`, a boolean. A bad list fails with param "payment_methods".
Status ApplyAdminPlanFields(const boost::json::object& body, bool creating, Plan& plan);

// `payment_methods` as a request gives it: a non-empty JSON array of distinct names from
// card, lightning, onchain, paypal. Anything else is Status::Invalid(param "payment_methods").
Result<PlanFlags> ParsePaymentMethods(const boost::json::value& v);
// The methods `flags` allow, always in the order card, lightning, onchain, paypal.
boost::json::array PaymentMethodNames(const PlanFlags& flags);

void InsertPlan(Db& db, const Plan& plan);
void UpdatePlan(Db& db, const Plan& plan);
Result<Plan> LoadPlan(Db& db, const std::string& id, bool livemode);
// Newest first; `active` filters when set; paging after `starting_after` (an id).
std::vector<Plan> ListPlans(Db& db, bool livemode, std::optional<bool> active, int limit,
                            const std::string& starting_after);
// The active, switchable plans of a mode (the portal's choices), by currency, then price.
std::vector<Plan> ListSwitchablePlans(Db& db, bool livemode);

// The methods alone, for readers that do not need the whole plan (LNbits views, /public).
// An unknown plan id gives the defaults; SavePlanFlags on one changes nothing.
PlanFlags LoadPlanFlags(Db& db, const std::string& plan_id);
void SavePlanFlags(Db& db, const std::string& plan_id, const PlanFlags& flags);

// The admin API's plan (and jopayctl's): payment_methods as PaymentMethodNames lists them.
boost::json::object PlanView(const Plan& plan);

}  // namespace jopay
