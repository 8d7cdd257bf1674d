#include "daemon/billing/refunds.h"

#include <fmt/core.h>

#include "common/ids.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, livemode, payment_id, amount, currency, reason, status, failure_message, provider_ref, "
    "idempotency_key, next_send_at, sends, created_at, succeeded_at";

Refund Read(const Stmt& q) {
  Refund r;
  r.id = q.Text(0);
  r.livemode = q.Int(1) != 0;
  r.payment_id = q.Text(2);
  r.amount = q.Int(3);
  r.currency = q.Text(4);
  r.reason = q.OptText(5);
  r.status = q.Text(6);
  r.failure_message = q.OptText(7);
  r.provider_ref = q.OptText(8);
  r.idempotency_key = q.Text(9);
  r.next_send_at = q.OptInt(10);
  r.sends = static_cast<int>(q.Int(11));
  r.created_at = q.Int(12);
  r.succeeded_at = q.OptInt(13);
  return r;
}

std::optional<Refund> FindByKey(Db& db, const std::string& key) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM refunds WHERE idempotency_key=?", kColumns));
  q.Args(key);
  std::optional<Refund> r;
  if (q.Step()) r = Read(q);
  q.Reset();
  return r;
}

// What is still refundable: paid, less what was refunded and what is being refunded.
int64_t Refundable(Db& db, const Payment& p) {
  auto& q = db.Cached("SELECT IFNULL(SUM(amount), 0) FROM refunds WHERE payment_id=? AND "
                      "status='pending'");
  q.Args(p.id);
  q.Step();
  int64_t pending = q.Int(0);
  q.Reset();
  return p.amount - p.amount_refunded - pending;
}

// What JoPay's own refunds of a payment gave back. The payment's amount_refunded is the
// larger of this and what the provider reports (refunds made at the provider directly, seen in
// its callbacks): both grow only, and counting either twice is impossible this way.
int64_t SucceededTotal(Db& db, const std::string& payment_id) {
  auto& q = db.Cached("SELECT IFNULL(SUM(amount), 0) FROM refunds WHERE payment_id=? AND "
                      "status='succeeded'");
  q.Args(payment_id);
  q.Step();
  int64_t total = q.Int(0);
  q.Reset();
  return total;
}

void Insert(Db& db, const Refund& r) {
  db.Cached(fmt::format("INSERT INTO refunds ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kColumns))
      .Args(r.id, int64_t{r.livemode}, r.payment_id, r.amount, r.currency, r.reason, r.status,
            r.failure_message, r.provider_ref, r.idempotency_key, r.next_send_at,
            int64_t{r.sends}, r.created_at, r.succeeded_at)
      .Exec();
}

}  // namespace

bool ValidRefundReason(std::string_view reason) {
  return reason == "duplicate" || reason == "fraudulent" || reason == "requested_by_customer";
}

Status CreateRefund(Db& db, bool livemode, const NewRefund& req, bool instant, UnixSeconds now,
                    Refund* out) {
  auto p = LoadPayment(db, req.payment_id, livemode);
  if (!p.ok()) return p.status();
  if (req.idempotency_key) {
    if (auto prior = FindByKey(db, *req.idempotency_key)) {
      if (prior->payment_id != p->id || (req.amount && *req.amount != prior->amount)) {
        return Status::Conflict("This idempotency key was used for another refund.",
                                "idempotency_key_reused");
      }
      *out = *prior;
      return Status::Ok();
    }
  }
  if (p->status == "refunded") {
    return Status::Conflict(fmt::format("Payment {} is already refunded in full.", p->id),
                            "payment_not_refundable");
  }
  if (p->status != "paid") {
    return Status::Conflict(
        fmt::format("Payment {} is {}: only a paid payment can be refunded.", p->id, p->status),
        "payment_not_refundable");
  }
  int64_t left = Refundable(db, *p);
  int64_t amount = req.amount.value_or(left);
  if (left <= 0) {
    return Status::Conflict(fmt::format("Payment {} is already refunded in full.", p->id),
                            "payment_not_refundable");
  }
  if (amount < 1 || amount > left) {
    return Status::Invalid(fmt::format("amount must be 1 to {} (what is left of payment {})",
                                       left, p->id),
                           "amount");
  }
  Refund r;
  r.id = NewId("re_");
  r.livemode = livemode;
  r.payment_id = p->id;
  r.amount = amount;
  r.currency = p->currency;
  r.reason = req.reason;
  r.idempotency_key = req.idempotency_key.value_or(r.id);
  r.created_at = now;
  if (instant) {
    r.status = "succeeded";
    r.succeeded_at = now;
    Insert(db, r);
    RecordRefunded(db, *p, SucceededTotal(db, p->id), now);
  } else {
    r.status = "pending";
    r.next_send_at = SystemNow();  // sent after this commits (wall-clock)
    Insert(db, r);
  }
  *out = std::move(r);
  return Status::Ok();
}

Result<Refund> LoadRefund(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM refunds WHERE id=? AND livemode=?", kColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such refund: {}", id), "id");
  Refund r = Read(q);
  q.Reset();
  return r;
}

