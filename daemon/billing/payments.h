// Payments: one row per charge attempt, keyed for idempotency by (subscription, period, attempt).
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

struct Payment {
  std::string id;
  bool livemode = false;
  std::optional<std::string> subscription_id;
  std::string customer_id;
  std::optional<std::string> payment_method_id;
  std::string provider;
  int64_t amount = 0;
  std::string currency;
  std::string status;  // pending, paid, failed, refunded
  std::optional<std::string> failure_code;
  std::optional<std::string> failure_message;
  int attempt = 1;
  int64_t schedule = 0;
  std::optional<UnixSeconds> period_start;
  std::optional<UnixSeconds> period_end;
  std::string idempotency_key;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> paid_at;
  std::optional<std::string> provider_ref;  // the provider's id of the charge (PaymentIntent)
  // Pending network charges (charges/): when it is (re)sent, wall-clock; how many answers that
  // were not definite came back; since when it may have reached the provider (a key is
  // replayed by Stripe for 24 h only: later, the charge is looked up before any resend).
  std::optional<UnixSeconds> next_send_at;
  int sends = 0;
  std::optional<UnixSeconds> first_sent_at;
  int64_t amount_refunded = 0;
  std::optional<UnixSeconds> disputed_at;
  // The row's key, which the id spells (row_keys.h): rows are updated by it, since the id text
  // has no index of its own.
  int64_t pk = 0;
  std::optional<int64_t> invoice_pk;  // the invoice it pays (invoices.h)

  bool pending() const { return status == "pending"; }
};

// Records `p` under a new key and sets p.id to the id that spells it (row_keys.h).
void InsertPayment(Db& db, Payment& p);
// The payment recorded for this (subscription, schedule, period, attempt), if any.
std::optional<Payment> FindAttempt(Db& db, const std::string& subscription_id, int64_t schedule,
                                   UnixSeconds period_start, int attempt);
Result<Payment> LoadPayment(Db& db, const std::string& id, bool livemode);
// Newest first, filtered by subscription and/or status ("" = any).
std::vector<Payment> ListPayments(Db& db, bool livemode, const std::string& subscription_id,
                                  const std::string& status, int limit,
                                  const std::string& starting_after);

// Every attempt that billed invoice `invoice_pk`, oldest first.
std::vector<Payment> PaymentsOfInvoice(Db& db, int64_t invoice_pk);
// The last of them that paid it (paid, or refunded since), if any.
std::optional<Payment> PaymentOfInvoice(Db& db, int64_t invoice_pk);

boost::json::object PaymentView(const Payment& p);

// Pending network charges due to be sent at `now` (wall-clock), earliest first.
std::vector<Payment> LoadSendablePayments(Db& db, UnixSeconds now, int limit);
// The earliest next_send_at of any pending charge.
std::optional<UnixSeconds> EarliestSend(Db& db);
// How many payments are pending (charges in flight or waiting to be sent again).
int64_t CountPendingPayments(Db& db);
// A pending charge whose answer was not definite: sent again at `next_send_at`.
void RescheduleSend(Db& db, const Payment& p, UnixSeconds next_send_at);
// Writes what a charge's answer settled: status, failure, provider_ref, paid_at; no more sends.
// A paid charge pays its invoice (invoices.h).
void SettlePayment(Db& db, const Payment& p);
// Writes event `type` ("payment.refunded", "payment.disputed") about `p`: its view as data.
void EmitPaymentEvent(Db& db, const Payment& p, std::string_view type, UnixSeconds now);
// Money given back: amount_refunded grows to `refunded_total` (never shrinks; never past the
// amount), the payment becomes "refunded" when all of it is back, and payment.refunded is
// written. Returns false (nothing written) when the total is not larger than recorded.
bool RecordRefunded(Db& db, Payment& p, int64_t refunded_total, UnixSeconds now);

// The customer disputed the charge with their bank: disputed_at is set and payment.disputed
// written, once.
void RecordDisputed(Db& db, Payment& p, UnixSeconds now);

// The payment of `provider` whose charge the provider calls `ref`.
std::optional<Payment> FindPaymentByProviderRef(Db& db, const std::string& provider,
                                                const std::string& ref);

}  // namespace jopay
