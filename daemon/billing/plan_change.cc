#include "daemon/billing/plan_change.h"

#include <fmt/core.h>

#include "daemon/billing/renewal.h"

namespace jopay {

namespace json = boost::json;
using namespace sub_status;  // NOLINT: the statuses read better unqualified here

namespace {

// An upgrade waiting for its charge's answer cannot be replaced or called off: the charge is
// with the provider and its answer decides.
Status RequireNoAwaitedChange(const Subscription& s) {
  if (!s.pending_update || !s.pending_update->awaiting_payment) return Status::Ok();
  return Status::Conflict(
      fmt::format("The change to plan {} is waiting for its charge ({}); try again once it is "
                  "answered.",
                  s.pending_update->plan.plan_id, *s.pending_update->awaiting_payment),
      "charge_in_flight");
}

// Why `s` cannot change plan now, if it cannot.
Status RequireChangeable(const Subscription& s) {
  auto refuse = [&](std::string_view code, std::string_view why) {
    return Status::Conflict(fmt::format("The subscription is {}: {}", s.status, why),
                            std::string(code));
  };
  if (s.status == kExpired) return refuse("subscription_expired", "it can no longer change.");
  if (s.status == kCanceled) {
    return refuse("subscription_canceled", "it ends at the period end and cannot change plan.");
  }
  if (s.status == kIncomplete) {
    return refuse("subscription_incomplete", "its first payment has not been made.");
  }
  if (s.status == kPastDue) {
    return refuse("subscription_past_due",
                  "pay the open period first (a new card retries it at once).");
  }
  if (s.status == kPaused) return refuse("subscription_paused", "resume it first.");
  if (s.Push()) {
    return Status::Conflict("Plan changes of Lightning and on-chain subscriptions are not "
                            "supported: cancel it and subscribe to the other plan.",
                            "plan_change_unsupported");
  }
  if (s.next_action == next_action::kCharge) {
    return Status::Conflict("The subscription's renewal is being charged; try again once it "
                            "is answered.",
                            "charge_in_flight");
  }
  return RequireNoAwaitedChange(s);
}

bool SameInterval(const PlanTerms& a, const PlanTerms& b) {
  return a.interval == b.interval && a.interval_count == b.interval_count;
}

// The default timing of a change of `kind` whose proration now would be `p`.
bool DefaultNow(ChangeKind kind, const Proration& p) {
  switch (kind) {
    case ChangeKind::kUpgrade:
    case ChangeKind::kSamePrice: return true;
    case ChangeKind::kInterval: return p.net() > 0;
    case ChangeKind::kDowngrade:
    case ChangeKind::kCurrency: return false;
  }
  return false;
}

// The next period is the first of a new schedule on the new interval, starting where the
// current period ends: index -1 makes the renewal's next period (index 0) begin at the anchor.
// A new schedule number, as a resume's, so that period is billed as a cycle, not as the
// subscription's first (its start is boundary 0), and its keys are its own.
void ReanchorAtPeriodEnd(Subscription& s) {
  // A trial is anchored at its end already (as is a period an earlier change re-anchored):
  // its first paid period stays the subscription's first.
  if (s.period_index == -1 && s.billing_anchor == s.current_period_end) return;
  s.billing_anchor = s.current_period_end;
  s.period_index = -1;
  ++s.schedule;
}

EventExtras Previous(const PlanTerms& before) {
  EventExtras x;
  x.previous_plan = before;
  return x;
}

}  // namespace

PlanTerms TermsOf(const Subscription& s) {
  return {s.plan_id, s.plan_name, s.amount, s.currency, s.interval, s.interval_count,
          s.grace_days};
}

void SetTerms(Subscription& s, const PlanTerms& t) {
  s.plan_id = t.plan_id;
  s.plan_name = t.plan_name;
  s.amount = t.amount;
  s.currency = t.currency;
  s.interval = t.interval;
  s.interval_count = t.interval_count;
  s.grace_days = t.grace_days;
  s.terms_changed = true;
}

Result<PlanChange> PlanChangeFor(const Subscription& s, const PlanTerms& to,
                                 const ChangeOptions& o, UnixSeconds now) {
  JOPAY_RETURN_IF_ERROR(RequireChangeable(s));
  if (to.plan_id == s.plan_id) {
    return Status::Conflict(fmt::format("The subscription is already on plan {}.", to.plan_id),
                            "plan_unchanged");
  }
  PlanChange c;
  c.to = to;
  c.at = now;
  c.kind = ChangeKindOf(TermsOf(s), to);
  if (s.status == kTrialing) {  // nothing was paid: nothing to prorate
    c.now = o.at != ChangeTiming::kPeriodEnd;
  } else {
    c.new_period = c.kind == ChangeKind::kInterval || c.kind == ChangeKind::kCurrency;
    c.proration = Prorate(s.amount, to.amount, s.current_period_start, s.current_period_end, now,
                          c.new_period);
    c.now = o.at == ChangeTiming::kDefault ? (!o.prorate || DefaultNow(c.kind, c.proration))
                                           : o.at == ChangeTiming::kNow;
    if (c.now && o.prorate && c.kind == ChangeKind::kCurrency) {
      return Status::Invalid(
          fmt::format("A change from {} to {} applies at the period end: the unused part of a "
                      "period paid in {} cannot be credited against {}. Use at period_end, or "
                      "proration none to switch now without a credit.",
                      s.currency, to.currency, s.currency, to.currency),
          "at", "currency_change_now");
    }
    c.prorated = c.now && o.prorate;
    c.new_period = c.new_period && c.prorated;
  }
  if (!c.now && s.pending_update && s.pending_update->plan.plan_id == to.plan_id) {
    return Status::Conflict(fmt::format("A change to plan {} is already scheduled for {}.",
                                        to.plan_id, FormatRfc3339(s.pending_update->at)),
                            "update_already_pending");
  }
  c.credit_start = now;
  c.credit_end = s.current_period_end;
  c.charge_start = now;
  c.charge_end = c.new_period
                     ? PeriodBoundary(now, to.interval, to.interval_count, 1)
                     : s.current_period_end;
  return c;
}

void ApplyPlanChange(Subscription& s, const PlanChange& c, BillingContext& ctx) {
  s.updated_at = c.at;
  if (!c.now) {
    s.pending_update = PendingUpdate{c.to, s.current_period_end, c.at, std::nullopt, false};
    EmitEvent(s, ctx, "subscription.updated");
    return;
  }
  PlanTerms before = TermsOf(s);
  SetTerms(s, c.to);
  s.pending_update.reset();
  if (c.new_period) {  // a new schedule, so its charges never share a key with the old one's
    s.billing_anchor = c.at;
    ++s.schedule;
    s.SetPeriod(0);
    MarkPaid(s);  // paid by the proration (its net, or the credit when that covers it)
  } else if (s.status != kTrialing && !SameInterval(before, c.to)) {
    // Without proration the paid period runs out; the new schedule starts at its end.
    ReanchorAtPeriodEnd(s);
  }
  EmitEvent(s, ctx, "subscription.updated", Previous(before));
}

Status CancelPendingUpdate(Subscription& s, UnixSeconds now, BillingContext& ctx) {
  if (!s.pending_update) {
    return Status::Conflict("The subscription has no scheduled plan change.", "no_pending_update");
  }
  JOPAY_RETURN_IF_ERROR(RequireNoAwaitedChange(s));
  s.pending_update.reset();
  s.terms_changed = true;
  s.updated_at = now;
  EmitEvent(s, ctx, "subscription.updated");
  return Status::Ok();
}

void AwaitPlanChange(Subscription& s, const PlanChange& c, const std::string& payment_id,
                     BillingContext& ctx) {
  s.pending_update = PendingUpdate{c.to, s.current_period_end, c.at, payment_id, c.new_period};
  s.terms_changed = true;
  s.updated_at = c.at;
  EmitEvent(s, ctx, "subscription.updated");
}

PlanChange AwaitedChange(const PendingUpdate& u) {
  PlanChange c;
  c.to = u.plan;
  c.at = u.requested_at;
  c.now = true;
  c.prorated = true;
  c.new_period = u.new_period;
  return c;
}

void ApplyPendingUpdate(Subscription& s, UnixSeconds now, BillingContext& ctx) {
  // An upgrade awaiting its charge is not the next period's: its charge's answer decides.
  if (!s.pending_update || s.pending_update->awaiting_payment) return;
  PlanTerms before = TermsOf(s);
  PlanTerms to = std::move(s.pending_update->plan);
  s.pending_update.reset();
  SetTerms(s, to);
  if (!SameInterval(before, to)) ReanchorAtPeriodEnd(s);
  s.updated_at = now;
  EmitEvent(s, ctx, "subscription.updated", Previous(before));
}

std::string PendingUpdateJson(const PendingUpdate& u) {
  json::object o = PlanTermsView(u.plan);
  o["grace_days"] = u.plan.grace_days;
  o["at"] = u.at;
  o["requested_at"] = u.requested_at;
  if (u.awaiting_payment) {
    o["awaiting_payment"] = *u.awaiting_payment;
    o["new_period"] = u.new_period;
  }
  return json::serialize(o);
}

std::optional<PendingUpdate> ParsePendingUpdate(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  try {
    PendingUpdate u;
    u.plan.plan_id = json::value_to<std::string>(o.at("plan_id"));
    u.plan.plan_name = json::value_to<std::string>(o.at("plan_name"));
    u.plan.amount = o.at("amount").to_number<int64_t>();
    u.plan.currency = json::value_to<std::string>(o.at("currency"));
    auto interval = ParseInterval(o.at("interval").as_string());
    if (!interval.ok()) return std::nullopt;
    u.plan.interval = *interval;
    u.plan.interval_count = o.at("interval_count").to_number<int>();
    u.plan.grace_days = o.at("grace_days").to_number<int>();
    u.at = o.at("at").to_number<int64_t>();
    u.requested_at = o.at("requested_at").to_number<int64_t>();
    if (const json::value* p = o.if_contains("awaiting_payment")) {
      u.awaiting_payment = json::value_to<std::string>(*p);
      u.new_period = o.at("new_period").as_bool();
    }
    return u;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json::object PlanTermsView(const PlanTerms& t) {
  return {{"plan_id", t.plan_id},
          {"plan_name", t.plan_name},
          {"amount", t.amount},
          {"currency", t.currency},
          {"interval", IntervalName(t.interval)},
          {"interval_count", t.interval_count}};
}

json::value PendingUpdateView(const std::optional<PendingUpdate>& u) {
  if (!u) return nullptr;
  json::object o = PlanTermsView(u->plan);
  // An upgrade awaiting its charge applies from when it was asked, once the charge is paid.
  o["at"] = FormatRfc3339(u->awaiting_payment ? u->requested_at : u->at);
  o["awaiting_payment"] = u->awaiting_payment ? json::value(*u->awaiting_payment) : nullptr;
  return o;
}

}  // namespace jopay
