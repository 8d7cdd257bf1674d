#include "daemon/billing/importer.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/ids.h"
#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr std::string_view kImportable[] = {"active", "trialing", "past_due", "canceled",
                                            "paused"};

Status GetTime(const json::object& o, std::string_view key, std::optional<UnixSeconds>& out) {
  std::optional<std::string> text;
  JOPAY_RETURN_IF_ERROR(GetString(o, key, text, 64));
  out.reset();
  if (!text) return Status::Ok();
  auto t = ParseRfc3339(*text);
  if (!t.ok()) return Status::Invalid(fmt::format("{}: {}", key, t.status().message()), std::string(key));
  out = *t;
  return Status::Ok();
}

Status CheckPeriods(const ImportRow& r) {
  bool trialing = r.status == "trialing";
  if (trialing) {
    JOPAY_RETURN_IF_ERROR(Require(r.trial_end.has_value(), "trial_end"));
  } else {
    JOPAY_RETURN_IF_ERROR(Require(r.period_end.has_value(), "current_period_end"));
  }
  // A trial's period ends at trial_end: a start at or after it would make a period that ends
  // before it begins (found by tests/fuzz/import_line_fuzz.cc).
  const std::optional<UnixSeconds>& end = trialing ? r.trial_end : r.period_end;
  if (r.period_start && *r.period_start >= *end) {
    return Status::Invalid(fmt::format("current_period_start must be before {}",
                                       trialing ? "trial_end" : "current_period_end"),
                           "current_period_start");
  }
  return Status::Ok();
}

// Places the row on its billing schedule. The period end is what must be honoured; when the
// given start is one interval before it, the start is the anchor (keeping a Jan 31 anchor
// through February), else the end is.
void Schedule(Subscription& s, const ImportRow& r, const Policy& policy, UnixSeconds now) {
  if (r.status == "trialing") {
    // Without a start the trial began before the import; one whose trial_end has passed
    // (exported before it ended) is charged at once, and its unknown start is taken as its end
    // rather than now, which would come after it.
    s.trial_start = r.period_start.value_or(std::min(now, *r.trial_end));
    s.trial_end = *r.trial_end;
    s.billing_anchor = *r.trial_end;
    s.period_index = -1;
    s.current_period_start = *s.trial_start;
    s.current_period_end = *r.trial_end;
    UnixSeconds remind = *r.trial_end - policy.trial_reminder_lead;
    s.Schedule(remind > now ? next_action::kTrialReminder : next_action::kRenew,
               remind > now ? remind : *r.trial_end);
    return;
  }
  UnixSeconds end = *r.period_end;
  if (r.period_start && PeriodBoundary(*r.period_start, s.interval, s.interval_count, 1) == end) {
    s.billing_anchor = *r.period_start;
    s.SetPeriod(0);
  } else {
    s.billing_anchor = end;
    s.SetPeriod(-1);
    if (r.period_start) s.current_period_start = *r.period_start;
  }
  if (r.status == "active") s.Schedule(next_action::kRenew, end);
  if (r.status == "canceled") {
    s.cancel_at_period_end = true;
    s.canceled_at = now;
    s.Schedule(next_action::kExpire, end);
  }
  if (r.status == "past_due") {
    s.first_failed_at = now;
    if (!policy.retry_offsets.empty()) s.Schedule(next_action::kRetry, now + policy.retry_offsets[0]);
    else s.Schedule(next_action::kExpire, now);
  }
  if (r.status == "paused") s.paused_at = now;
}

}  // namespace

Result<Plan> ImportBatch::PlanFor(Db& db, const std::string& id) {
  if (auto it = plans_.find(id); it != plans_.end()) return it->second;
  auto plan = LoadPlan(db, id, livemode_);
  if (!plan.ok()) return Status::NotFound(plan.status().message(), "plan");
  if (!plan->active) return Status::Invalid("The plan is archived.", "plan");
  plans_.emplace(id, *plan);
  return plan;
}

// A card saved at Stripe before the move to JoPay: its customer and payment method ids (and
// optionally brand and last4 for display). jopayd charges them off-session like any card saved
// through its own Stripe Checkout; the mode must have Stripe configured.
Result<std::optional<SavedCard>> ImportBatch::ParseStripeCard(const json::object& o,
                                                              Engine& engine) {
  std::optional<std::string> customer, method, brand, last4;
  JOPAY_RETURN_IF_ERROR(GetString(o, "stripe_customer", customer, 255));
  JOPAY_RETURN_IF_ERROR(GetString(o, "stripe_payment_method", method, 255));
  JOPAY_RETURN_IF_ERROR(GetString(o, "card_brand", brand, 20));
  JOPAY_RETURN_IF_ERROR(GetString(o, "card_last4", last4, 4));
  if (!customer && !method) return std::optional<SavedCard>();
  if (!customer || !customer->starts_with("cus_")) {
    return Status::Invalid("stripe_customer must be a Stripe customer id (cus_...)",
                           "stripe_customer");
  }
  if (!method || !method->starts_with("pm_")) {
    return Status::Invalid("stripe_payment_method must be a Stripe payment method id (pm_...)",
                           "stripe_payment_method");
  }
  Provider* provider = engine.CardProvider(livemode_);
  if (!provider || provider->name() != "stripe") {
    return Status::Invalid("this mode has no Stripe account configured (stripe-*-secret-key)",
                           "stripe_payment_method", "provider_unavailable");
  }
  SavedCard card;
  card.provider = "stripe";
  card.provider_ref = *method;
  card.provider_customer = *customer;
  card.brand = brand.value_or("card");
  card.last4 = last4.value_or("");
  return std::optional<SavedCard>(card);
}