std::vector<Refund> RefundsOfPayment(Db& db, const std::string& payment_id) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM refunds WHERE payment_id=? ORDER BY created_at, id",
                                  kColumns));
  q.Args(payment_id);
  std::vector<Refund> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::vector<Refund> LoadSendableRefunds(Db& db, UnixSeconds now, int limit) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM refunds WHERE next_send_at IS NOT NULL AND "
                                  "next_send_at <= ? ORDER BY next_send_at LIMIT ?",
                                  kColumns));
  q.Args(now, int64_t{limit});
  std::vector<Refund> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::optional<UnixSeconds> EarliestRefundSend(Db& db) {
  auto& q = db.Cached("SELECT MIN(next_send_at) FROM refunds WHERE next_send_at IS NOT NULL");
  q.Reset();
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

void SettleRefund(Db& db, Refund& r, bool succeeded, const std::string& provider_ref,
                  const std::string& failure_message, UnixSeconds now) {
  auto current = LoadRefund(db, r.id, r.livemode);
  if (!current.ok() || current->status != "pending") return;  // settled before
  r.status = succeeded ? "succeeded" : "failed";
  if (!provider_ref.empty()) r.provider_ref = provider_ref;
  if (succeeded) r.succeeded_at = now;
  if (!succeeded) r.failure_message = failure_message;
  db.Cached("UPDATE refunds SET status=?, provider_ref=?, failure_message=?, succeeded_at=?, "
            "next_send_at=NULL WHERE id=?")
      .Args(r.status, r.provider_ref, r.failure_message, r.succeeded_at, r.id)
      .Exec();
  if (!succeeded) return;
  auto p = LoadPayment(db, r.payment_id, r.livemode);
  if (p.ok()) RecordRefunded(db, *p, SucceededTotal(db, p->id), now);
}

void RescheduleRefund(Db& db, const Refund& r, UnixSeconds next_send_at) {
  db.Cached("UPDATE refunds SET next_send_at=?, sends=? WHERE id=? AND status='pending'")
      .Args(next_send_at, int64_t{r.sends}, r.id)
      .Exec();
}

json::object RefundView(const Refund& r) {
  auto opt = [](const std::optional<std::string>& s) { return s ? json::value(*s) : nullptr; };
  return {{"id", r.id},
          {"object", "refund"},
          {"livemode", r.livemode},
          {"payment_id", r.payment_id},
          {"amount", r.amount},
          {"currency", r.currency},
          {"reason", opt(r.reason)},
          {"status", r.status},
          {"failure_message", opt(r.failure_message)},
          {"provider_ref", opt(r.provider_ref)},
          {"created_at", FormatRfc3339(r.created_at)},
          {"succeeded_at", r.succeeded_at ? json::value(FormatRfc3339(*r.succeeded_at)) : nullptr}};
}

}  // namespace jopay
