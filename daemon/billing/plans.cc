#include "daemon/billing/plans.h"

#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/money.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kPlanColumns =
    "id, livemode, name, description, amount, currency, interval, interval_count, trial_days, "
    "grace_days, active, created_at, updated_at, allow_lightning, allow_onchain, allow_stripe, "
    "allow_paypal, switchable";

// JoPay's method names, in the order views list them, and the column each one is.
struct Method {
  std::string_view name;
  bool PlanFlags::*allowed;
};
constexpr Method kMethods[] = {{"card", &PlanFlags::allow_stripe},
                               {"lightning", &PlanFlags::allow_lightning},
                               {"onchain", &PlanFlags::allow_onchain},
                               {"paypal", &PlanFlags::allow_paypal}};

const Method* FindMethod(const json::value& v) {
  if (!v.is_string()) return nullptr;
  for (const Method& m : kMethods) {
    if (v.as_string() == m.name) return &m;
  }
  return nullptr;
}

// A request's value as an error message quotes it: JSON, cut short.
std::string Quoted(const json::value& v) {
  std::string text = json::serialize(v);
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

PlanFlags ReadFlags(const Stmt& q, int first) {
  return {q.Int(first) != 0, q.Int(first + 1) != 0, q.Int(first + 2) != 0,
          q.Int(first + 3) != 0};
}

Plan ReadPlan(const Stmt& q) {
  Plan p;
  p.id = q.Text(0);
  p.livemode = q.Int(1) != 0;
  p.name = q.Text(2);
  p.description = q.Text(3);
  p.amount = q.Int(4);
  p.currency = q.Text(5);
  p.interval = *ParseInterval(q.Text(6));
  p.interval_count = static_cast<int>(q.Int(7));
  p.trial_days = static_cast<int>(q.Int(8));
  p.grace_days = static_cast<int>(q.Int(9));
  p.active = q.Int(10) != 0;
  p.created_at = q.Int(11);
  p.updated_at = q.Int(12);
  p.methods = ReadFlags(q, 13);
  p.switchable = q.Int(17) != 0;
  return p;
}

Status ApplyName(const json::object& body, bool creating, Plan& plan) {
  std::optional<std::string> name;
  JOPAY_RETURN_IF_ERROR(GetString(body, "name", name, 200));
  if (creating) JOPAY_RETURN_IF_ERROR(Require(name.has_value(), "name"));
  if (name && name->find_first_not_of(" \t") == std::string::npos) {
    return Status::Invalid("name must not be empty", "name");
  }
  if (name) plan.name = *name;
  std::optional<std::string> description;
  JOPAY_RETURN_IF_ERROR(GetString(body, "description", description, 2000));
  if (description) plan.description = *description;
  return Status::Ok();
}

Status ApplyPrice(const json::object& body, bool creating, Plan& plan) {
  std::optional<int64_t> amount;
  JOPAY_RETURN_IF_ERROR(GetInt(body, "amount", amount, 1, kMaxAmount));
  std::optional<std::string> currency;
  JOPAY_RETURN_IF_ERROR(GetString(body, "currency", currency, 10));
  if (creating) {
    JOPAY_RETURN_IF_ERROR(Require(amount.has_value(), "amount"));
    JOPAY_RETURN_IF_ERROR(Require(currency.has_value(), "currency"));
  }
  if (amount) plan.amount = *amount;
  if (currency) {
    auto code = NormalizeCurrency(*currency);
    if (!code.ok()) return code.status();
    plan.currency = *code;
  }
  return Status::Ok();
}

Status ApplySchedule(const json::object& body, bool creating, Plan& plan) {
  std::optional<std::string> interval;
  JOPAY_RETURN_IF_ERROR(GetString(body, "interval", interval, 20));
  std::optional<int64_t> count, trial, grace;
  JOPAY_RETURN_IF_ERROR(GetInt(body, "interval_count", count, 1, 365));
  JOPAY_RETURN_IF_ERROR(GetInt(body, "trial_days", trial, 0, 730));
  JOPAY_RETURN_IF_ERROR(GetInt(body, "grace_period_days", grace, 0, 365));
  if (creating) {
    JOPAY_RETURN_IF_ERROR(Require(interval.has_value(), "interval"));
    auto parsed = ParseInterval(*interval);
    if (!parsed.ok()) return parsed.status();
    plan.interval = *parsed;
    if (count) plan.interval_count = static_cast<int>(*count);
  } else if (interval || count) {
    return Status::Invalid("a plan's interval cannot change; create a new plan",
                           interval ? "interval" : "interval_count");
  }
  if (trial) plan.trial_days = static_cast<int>(*trial);
  if (grace) plan.grace_days = static_cast<int>(*grace);
  return Status::Ok();
}

}  // namespace

