// Checkout sessions in the store: rows <-> Session, list, and the JSON views.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_rows.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, livemode, mode, status, amount, currency, line_items, plan, trial_days, customer_email, "
    "client_reference_id, success_url, cancel_url, metadata, subscription_id, payment_id, "
    "attempts, sequence, expires_at, completed_at, created_at, updated_at, provider_session";


json::array LineItemsJson(const std::vector<LineItem>& items) {
  json::array out;
  for (const auto& i : items) {
    out.push_back(json::object{{"name", i.name},
                               {"amount", i.amount},
                               {"currency", i.currency},
                               {"quantity", i.quantity}});
  }
  return out;
}

std::vector<LineItem> LineItemsFrom(const std::string& text) {
  std::vector<LineItem> out;
  json::value parsed = json::parse(text);  // kept alive: the loop walks into it
  for (const auto& v : parsed.as_array()) {
    const auto& o = v.as_object();
    out.push_back({std::string(o.at("name").as_string()), o.at("amount").as_int64(),
                   std::string(o.at("currency").as_string()), o.at("quantity").as_int64()});
  }
  return out;
}

json::object PlanJson(const SessionPlan& p) {
  return {{"id", p.id.empty() ? json::value(nullptr) : json::value(p.id)},
          {"name", p.name},
          {"amount", p.amount},
          {"currency", p.currency},
          {"interval", IntervalName(p.interval)},
          {"interval_count", p.interval_count},
          {"trial_days", p.trial_days}};
}

SessionPlan PlanFrom(const std::string& text) {
  json::object o = json::parse(text).as_object();
  SessionPlan p;
  if (o.at("id").is_string()) p.id = std::string(o.at("id").as_string());
  p.name = std::string(o.at("name").as_string());
  p.amount = o.at("amount").as_int64();
  p.currency = std::string(o.at("currency").as_string());
  p.interval = *ParseInterval(std::string(o.at("interval").as_string()));
  p.interval_count = static_cast<int>(o.at("interval_count").as_int64());
  p.trial_days = static_cast<int>(o.at("trial_days").as_int64());
  return p;
}

Session Read(const Stmt& q) {
  Session s;
  s.id = q.Text(0);
  s.livemode = q.Int(1) != 0;
  s.mode = q.Text(2);
  s.status = q.Text(3);
  s.amount = q.Int(4);
  s.currency = q.Text(5);
  s.line_items = LineItemsFrom(q.Text(6));
  if (auto plan = q.OptText(7)) s.plan = PlanFrom(*plan);
  if (auto trial = q.OptInt(8)) s.trial_days = static_cast<int>(*trial);
  s.customer_email = q.OptText(9);
  s.client_reference_id = q.OptText(10);
  s.success_url = q.Text(11);
  s.cancel_url = q.Text(12);
  s.metadata = q.Text(13);
  s.subscription_id = q.OptText(14);
  s.payment_id = q.OptText(15);
  s.attempts = q.Int(16);
  s.sequence = q.Int(17);
  s.expires_at = q.Int(18);
  s.completed_at = q.OptInt(19);
  s.created_at = q.Int(20);
  s.updated_at = q.Int(21);
  s.provider_session = q.OptText(22);
  return s;
}

}  // namespace

