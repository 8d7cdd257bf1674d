// The LNbits-style API's own columns (customer contacts), its plan body
// translation, and its JSON views (lnbits.h).
#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/money.h"
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr const char* kFlagNames[] = {"allow_lightning", "allow_onchain", "allow_stripe",
                                      "allow_paypal"};

bool* FlagField(PlanFlags& f, std::string_view name) {
  if (name == "allow_lightning") return &f.allow_lightning;
  if (name == "allow_onchain") return &f.allow_onchain;
  if (name == "allow_stripe") return &f.allow_stripe;
  return &f.allow_paypal;
}

json::value Time(std::optional<UnixSeconds> t) { return t ? json::value(*t) : json::value(nullptr); }
json::value Text(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

// amount (+ amount_sats for sats) as the reference and JoPay spell it.
void PutPrice(json::object& o, int64_t amount, const std::string& currency) {
  if (currency == "sat") o["amount_sats"] = amount;
  o["amount"] = amount;
  o["currency"] = currency;
}

void PutInterval(json::object& o, Interval interval, int count) {
  o["interval"] = LnbitsIntervalName(interval);
  o["interval_unit"] = IntervalName(interval);
  o["interval_count"] = count;
}

void PutFlags(json::object& o, const PlanFlags& f) {
  o["allow_lightning"] = f.allow_lightning;
  o["allow_onchain"] = f.allow_onchain;
  o["allow_stripe"] = f.allow_stripe;
  o["allow_paypal"] = f.allow_paypal;
}

Subscriber ReadSubscriber(const Stmt& q) {
  return {q.Text(0), q.Int(1) != 0, q.Text(2), q.Text(3), q.OptText(4), q.OptText(5), q.Int(6)};
}

constexpr const char* kSubscriberColumns =
    "id, livemode, email, name, telegram, nostr, created_at";

}  // namespace

Result<PlanBody> SplitPlanBody(const json::object& body, bool creating, PlanFlags& flags) {
  PlanBody out;
  out.fields = body;
  for (const char* name : kFlagNames) {
    std::optional<bool> v;
    JOPAY_RETURN_IF_ERROR(GetBool(body, name, v));
    if (v) *FlagField(flags, name) = *v;
    out.fields.erase(name);
  }
  if (body.contains("amount_sats")) {
    for (const char* other : {"amount", "currency"}) {
      if (body.contains(other)) {
        return Status::Invalid(
            fmt::format("give amount_sats or amount + currency, not both ({} too)", other),
            other);
      }
    }
    std::optional<int64_t> sats;  // checked here so errors name amount_sats
    JOPAY_RETURN_IF_ERROR(GetInt(body, "amount_sats", sats, 1, kMaxAmount));
    out.fields.erase("amount_sats");
    if (sats) {
      out.fields["amount"] = *sats;
      out.fields["currency"] = "sat";
    }
  }
  if (!creating) {
    std::optional<std::string> interval;
    JOPAY_RETURN_IF_ERROR(GetString(body, "interval", interval, 20));
    if (interval) {
      auto parsed = ParseInterval(*interval);
      if (!parsed.ok()) return parsed.status();
      out.interval = *parsed;
    }
    JOPAY_RETURN_IF_ERROR(GetInt(body, "interval_count", out.interval_count, 1, 365));
    out.fields.erase("interval");
    out.fields.erase("interval_count");
  }
  return out;
}

Result<Subscriber> LoadSubscriber(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM customers WHERE id=? AND livemode=?",
                                  kSubscriberColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such subscriber: {}", id), "id");
  Subscriber s = ReadSubscriber(q);
  q.Reset();
  return s;
}

std::vector<Subscriber> ListSubscribers(Db& db, bool livemode, const std::string& search,
                                        const Window& w) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM customers WHERE livemode=?1 AND (?2 = '' OR instr(email, lower(?2)) > 0 "
      "OR instr(lower(name), lower(?2)) > 0 OR instr(lower(coalesce(telegram, '')), lower(?2)) "
      "> 0 OR instr(lower(coalesce(nostr, '')), lower(?2)) > 0) "
      "ORDER BY rowid DESC LIMIT ?3 OFFSET ?4",
      kSubscriberColumns));
  q.Args(int64_t{livemode}, search, int64_t{w.limit}, int64_t{w.offset});
  std::vector<Subscriber> out;
  while (q.Step()) out.push_back(ReadSubscriber(q));
  q.Reset();
  return out;
}

