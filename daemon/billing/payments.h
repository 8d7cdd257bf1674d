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

boost::json::object PaymentView(const Payment& p);

}  // namespace jopay