Result<ImportRow> ImportBatch::ParseLine(Db& db, Engine& engine, std::string_view line) {
  auto parsed = ParseObject(line, "the line");
  if (!parsed.ok()) return parsed.status();
  const json::object& o = *parsed;
  JOPAY_RETURN_IF_ERROR(RejectUnknown(
      o, {"email", "name", "plan", "status", "current_period_start", "current_period_end",
          "trial_end", "card", "stripe_customer", "stripe_payment_method", "card_brand",
          "card_last4", "metadata"}));
  ImportRow r;
  std::optional<std::string> email, name, plan, status, card;
  JOPAY_RETURN_IF_ERROR(GetString(o, "email", email, 254));
  JOPAY_RETURN_IF_ERROR(Require(email.has_value(), "email"));
  JOPAY_RETURN_IF_ERROR(ValidateEmail(*email));
  JOPAY_RETURN_IF_ERROR(GetString(o, "name", name, 200));
  JOPAY_RETURN_IF_ERROR(GetString(o, "plan", plan, 100));
  JOPAY_RETURN_IF_ERROR(Require(plan.has_value(), "plan"));
  auto p = PlanFor(db, *plan);
  if (!p.ok()) return p.status();
  JOPAY_RETURN_IF_ERROR(GetString(o, "status", status, 20));
  r.status = status.value_or("active");
  if (std::find(std::begin(kImportable), std::end(kImportable), r.status) == std::end(kImportable)) {
    return Status::Invalid("status must be one of active, trialing, past_due, canceled, paused",
                           "status");
  }
  JOPAY_RETURN_IF_ERROR(GetTime(o, "current_period_start", r.period_start));
  JOPAY_RETURN_IF_ERROR(GetTime(o, "current_period_end", r.period_end));
  JOPAY_RETURN_IF_ERROR(GetTime(o, "trial_end", r.trial_end));
  JOPAY_RETURN_IF_ERROR(CheckPeriods(r));
  JOPAY_RETURN_IF_ERROR(GetString(o, "card", card, 40));
  if (card) {
    auto saved = engine.AttachCardNumber(livemode_, *card);
    if (!saved.ok()) return Status::Invalid(saved.status().message(), "card");
    r.card = *saved;
  }
  auto stripe_card = ParseStripeCard(o, engine);
  if (!stripe_card.ok()) return stripe_card.status();
  if (*stripe_card) {
    if (card) return Status::Invalid("give card or stripe_payment_method, not both", "card");
    r.card = **stripe_card;
  }
  if (auto it = o.find("metadata"); it != o.end() && !it->value().is_null()) {
    JOPAY_RETURN_IF_ERROR(ValidateMetadata(it->value()));
    r.metadata = json::serialize(it->value());
  }
  r.email = NormalizeEmail(*email);
  r.name = name.value_or("");
  r.plan_id = *plan;
  return r;
}

std::vector<LineError> ImportBatch::AddLines(Db& db, Engine& engine, std::string_view text,
                                             int64_t first_line) {
  std::lock_guard lock(mu_);
  std::vector<LineError> errors;
  int64_t number = first_line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      auto row = ParseLine(db, engine, line);
      if (row.ok()) rows_.push_back(std::move(*row));
      else errors.push_back({number, row.status().message(), row.status().param()});
    }
    pos = eol + 1;
    ++number;
  }
  errors_ += static_cast<int64_t>(errors.size());
  return errors;
}

int64_t ImportBatch::staged() {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(rows_.size());
}

int64_t ImportBatch::error_count() {
  std::lock_guard lock(mu_);
  return errors_;
}

int64_t ImportBatch::Commit(Db& db, const Policy& policy, UnixSeconds now) {
  std::lock_guard lock(mu_);
  for (const ImportRow& r : rows_) {
    const Plan& plan = plans_.at(r.plan_id);
    Customer c = FindOrCreateCustomer(db, livemode_, r.email, r.name, now);
    Subscription s = NewSubscriptionOf(plan, c, livemode_, now);
    if (r.card) AttachCard(db, s, *r.card, now);
    s.status = r.status;
    s.metadata = r.metadata;
    Schedule(s, r, policy, now);
    InsertSubscription(db, s);
  }
  return static_cast<int64_t>(rows_.size());
}

std::string ImportRegistry::Open(bool livemode) {
  std::lock_guard lock(mu_);
  std::string id = NewId("imp_");
  open_[id] = std::make_shared<ImportBatch>(livemode);
  return id;
}

std::shared_ptr<ImportBatch> ImportRegistry::Find(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : it->second;
}

void ImportRegistry::Close(const std::string& id) {
  std::lock_guard lock(mu_);
  open_.erase(id);
}

}  // namespace jopay