Result<PlanFlags> ParsePaymentMethods(const json::value& v) {
  constexpr const char* kParam = "payment_methods";
  if (!v.is_array()) {
    return Status::Invalid("payment_methods must be an array of method names: card, lightning, "
                           "onchain, paypal",
                           kParam);
  }
  if (v.as_array().empty()) {
    return Status::Invalid("payment_methods must name at least one method: a plan must be "
                           "payable somehow",
                           kParam);
  }
  PlanFlags flags{false, false, false, false};
  for (const json::value& item : v.as_array()) {
    const Method* m = FindMethod(item);
    if (!m) {
      return Status::Invalid(fmt::format("payment_methods: {} is not a payment method; use "
                                         "card, lightning, onchain or paypal",
                                         Quoted(item)),
                             kParam);
    }
    if (flags.*m->allowed) {
      return Status::Invalid(fmt::format("payment_methods lists {} twice", m->name), kParam);
    }
    flags.*m->allowed = true;
  }
  return flags;
}

json::array PaymentMethodNames(const PlanFlags& flags) {
  json::array out;
  for (const Method& m : kMethods) {
    if (flags.*m.allowed) out.emplace_back(m.name);
  }
  return out;
}

namespace {

Status ApplySwitchable(const json::object& body, Plan& plan) {
  std::optional<bool> switchable;
  JOPAY_RETURN_IF_ERROR(GetBool(body, "switchable", switchable));
  if (switchable) plan.switchable = *switchable;
  return Status::Ok();
}

}  // namespace

Status ApplyAdminPlanFields(const json::object& body, bool creating, Plan& plan) {
  json::object fields = body;
  fields.erase("payment_methods");
  fields.erase("switchable");
  JOPAY_RETURN_IF_ERROR(ApplyPlanFields(fields, creating, plan));
  JOPAY_RETURN_IF_ERROR(ApplySwitchable(body, plan));
  const json::value* methods = body.if_contains("payment_methods");
  if (!methods || methods->is_null()) return Status::Ok();  // null = absent, as GetString
  auto parsed = ParsePaymentMethods(*methods);
  if (!parsed.ok()) return parsed.status();
  plan.methods = *parsed;
  return Status::Ok();
}

Status ApplyPlanFields(const json::object& body, bool creating, Plan& plan) {
  if (creating) {
    JOPAY_RETURN_IF_ERROR(RejectUnknown(body, {"name", "description", "amount", "currency",
                                               "interval", "interval_count", "trial_days",
                                               "grace_period_days"}));
  } else {
    JOPAY_RETURN_IF_ERROR(RejectUnknown(body, {"name", "description", "amount", "currency",
                                               "trial_days", "grace_period_days", "interval",
                                               "interval_count"}));
  }
  JOPAY_RETURN_IF_ERROR(ApplyName(body, creating, plan));
  JOPAY_RETURN_IF_ERROR(ApplyPrice(body, creating, plan));
  return ApplySchedule(body, creating, plan);
}

