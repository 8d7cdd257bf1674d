#include "daemon/billing/payments.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "common/metrics.h"
#include "daemon/billing/invoices.h"
#include "daemon/events/outbox.h"
#include "daemon/store/row_keys.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, livemode, subscription_id, customer_id, payment_method_id, provider, amount, currency, "
    "status, failure_code, failure_message, attempt, period_start, period_end, idempotency_key, "
    "created_at, paid_at, schedule, provider_ref, next_send_at, sends, first_sent_at, "
    "amount_refunded, disputed_at, pk, invoice_pk";

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
  p.provider_ref = q.OptText(18);
  p.next_send_at = q.OptInt(19);
  p.sends = static_cast<int>(q.Int(20));
  p.first_sent_at = q.OptInt(21);
  p.amount_refunded = q.Int(22);
  p.disputed_at = q.OptInt(23);
  p.pk = q.Int(24);
  p.invoice_pk = q.OptInt(25);
  return p;
}


// Counts a charge's outcome (and the money a paid one took) for /metrics once the transaction
// that recorded it commits; a pending charge is counted when it settles.
void CountSettled(Db& db, const Payment& p) {
  if (p.pending()) return;
  db.AfterCommit([mode = p.livemode ? "live" : "test", provider = p.provider, status = p.status,
                  currency = p.currency, amount = p.amount] {
    static auto& charges = metrics::Global().Counters(
        "jopay_charges_total", "Charges settled, by mode, provider and outcome (paid, failed).",
        {"mode", "provider", "outcome"});
    static auto& money = metrics::Global().Counters(
        "jopay_charged_minor_units_total",
        "Money collected by paid charges, in the currency's minor units (cents).",
        {"mode", "currency"});
    charges.With({mode, provider, status}).Add();
    if (status == "paid") money.With({mode, currency}).Add(static_cast<uint64_t>(amount));
  });
}

}  // namespace