void FillContacts(Db& db, const std::string& customer_id, const std::string& name,
                  const std::optional<std::string>& telegram,
                  const std::optional<std::string>& nostr) {
  db.Cached("UPDATE customers SET name = CASE WHEN name = '' THEN ?1 ELSE name END, "
            "telegram = coalesce(telegram, ?2), nostr = coalesce(nostr, ?3) WHERE id = ?4")
      .Args(name, telegram, nostr, customer_id)
      .Exec();
}

json::object LnbitsPlanView(const Plan& p, const PlanFlags& f) {
  json::object o{{"id", p.id}, {"name", p.name}};
  PutPrice(o, p.amount, p.currency);
  PutInterval(o, p.interval, p.interval_count);
  o["description"] = p.description;
  o["trial_days"] = p.trial_days;
  o["grace_period_days"] = p.grace_days;
  PutFlags(o, f);
  o["active"] = p.active;
  o["livemode"] = p.livemode;
  o["created_at"] = p.created_at;
  o["updated_at"] = p.updated_at;
  return o;
}

json::object PublicPlanView(const Plan& p, const PlanFlags& f) {
  json::object o{{"id", p.id}, {"name", p.name}, {"description", p.description}};
  PutPrice(o, p.amount, p.currency);
  PutInterval(o, p.interval, p.interval_count);
  o["trial_days"] = p.trial_days;
  PutFlags(o, f);
  return o;
}

json::object LnbitsSubscriptionView(const Subscription& s) {
  json::object o{{"id", s.id},
                 {"plan_id", s.plan_id},
                 {"plan_name", s.plan_name},
                 {"subscriber_id", s.customer_id},
                 {"email", s.customer_email},
                 {"status", s.status}};
  PutPrice(o, s.amount, s.currency);
  PutInterval(o, s.interval, s.interval_count);
  o["payment_method"] = !s.payment_method_id ? json::value(nullptr)
                        : s.Push()           ? json::value(s.rail)
                                             : json::value(PaymentMethodOfProvider(s.provider));
  o["card"] = s.payment_method_id && !s.Push()
                  ? json::value(json::object{{"brand", s.card_brand}, {"last4", s.card_last4}})
                  : json::value(nullptr);
  o["current_period_start"] = s.current_period_start;
  o["current_period_end"] = s.current_period_end;
  o["trial_end"] = Time(s.trial_end);
  o["cancel_at_period_end"] = s.cancel_at_period_end;
  o["canceled_at"] = Time(s.canceled_at);
  o["cancel_reason"] = Text(s.cancel_reason);
  o["ended_at"] = Time(s.ended_at);
  o["paused_at"] = Time(s.paused_at);
  o["metadata"] = json::parse(s.metadata);
  o["pending_update"] = nullptr;
  if (s.pending_update) {  // a plan change at the period end (Unix seconds, as the rest)
    const PlanTerms& to = s.pending_update->plan;
    json::object pending{{"plan_id", to.plan_id}, {"plan_name", to.plan_name}};
    PutPrice(pending, to.amount, to.currency);
    PutInterval(pending, to.interval, to.interval_count);
    pending["at"] = s.pending_update->at;
    o["pending_update"] = std::move(pending);
  }
  o["livemode"] = s.livemode;
  o["created_at"] = s.created_at;
  return o;
}

json::object LnbitsPaymentView(Db& db, const Payment& p) {
  json::object o{{"id", p.id}, {"subscription_id", Text(p.subscription_id)},
                 {"subscriber_id", p.customer_id}};
  PutPrice(o, p.amount, p.currency);
  o["status"] = p.status;
  auto push = LoadPushCharge(db, p.pk);
  o["payment_method"] = push ? push->rail : PaymentMethodOfProvider(p.provider);
  o["payment_hash"] = nullptr;  // not kept: an invoice's hash is in the invoice itself
  o["failure_code"] = Text(p.failure_code);
  o["failure_message"] = Text(p.failure_message);
  o["livemode"] = p.livemode;
  o["created_at"] = p.created_at;
  o["paid_at"] = Time(p.paid_at);
  return o;
}

json::object LnbitsSubscriberView(const Subscriber& s) {
  return {{"id", s.id},
          {"email", s.email},
          {"telegram", Text(s.telegram)},
          {"nostr", Text(s.nostr)},
          {"name", s.name},
          {"livemode", s.livemode},
          {"created_at", s.created_at}};
}

Status RequireEmptyBody(const http::Request& req) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return body.status();
  return RejectUnknown(*body, {});
}

}  // namespace jopay::pub
