// Push charges: the place to pay a pending payment of a push rail (a Lightning invoice, an
// on-chain address) and what its provider said of it (schema.sql migration 9). One row per
// payment, found by the payment's key.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "daemon/billing/payments.h"
#include "daemon/providers/push_provider.h"
#include "daemon/store/db.h"

namespace jopay {

struct PushChargeRow {
  int64_t payment_pk = 0;
  std::string rail;      // "lightning", "onchain"
  std::string provider;  // "sandbox", "satspay", "btcpay"
  PushCharge charge;     // provider_ref, bolt11, address, amount_sats, rate, expires_at, received
  bool unapplied = false;
  std::optional<UnixSeconds> next_check_at;  // wall-clock: a network provider is still to be asked
};

void InsertPushCharge(Db& db, const PushChargeRow& row);
std::optional<PushChargeRow> LoadPushCharge(Db& db, int64_t payment_pk);
// The pending payment a provider's charge id belongs to.
std::optional<int64_t> FindPushChargeByRef(Db& db, const std::string& provider,
                                           const std::string& provider_ref);
// The subscription's newest pending push payment on `rail`, if any.
std::optional<std::string> PendingPushPaymentOf(Db& db, const std::string& subscription_id,
                                                std::string_view rail);
void RecordReceived(Db& db, int64_t payment_pk, int64_t received_sats);
// Paid after its subscription had moved on: kept for the operator to refund or credit.
void MarkUnapplied(Db& db, int64_t payment_pk);
// How many unapplied payments of this mode are not refunded yet (status warns about them).
int64_t CountUnapplied(Db& db, bool livemode);

// The customer-facing parts: rail, invoice / address, amount in sats, rate, expiry, and the
// payment URI a wallet opens ("lightning:..." or a BIP 21 "bitcoin:..." with the amount).
boost::json::object PushChargeView(const PushChargeRow& row);
std::string PaymentUri(const PushChargeRow& row);

}  // namespace jopay