void InsertPlan(Db& db, const Plan& p) {
  const PlanFlags& m = p.methods;
  db.Cached(fmt::format("INSERT INTO plans ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        kPlanColumns))
      .Args(p.id, int64_t{p.livemode}, p.name, p.description, p.amount, p.currency,
            IntervalName(p.interval), int64_t{p.interval_count}, int64_t{p.trial_days},
            int64_t{p.grace_days}, int64_t{p.active}, p.created_at, p.updated_at,
            int64_t{m.allow_lightning}, int64_t{m.allow_onchain}, int64_t{m.allow_stripe},
            int64_t{m.allow_paypal}, int64_t{p.switchable})
      .Exec();
}

void UpdatePlan(Db& db, const Plan& p) {
  db.Cached("UPDATE plans SET name=?, description=?, amount=?, currency=?, trial_days=?, "
            "grace_days=?, active=?, updated_at=?, switchable=? WHERE id=?")
      .Args(p.name, p.description, p.amount, p.currency, int64_t{p.trial_days},
            int64_t{p.grace_days}, int64_t{p.active}, p.updated_at, int64_t{p.switchable}, p.id)
      .Exec();
  SavePlanFlags(db, p.id, p.methods);
}

PlanFlags LoadPlanFlags(Db& db, const std::string& plan_id) {
  auto& q = db.Cached(
      "SELECT allow_lightning, allow_onchain, allow_stripe, allow_paypal FROM plans WHERE id=?");
  q.Args(plan_id);
  PlanFlags f;
  if (q.Step()) f = ReadFlags(q, 0);
  q.Reset();
  return f;
}

void SavePlanFlags(Db& db, const std::string& plan_id, const PlanFlags& f) {
  db.Cached("UPDATE plans SET allow_lightning=?, allow_onchain=?, allow_stripe=?, "
            "allow_paypal=? WHERE id=?")
      .Args(int64_t{f.allow_lightning}, int64_t{f.allow_onchain}, int64_t{f.allow_stripe},
            int64_t{f.allow_paypal}, plan_id)
      .Exec();
}

Result<Plan> LoadPlan(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM plans WHERE id=? AND livemode=?", kPlanColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such plan: {}", id), "plan");
  Plan p = ReadPlan(q);
  q.Reset();
  return p;
}

std::vector<Plan> ListPlans(Db& db, bool livemode, std::optional<bool> active, int limit,
                            const std::string& starting_after) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM plans WHERE livemode=?1 AND (?2 IS NULL OR active=?2) AND "
      "(?3 = '' OR rowid < (SELECT rowid FROM plans WHERE id=?3)) ORDER BY rowid DESC LIMIT ?4",
      kPlanColumns));
  q.Reset();
  q.Bind(1, int64_t{livemode});
  if (active) q.Bind(2, int64_t{*active}); else q.BindNull(2);
  q.Bind(3, starting_after).Bind(4, int64_t{limit});
  std::vector<Plan> out;
  while (q.Step()) out.push_back(ReadPlan(q));
  q.Reset();
  return out;
}

std::vector<Plan> ListSwitchablePlans(Db& db, bool livemode) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM plans WHERE livemode=? AND active=1 AND switchable=1 "
      "ORDER BY currency, amount, rowid LIMIT 100",
      kPlanColumns));
  q.Args(int64_t{livemode});
  std::vector<Plan> out;
  while (q.Step()) out.push_back(ReadPlan(q));
  q.Reset();
  return out;
}

json::object PlanView(const Plan& p) {
  return {{"id", p.id},
          {"object", "plan"},
          {"livemode", p.livemode},
          {"name", p.name},
          {"description", p.description},
          {"amount", p.amount},
          {"currency", p.currency},
          {"interval", IntervalName(p.interval)},
          {"interval_count", p.interval_count},
          {"trial_days", p.trial_days},
          {"grace_period_days", p.grace_days},
          {"payment_methods", PaymentMethodNames(p.methods)},
          {"switchable", p.switchable},
          {"active", p.active},
          {"created_at", FormatRfc3339(p.created_at)},
          {"updated_at", FormatRfc3339(p.updated_at)}};
}

}  // namespace jopay
