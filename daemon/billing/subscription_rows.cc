#include "daemon/billing/subscription_rows.h"

#include <fmt/core.h>

#include "common/ids.h"
#include "common/json_fields.h"
#include "daemon/billing/plan_change.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kSelect =
    "SELECT s.id, s.livemode, s.customer_id, c.email, s.plan_id, p.name, s.payment_method_id, "
    "pm.provider, pm.provider_ref, pm.brand, pm.last4, s.status, s.amount, s.currency, "
    "s.interval, s.interval_count, s.grace_days, s.billing_anchor, s.period_index, "
    "s.current_period_start, s.current_period_end, s.trial_start, s.trial_end, "
    "s.cancel_at_period_end, s.canceled_at, s.cancel_reason, s.ended_at, s.paused_at, "
    "s.next_action, s.next_action_at, s.retry_count, s.first_failed_at, s.sequence, "
    "s.metadata, s.created_at, s.updated_at, s.rowid, s.schedule, pm.provider_customer, pm.rail, "
    "s.pending_update "
    "FROM subscriptions s JOIN customers c ON c.id = s.customer_id "
    "JOIN plans p ON p.id = s.plan_id "
    "LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id ";

// Fills `s` (a fresh Subscription) from the current row of a kSelect query.
void ReadRow(const Stmt& q, Subscription& s) {
  s.id = q.Text(0);
  s.livemode = q.Int(1) != 0;
  s.customer_id = q.Text(2);
  s.customer_email = q.Text(3);
  s.plan_id = q.Text(4);
  s.plan_name = q.Text(5);
  s.payment_method_id = q.OptText(6);
  s.provider = q.Text(7);
  s.provider_ref = q.Text(8);
  s.card_brand = q.Text(9);
  s.card_last4 = q.Text(10);
  s.status = q.Text(11);
  s.amount = q.Int(12);
  s.currency = q.Text(13);
  s.interval = *ParseInterval(q.Text(14));
  s.interval_count = static_cast<int>(q.Int(15));
  s.grace_days = static_cast<int>(q.Int(16));
  s.billing_anchor = q.Int(17);
  s.period_index = q.Int(18);
  s.current_period_start = q.Int(19);
  s.current_period_end = q.Int(20);
  s.trial_start = q.OptInt(21);
  s.trial_end = q.OptInt(22);
  s.cancel_at_period_end = q.Int(23) != 0;
  s.canceled_at = q.OptInt(24);
  s.cancel_reason = q.OptText(25);
  s.ended_at = q.OptInt(26);
  s.paused_at = q.OptInt(27);
  s.next_action = q.OptText(28);
  s.next_action_at = q.OptInt(29);
  s.retry_count = static_cast<int>(q.Int(30));
  s.first_failed_at = q.OptInt(31);
  s.sequence = q.Int(32);
  s.metadata = q.Text(33);
  s.created_at = q.Int(34);
  s.updated_at = q.Int(35);
  s.rowid = q.Int(36);
  s.schedule = q.Int(37);
  s.provider_customer = q.OptText(38).value_or("");
  if (auto rail = q.OptText(39)) s.rail = std::move(*rail);
  if (auto pending = q.OptText(40)) s.pending_update = ParsePendingUpdate(*pending);
}

Subscription Read(const Stmt& q) {
  Subscription s;
  ReadRow(q, s);
  return s;
}

// Appends every row `q` gives, read in place, then resets it. Due batches reserve their
// size first: a batch is 10,000 subscriptions of ~40 fields each, and growing the vector moved
// them all again and again (a quarter of the batch loader's time).
void ReadInto(Stmt& q, std::vector<Subscription>& out) {
  while (q.Step()) ReadRow(q, out.emplace_back());
  q.Reset();
}

std::vector<Subscription> ReadAll(Stmt& q) {
  std::vector<Subscription> out;
  ReadInto(q, out);
  return out;
}