void InsertPayment(Db& db, Payment& p) {
  RowKey key = NewRowKey(db, kPaymentsTable);
  p.id = std::move(key.id);
  p.pk = key.pk;
  // Built once: this runs for every renewal.
  static const SqlSlot sql(
      "INSERT INTO payments (pk, id, livemode, subscription_id, customer_id, payment_method_id, "
      "provider, amount, currency, status, failure_code, failure_message, attempt, period_start, "
      "period_end, idempotency_key, created_at, paid_at, schedule, provider_ref, next_send_at, "
      "first_sent_at, invoice_pk) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  db.Cached(sql).ExecWith(key.pk, p.id, int64_t{p.livemode}, p.subscription_id, p.customer_id,
                          p.payment_method_id, p.provider, p.amount, p.currency, p.status,
                          p.failure_code, p.failure_message, int64_t{p.attempt}, p.period_start,
                          p.period_end, p.idempotency_key, p.created_at, p.paid_at, p.schedule,
                          p.provider_ref, p.next_send_at, p.first_sent_at, p.invoice_pk);
  CountSettled(db, p);
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

std::vector<Payment> PaymentsOfInvoice(Db& db, int64_t invoice_pk) {
  auto& q = db.Cached(
      fmt::format("SELECT {} FROM payments WHERE invoice_pk=? ORDER BY pk", kColumns));
  q.Args(invoice_pk);
  std::vector<Payment> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::optional<Payment> PaymentOfInvoice(Db& db, int64_t invoice_pk) {
  std::vector<Payment> all = PaymentsOfInvoice(db, invoice_pk);
  auto paid = std::find_if(all.rbegin(), all.rend(), [](const Payment& p) {
    return p.status == "paid" || p.status == "refunded";
  });
  if (paid == all.rend()) return std::nullopt;
  return std::move(*paid);
}

json::object PaymentView(const Payment& p) {
  return {{"id", p.id},
          {"object", "payment"},
          {"livemode", p.livemode},
          {"subscription_id", TextOrNull(p.subscription_id)},
          {"customer_id", p.customer_id},
          {"amount", p.amount},
          {"currency", p.currency},
          {"status", p.status},
          {"failure_code", TextOrNull(p.failure_code)},
          {"failure_message", TextOrNull(p.failure_message)},
          {"attempt", p.attempt},
          {"period_start", TimeOrNull(p.period_start)},
          {"period_end", TimeOrNull(p.period_end)},
          {"idempotency_key", p.idempotency_key},
          {"provider", p.provider},
          {"payment_method_id", TextOrNull(p.payment_method_id)},
          {"created_at", FormatRfc3339(p.created_at)},
          {"paid_at", TimeOrNull(p.paid_at)},
          {"provider_ref", TextOrNull(p.provider_ref)},
          // A charge still with the provider: sent and waiting, or to be sent again.
          {"in_flight", p.pending() && p.next_send_at.has_value()},
          {"amount_refunded", p.amount_refunded},
          {"disputed_at", TimeOrNull(p.disputed_at)}};
}

std::vector<Payment> LoadSendablePayments(Db& db, UnixSeconds now, int limit) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM payments WHERE next_send_at IS NOT NULL AND "
                                  "next_send_at <= ? ORDER BY next_send_at LIMIT ?",
                                  kColumns));
  q.Args(now, int64_t{limit});
  std::vector<Payment> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::optional<UnixSeconds> EarliestSend(Db& db) {
  auto& q = db.Cached("SELECT MIN(next_send_at) FROM payments WHERE next_send_at IS NOT NULL");
  q.Reset();
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

int64_t CountPendingPayments(Db& db) {
  auto& q = db.Cached("SELECT count(*) FROM payments WHERE next_send_at IS NOT NULL");
  q.Reset();
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

void RescheduleSend(Db& db, const Payment& p, UnixSeconds next_send_at) {
  db.Cached("UPDATE payments SET next_send_at=?, sends=?, first_sent_at=?, provider_ref=? "
            "WHERE pk=? AND status='pending'")
      .Args(next_send_at, int64_t{p.sends}, p.first_sent_at, p.provider_ref, p.pk)
      .Exec();
}

void SettlePayment(Db& db, const Payment& p) {
  db.Cached("UPDATE payments SET status=?, failure_code=?, failure_message=?, provider_ref=?, "
            "paid_at=?, sends=?, next_send_at=NULL WHERE pk=?")
      .Args(p.status, p.failure_code, p.failure_message, p.provider_ref, p.paid_at,
            int64_t{p.sends}, p.pk)
      .Exec();
  CountSettled(db, p);
  if (p.status == "paid" && p.invoice_pk) {
    MarkInvoicePaid(db, *p.invoice_pk, p.amount, p.paid_at.value_or(p.created_at));
  }
}

std::optional<Payment> FindPaymentByProviderRef(Db& db, const std::string& provider,
                                                const std::string& ref) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM payments WHERE provider_ref=? AND provider=? ORDER BY pk DESC LIMIT 1",
      kColumns));
  q.Args(ref, provider);
  std::optional<Payment> p;
  if (q.Step()) p = Read(q);
  q.Reset();
  return p;
}

void EmitPaymentEvent(Db& db, const Payment& p, std::string_view type, UnixSeconds now) {
  Event e;
  e.livemode = p.livemode;
  e.type = std::string(type);
  e.object_id = p.id;
  e.sequence = NextSequence(db, p.id);
  json::object data = PaymentView(p);
  data["sequence"] = e.sequence;
  e.data = json::serialize(data);
  e.created_at = now;
  InsertEvent(db, e);
}

bool RecordRefunded(Db& db, Payment& p, int64_t refunded_total, UnixSeconds now) {
  refunded_total = std::min(refunded_total, p.amount);
  if (refunded_total <= p.amount_refunded) return false;
  p.amount_refunded = refunded_total;
  if (p.amount_refunded == p.amount) p.status = "refunded";
  db.Cached("UPDATE payments SET amount_refunded=?, status=? WHERE pk=?")
      .Args(p.amount_refunded, p.status, p.pk)
      .Exec();
  EmitPaymentEvent(db, p, "payment.refunded", now);
  return true;
}

void RecordDisputed(Db& db, Payment& p, UnixSeconds now) {
  if (p.disputed_at) return;
  p.disputed_at = now;
  db.Cached("UPDATE payments SET disputed_at=? WHERE pk=?").Args(now, p.pk).Exec();
  EmitPaymentEvent(db, p, "payment.disputed", now);
}

}  // namespace jopay