void InsertSession(Db& db, const Session& s) {
  static const std::string sql = fmt::format(
      "INSERT INTO checkout_sessions ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      kColumns);
  std::optional<std::string> plan;
  if (s.plan) plan = json::serialize(PlanJson(*s.plan));
  std::optional<int64_t> trial;
  if (s.trial_days) trial = *s.trial_days;
  db.Cached(sql)
      .Args(s.id, int64_t{s.livemode}, s.mode, s.status, s.amount, s.currency,
            json::serialize(LineItemsJson(s.line_items)), plan, trial, s.customer_email,
            s.client_reference_id, s.success_url, s.cancel_url, s.metadata, s.subscription_id,
            s.payment_id, s.attempts, s.sequence, s.expires_at, s.completed_at, s.created_at,
            s.updated_at, s.provider_session)
      .Exec();
}

void SaveSession(Db& db, const Session& s) {
  std::optional<std::string> plan;
  if (s.plan) plan = json::serialize(PlanJson(*s.plan));
  db.Cached("UPDATE checkout_sessions SET status=?, plan=?, customer_email=?, subscription_id=?, "
            "payment_id=?, attempts=?, sequence=?, completed_at=?, updated_at=?, "
            "provider_session=? WHERE id=?")
      .Args(s.status, plan, s.customer_email, s.subscription_id, s.payment_id, s.attempts,
            s.sequence, s.completed_at, s.updated_at, s.provider_session, s.id)
      .Exec();
}

Result<Session> LoadSession(Db& db, const std::string& id, bool livemode) {
  static const std::string sql =
      fmt::format("SELECT {} FROM checkout_sessions WHERE id=? AND livemode=?", kColumns);
  auto& q = db.Cached(sql);
  q.Args(id, int64_t{livemode});
  if (!q.Step()) {
    q.Reset();
    return Status::NotFound(fmt::format("No such checkout session: {}", id), "id");
  }
  Session s = Read(q);
  q.Reset();
  return s;
}

std::vector<Session> ListSessions(Db& db, bool livemode, const std::string& status, int limit,
                                  const std::string& starting_after) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM checkout_sessions WHERE livemode=?1 AND (?2 = '' OR status=?2) AND "
      "(?3 = '' OR rowid < (SELECT rowid FROM checkout_sessions WHERE id=?3)) "
      "ORDER BY rowid DESC LIMIT ?4",
      kColumns));
  q.Args(int64_t{livemode}, status, starting_after, int64_t{limit});
  std::vector<Session> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::vector<Session> LoadExpiring(Db& db, UnixSeconds until, int limit) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM checkout_sessions WHERE status='pending' AND expires_at <= ? "
      "ORDER BY expires_at LIMIT ?",
      kColumns);
  auto& q = db.Cached(sql);
  q.Args(until, int64_t{limit});
  std::vector<Session> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::optional<UnixSeconds> EarliestSessionExpiry(Db& db) {
  auto& q = db.Cached("SELECT MIN(expires_at) FROM checkout_sessions WHERE status='pending'");
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

std::string CheckoutUrl(std::string_view base, std::string_view id) {
  return fmt::format("{}/checkout/{}", base, id);
}

json::object SessionView(const Session& s, std::string_view base_url) {
  json::object o{{"id", s.id},
                 {"object", "checkout.session"},
                 {"livemode", s.livemode},
                 {"mode", s.mode},
                 {"status", s.status},
                 {"checkout_url", CheckoutUrl(base_url, s.id)},
                 {"amount_cents", s.amount},
                 {"currency", s.currency}};
  if (s.subscription_mode()) {
    json::object plan = PlanJson(*s.plan);
    plan.erase("trial_days");
    o["plan"] = std::move(plan);
    o["trial_period_days"] =
        s.trial_days ? json::value(*s.trial_days) : json::value(s.plan->trial_days);
  } else {
    o["line_items"] = LineItemsJson(s.line_items);
  }
  o["customer_email"] = TextOrNull(s.customer_email);
  o["client_reference_id"] = TextOrNull(s.client_reference_id);
  o["success_url"] = s.success_url;
  o["cancel_url"] = s.cancel_url;
  o["metadata"] = json::parse(s.metadata);
  o["subscription_id"] = TextOrNull(s.subscription_id);
  o["payment_id"] = TextOrNull(s.payment_id);
  o["expires_at"] = FormatRfc3339(s.expires_at);
  o["completed_at"] = TimeOrNull(s.completed_at);
  o["created_at"] = FormatRfc3339(s.created_at);
  return o;
}

json::object SessionEventData(const Session& s) {
  return {{"id", s.id},
          {"status", s.status},
          {"amount_cents", s.amount},
          {"currency", s.currency},
          {"customer_email", TextOrNull(s.customer_email)},
          {"metadata", json::parse(s.metadata)},
          {"completed_at", TimeOrNull(s.completed_at)},
          {"mode", s.mode},
          {"client_reference_id", TextOrNull(s.client_reference_id)},
          {"subscription_id", TextOrNull(s.subscription_id)},
          {"payment_id", TextOrNull(s.payment_id)},
          {"sequence", s.sequence}};
}

}  // namespace jopay