json::value Text(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

Subscription NewSubscriptionOf(const Plan& plan, const Customer& customer, bool livemode,
                               UnixSeconds now) {
  Subscription s;
  s.id = NewId("sub_");
  s.livemode = livemode;
  s.customer_id = customer.id;
  s.customer_email = customer.email;
  s.plan_id = plan.id;
  s.plan_name = plan.name;
  s.amount = plan.amount;
  s.currency = plan.currency;
  s.interval = plan.interval;
  s.interval_count = plan.interval_count;
  s.grace_days = plan.grace_days;
  s.created_at = s.updated_at = s.billing_anchor = s.current_period_start =
      s.current_period_end = now;
  return s;
}

void AttachCard(Db& db, Subscription& s, const SavedCard& card, UnixSeconds now) {
  s.payment_method_id = InsertPaymentMethod(db, s.livemode, s.customer_id, card, now);
  s.provider = card.provider;
  s.provider_ref = card.provider_ref;
  s.card_brand = card.brand;
  s.card_last4 = card.last4;
  s.provider_customer = card.provider_customer;
}

Status RequireIncomplete(const Subscription& s) {
  if (s.status == sub_status::kIncomplete) return Status::Ok();
  return Status::Conflict(
      fmt::format("The subscription is {}, not waiting for its first payment.", s.status),
      "subscription_not_pending");
}

void AttachPushRail(Db& db, Subscription& s, std::string_view rail, std::string_view provider,
                    UnixSeconds now) {
  std::string id = NewId("pm_");
  db.Cached("INSERT INTO payment_methods (id, livemode, customer_id, provider, provider_ref, "
            "brand, last4, created_at, rail) VALUES (?,?,?,?,'',?,'',?,?)")
      .Args(id, int64_t{s.livemode}, s.customer_id, provider, rail, now, rail)
      .Exec();
  s.payment_method_id = id;
  s.provider = std::string(provider);
  s.provider_ref.clear();
  s.card_brand = std::string(rail);
  s.card_last4.clear();
  s.rail = std::string(rail);
}

Result<Subscription> LoadSubscription(Db& db, const std::string& id, bool livemode) {
  static const std::string sql = std::string(kSelect) + "WHERE s.id = ? AND s.livemode = ?";
  auto& q = db.Cached(sql);
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such subscription: {}", id), "id");
  Subscription s = Read(q);
  q.Reset();
  return s;
}

void InsertSubscription(Db& db, const Subscription& s) {
  db.Cached(
        "INSERT INTO subscriptions (id, livemode, customer_id, plan_id, payment_method_id, "
        "status, amount, currency, interval, interval_count, grace_days, billing_anchor, "
        "period_index, current_period_start, current_period_end, trial_start, trial_end, "
        "cancel_at_period_end, canceled_at, cancel_reason, ended_at, paused_at, next_action, "
        "next_action_at, retry_count, first_failed_at, sequence, metadata, created_at, "
        "updated_at, schedule) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Args(s.id, int64_t{s.livemode}, s.customer_id, s.plan_id, s.payment_method_id, s.status,
            s.amount, s.currency, IntervalName(s.interval), int64_t{s.interval_count},
            int64_t{s.grace_days}, s.billing_anchor, s.period_index, s.current_period_start,
            s.current_period_end, s.trial_start, s.trial_end, int64_t{s.cancel_at_period_end},
            s.canceled_at, s.cancel_reason, s.ended_at, s.paused_at, s.next_action,
            s.next_action_at, int64_t{s.retry_count}, s.first_failed_at, s.sequence, s.metadata,
            s.created_at, s.updated_at, s.schedule)
      .Exec();
}

void SaveSubscription(Db& db, const Subscription& s) {
  std::optional<std::string> pending;
  if (s.pending_update) pending = PendingUpdateJson(*s.pending_update);
  db.Cached(
        "UPDATE subscriptions SET payment_method_id=?, status=?, billing_anchor=?, "
        "period_index=?, current_period_start=?, current_period_end=?, trial_start=?, "
        "trial_end=?, cancel_at_period_end=?, canceled_at=?, cancel_reason=?, ended_at=?, "
        "paused_at=?, next_action=?, next_action_at=?, retry_count=?, first_failed_at=?, "
        "sequence=?, metadata=?, updated_at=?, schedule=?, plan_id=?, amount=?, currency=?, "
        "interval=?, interval_count=?, grace_days=?, pending_update=? WHERE id=?")
      .Args(s.payment_method_id, s.status, s.billing_anchor, s.period_index,
            s.current_period_start, s.current_period_end, s.trial_start, s.trial_end,
            int64_t{s.cancel_at_period_end}, s.canceled_at, s.cancel_reason, s.ended_at,
            s.paused_at, s.next_action, s.next_action_at, int64_t{s.retry_count},
            s.first_failed_at, s.sequence, s.metadata, s.updated_at, s.schedule, s.plan_id,
            s.amount, s.currency, IntervalName(s.interval), int64_t{s.interval_count},
            int64_t{s.grace_days}, pending, s.id)
      .Exec();
}

void SaveDueState(Db& db, const Subscription& s) {
  static const SqlSlot sql(
      "UPDATE subscriptions SET status=?, billing_anchor=?, period_index=?, "
      "current_period_start=?, current_period_end=?, trial_start=?, trial_end=?, "
      "cancel_at_period_end=?, canceled_at=?, cancel_reason=?, ended_at=?, paused_at=?, "
      "next_action=?, next_action_at=?, retry_count=?, first_failed_at=?, sequence=?, "
      "updated_at=?, schedule=? WHERE rowid=?");
  db.Cached(sql)
      .ExecWith(s.status, s.billing_anchor, s.period_index, s.current_period_start,
                s.current_period_end, s.trial_start, s.trial_end, int64_t{s.cancel_at_period_end},
                s.canceled_at, s.cancel_reason, s.ended_at, s.paused_at, s.next_action,
                s.next_action_at, int64_t{s.retry_count}, s.first_failed_at, s.sequence,
                s.updated_at, s.schedule, s.rowid);
}

std::vector<Subscription> ListSubscriptions(Db& db, const SubscriptionFilter& f) {
  auto& q = db.Cached(std::string(kSelect) +
                      "WHERE s.livemode = ?1 AND (?2 = '' OR s.status = ?2) "
                      "AND (?3 = '' OR c.email = ?3) AND (?4 = '' OR s.plan_id = ?4) "
                      "AND (?5 = '' OR s.customer_id = ?5) "
                      "AND (?6 = '' OR s.rowid < (SELECT rowid FROM subscriptions WHERE id = ?6)) "
                      "AND (?8 = 0 OR s.status <> 'incomplete') "
                      "ORDER BY s.rowid DESC LIMIT ?7");
  q.Args(int64_t{f.livemode}, f.status, f.email, f.plan_id, f.customer_id, f.starting_after,
         int64_t{f.limit}, int64_t{f.hide_incomplete});
  return ReadAll(q);
}

std::vector<Subscription> LoadDue(Db& db, UnixSeconds until, int limit) {
  static const std::string sql =
      std::string(kSelect) + "WHERE s.next_action_at <= ? ORDER BY s.next_action_at, s.rowid LIMIT ?";
  auto& q = db.Cached(sql);
  q.Args(until, int64_t{limit});
  std::vector<Subscription> out;
  out.reserve(static_cast<size_t>(limit));
  ReadInto(q, out);
  return out;
}

int64_t CountDue(Db& db, UnixSeconds until) {
  // Answered from the partial due index alone.
  auto& q = db.Cached("SELECT count(*) FROM subscriptions WHERE next_action_at IS NOT NULL AND "
                      "next_action_at <= ?");
  q.Args(until);
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

std::vector<std::string> DueRowTables() {
  return {"subscriptions", "customers", "plans", "payment_methods"};  // kSelect's joins
}

std::vector<Subscription> LoadDueAfter(Db& db, UnixSeconds until, UnixSeconds after_at,
                                       int64_t after_rowid, int limit) {
  // Two range scans of the due index, not one `(next_action_at, rowid) > (?, ?)`: SQLite seeks
  // that on next_action_at alone and then skips every row of the same second one by one, which
  // made paging a million rows due at one time quadratic. The index holds rowid as its last
  // column, so "same second, later rowid" is a seek too.
  std::vector<Subscription> out;
  out.reserve(static_cast<size_t>(limit));
  if (after_at <= until) {
    auto& same = db.Cached(std::string(kSelect) +
                           "WHERE s.next_action_at = ?1 AND s.rowid > ?2 ORDER BY s.rowid LIMIT ?3");
    same.Args(after_at, after_rowid, int64_t{limit});
    ReadInto(same, out);
  }
  if (out.size() < static_cast<size_t>(limit)) {
    auto& later = db.Cached(std::string(kSelect) +
                            "WHERE s.next_action_at > ?1 AND s.next_action_at <= ?2 "
                            "ORDER BY s.next_action_at, s.rowid LIMIT ?3");
    later.Args(after_at, until, static_cast<int64_t>(limit - out.size()));
    ReadInto(later, out);
  }
  return out;
}

std::vector<std::string> LiveSubscriptionIdsOfPlan(Db& db, const std::string& plan_id) {
  auto& q = db.Cached("SELECT id FROM subscriptions WHERE plan_id = ? AND status != 'expired'");
  q.Args(plan_id);
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  return ids;
}

json::object SubscriptionView(const Subscription& s) {
  json::value card = nullptr;
  if (s.payment_method_id) {
    card = json::object{{"id", *s.payment_method_id}, {"brand", s.card_brand},
                        {"last4", s.card_last4}, {"rail", s.rail}};
  }
  return {{"id", s.id},
          {"object", "subscription"},
          {"livemode", s.livemode},
          {"status", s.status},
          {"customer_id", s.customer_id},
          {"customer_email", s.customer_email},
          {"plan_id", s.plan_id},
          {"plan_name", s.plan_name},
          {"plan_interval", IntervalName(s.interval)},
          {"interval_count", s.interval_count},
          {"amount_cents", s.amount},
          {"currency", s.currency},
          {"current_period_start", FormatRfc3339(s.current_period_start)},
          {"current_period_end", FormatRfc3339(s.current_period_end)},
          {"trial_start", TimeOrNull(s.trial_start)},
          {"trial_end", TimeOrNull(s.trial_end)},
          {"cancel_at_period_end", s.cancel_at_period_end},
          {"canceled_at", TimeOrNull(s.canceled_at)},
          {"cancel_reason", Text(s.cancel_reason)},
          {"ended_at", TimeOrNull(s.ended_at)},
          {"paused_at", TimeOrNull(s.paused_at)},
          {"next_action", Text(s.next_action)},
          {"next_action_at", TimeOrNull(s.next_action_at)},
          {"retry_count", s.retry_count},
          {"payment_method", card},
          {"metadata", json::parse(s.metadata)},
          {"pending_update", PendingUpdateView(s.pending_update)},
          {"created_at", FormatRfc3339(s.created_at)}};
}

}  // namespace jopay
