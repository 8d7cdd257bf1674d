#include "daemon/billing/payments.h"

#include <fmt/core.h>

#include "daemon/store/row_keys.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, livemode, subscription_id, customer_id, payment_method_id, provider, amount, currency, "
    "status, failure_code, failure_message, attempt, period_start, period_end, idempotency_key, "
    "created_at, paid_at, schedule";

Payment Read(const Stmt& q) {
  Payment p;
  p.id = q.Text(0);
  p.livemode = q.Int(1) != 0;
  p.subscription_id = q.OptText(2);
  p.customer_id = q.Text(3);
  p.payment_method_id = q.OptText(4);
  p.provider = q.Text(5);
  p.amount = q.Int(6);
  p.currency = q.Text(7);
  p.status = q.Text(8);
  p.failure_code = q.OptText(9);
  p.failure_message = q.OptText(10);
  p.attempt = static_cast<int>(q.Int(11));
  p.period_start = q.OptInt(12);
  p.period_end = q.OptInt(13);
  p.idempotency_key = q.Text(14);
  p.created_at = q.Int(15);
  p.paid_at = q.OptInt(16);
  p.schedule = q.Int(17);
  return p;
}

json::value Opt(const std::optional<std::string>& s) { return s ? json::value(*s) : nullptr; }
json::value OptTime(std::optional<UnixSeconds> t) {
  return t ? json::value(FormatRfc3339(*t)) : nullptr;
}

}  // namespace

void InsertPayment(Db& db, Payment& p) {
  RowKey key = NewRowKey(db, kPaymentsTable);
  p.id = std::move(key.id);
  // Built once: this runs for every renewal.
  static const SqlSlot sql(fmt::format(
      "INSERT INTO payments (pk, {}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kColumns));
  db.Cached(sql).ExecWith(key.pk, p.id, int64_t{p.livemode}, p.subscription_id, p.customer_id,
                          p.payment_method_id, p.provider, p.amount, p.currency, p.status,
                          p.failure_code, p.failure_message, int64_t{p.attempt}, p.period_start,
                          p.period_end, p.idempotency_key, p.created_at, p.paid_at, p.schedule);
}

std::optional<Payment> FindAttempt(Db& db, const std::string& subscription_id, int64_t schedule,
                                   UnixSeconds period_start, int attempt) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM payments WHERE subscription_id=? AND "
                                  "schedule=? AND period_start=? AND attempt=?",
                                  kColumns));
  q.Args(subscription_id, schedule, period_start, int64_t{attempt});
  if (!q.Step()) return std::nullopt;
  Payment p = Read(q);
  q.Reset();
  return p;
}

Result<Payment> LoadPayment(Db& db, const std::string& id, bool livemode) {
  auto missing = [&] { return Status::NotFound(fmt::format("No such payment: {}", id), "id"); };
  std::optional<int64_t> pk = FindPk(db, kPaymentsTable, id);
  if (!pk) return missing();
  auto& q = db.Cached(fmt::format("SELECT {} FROM payments WHERE pk=? AND livemode=?", kColumns));
  q.Args(*pk, int64_t{livemode});
  if (!q.Step()) return missing();
  Payment p = Read(q);
  q.Reset();
  return p;
}

std::vector<Payment> ListPayments(Db& db, bool livemode, const std::string& subscription_id,
                                  const std::string& status, int limit,
                                  const std::string& starting_after) {
  int64_t below = PageBelow(db, kPaymentsTable, starting_after);
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM payments WHERE livemode=?1 AND (?2 = '' OR subscription_id=?2) AND "
      "(?3 = '' OR status=?3) AND pk < ?4 ORDER BY pk DESC LIMIT ?5",
      kColumns));
  q.Args(int64_t{livemode}, subscription_id, status, below, int64_t{limit});
  std::vector<Payment> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

json::object PaymentView(const Payment& p) {
  return {{"id", p.id},
          {"object", "payment"},
          {"livemode", p.livemode},
          {"subscription_id", Opt(p.subscription_id)},
          {"customer_id", p.customer_id},
          {"amount", p.amount},
          {"currency", p.currency},
          {"status", p.status},
          {"failure_code", Opt(p.failure_code)},
          {"failure_message", Opt(p.failure_message)},
          {"attempt", p.attempt},
          {"period_start", OptTime(p.period_start)},
          {"period_end", OptTime(p.period_end)},
          {"idempotency_key", p.idempotency_key},
          {"provider", p.provider},
          {"payment_method_id", Opt(p.payment_method_id)},
          {"created_at", FormatRfc3339(p.created_at)},
          {"paid_at", OptTime(p.paid_at)}};
}

}  // namespace jopay
