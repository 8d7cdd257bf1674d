// Refunds: money given back on a paid payment, in full or in part, never more than was paid
// and not already given back. Like a charge, a refund through a network provider is first a
// durable `pending` row with its idempotency key, sent by the charge sender after the commit;
// the answer settles it. Through the sandbox it succeeds at once.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/billing/payments.h"
#include "daemon/store/db.h"

namespace jopay {

struct Refund {
  std::string id;  // "re_..."
  bool livemode = false;
  std::string payment_id;
  int64_t amount = 0;
  std::string currency;
  std::optional<std::string> reason;  // duplicate, fraudulent, requested_by_customer
  std::string status;                 // pending, succeeded, failed
  std::optional<std::string> failure_message;
  std::optional<std::string> provider_ref;  // the provider's refund id
  std::string idempotency_key;
  std::optional<UnixSeconds> next_send_at;  // pending through a network provider (wall-clock)
  int sends = 0;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> succeeded_at;
};

// Stripe's refund reasons, which jopayd passes on.
bool ValidRefundReason(std::string_view reason);

struct NewRefund {
  std::string payment_id;
  std::optional<int64_t> amount;  // default: all that is left
  std::optional<std::string> reason;
  std::optional<std::string> idempotency_key;  // the same key gives the same refund back
};

// Creates a refund of a paid payment (writer job). `instant` says the payment's provider
// answers in-process: the refund succeeds now (payment.refunded written). Otherwise it is
// pending. Refused: the payment is not paid (kConflict "payment_not_refundable"), the amount
// is not 1..what is left after earlier and pending refunds (kInvalid "amount"), a key used for
// another refund (kConflict "idempotency_key_reused").
Status CreateRefund(Db& db, bool livemode, const NewRefund& req, bool instant, UnixSeconds now,
                    Refund* out);
Result<Refund> LoadRefund(Db& db, const std::string& id, bool livemode);
std::vector<Refund> RefundsOfPayment(Db& db, const std::string& payment_id);

// Pending refunds due to be sent at `now` (wall-clock).
std::vector<Refund> LoadSendableRefunds(Db& db, UnixSeconds now, int limit);
std::optional<UnixSeconds> EarliestRefundSend(Db& db);
// The provider's answer: succeeded (the payment's amount_refunded grows, payment.refunded) or
// failed; `next_send_at` set = not definite, sent again then with the same key.
void SettleRefund(Db& db, Refund& r, bool succeeded, const std::string& provider_ref,
                  const std::string& failure_message, UnixSeconds now);
void RescheduleRefund(Db& db, const Refund& r, UnixSeconds next_send_at);

boost::json::object RefundView(const Refund& r);

}  // namespace jopay
