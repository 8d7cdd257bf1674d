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
};

// Applies request fields to `plan`. Creating: name, amount, currency, interval are required;
// optional interval_count, trial_days, grace_period_days, description. Updating: any of name,
// description, amount, currency, trial_days, grace_period_days (interval is fixed for life).
// Unknown fields, wrong types and bad values fail naming the field; `plan` is then unusable.
Status ApplyPlanFields(const boost::json::object& body, bool creating, Plan& plan);

void InsertPlan(Db& db, const Plan& plan);
void UpdatePlan(Db& db, const Plan& plan);
Result<Plan> LoadPlan(Db& db, const std::string& id, bool livemode);
// Newest first; `active` filters when set; paging after `starting_after` (an id).
std::vector<Plan> ListPlans(Db& db, bool livemode, std::optional<bool> active, int limit,
                            const std::string& starting_after);

boost::json::object PlanView(const Plan& plan);

}  // namespace jopay
