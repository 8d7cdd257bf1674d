// SatsPay Server's charges (the LNbits extension, github.com/lnbits/satspay at 92fce78, read
// for these shapes: models.py CreateCharge / Charge, views_api.py, crud.py, helpers.py):
//
//   POST /satspay/api/v1/charge      X-Api-Key: <invoice key>, a CreateCharge body:
//     description (required), time (minutes, >= 1), amount (sats, >= 1) or currency +
//     currency_amount (a float of major units; SatsPay converts it at its own rate and stores
//     amount = round(rate * currency_amount)), lnbitswallet and/or onchainwallet, webhook,
//     completelink, name, extra (a string).
//   GET  /satspay/api/v1/charge/{id} X-Api-Key: <invoice key>
//   Both answer the whole Charge: id, amount (sats), time, timestamp (datetime.now(): ISO 8601
//   without a zone, e.g. "2025-01-31T10:00:00.123456"; an int in old versions), balance,
//   pending, paid, payment_request (BOLT11), payment_hash, onchainaddress, currency,
//   currency_amount, ...
//   The webhook is unsigned: a GET whose body is the charge JSON, or (webhook_method POST) a
//   POST whose JSON body is that JSON text again as a string (httpx json=charge.json()).
//
// These functions are pure: request bodies and answers in, no I/O.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/providers/push_provider.h"

namespace jopay::satspay {

// An account's LNbits wallet ids: where a rail's money goes ("" when that rail is off).
struct Wallets {
  std::string lightning;  // a Lightning wallet (satspay-*-wallet)
  std::string onchain;    // a watch-only wallet (satspay-*-onchain-wallet)
};

// Minutes the charge stays open: `expires_in` seconds rounded up, at least 1 (SatsPay's floor).
int64_t ChargeMinutes(int64_t expires_in);

// The body of POST /satspay/api/v1/charge. A sat amount goes as `amount`; a fiat amount as
// `currency` (uppercase) and `currency_amount`, its minor units written as the exact decimal
// of major units (1499 eur -> 14.99, 500 jpy -> 500), which SatsPay reads as a float: the
// nearest double to that decimal. Only the rail's wallet is named. The payment id goes in
// `name` and in `extra` ({"jopay_payment_id": ...}). kInvalid when the rail is unknown or
// has no wallet, the currency is unknown, or the amount is below 1.
Result<std::string> ChargeBody(const PushChargeRequest& request, const Wallets& wallets);

// A Charge object as a PushCharge: bolt11 = payment_request, address = onchainaddress,
// amount_sats = amount, amount_received_sats = balance, paid, expires_at = timestamp + time
// minutes, and for a fiat charge the rate SatsPay used, stated exactly as it shows it:
// "14.99 EUR = 23178 sat" (SatsPay keeps no rate, only both amounts). kInvalid naming the
// field when id, amount, time, timestamp or paid is missing or malformed.
Result<PushCharge> ChargeOf(const boost::json::object& charge);

// The answer a 2xx body of a create (`asked` set) or a read (`asked` null) gives: kOk with
// the charge; kUnknown when the body is not a charge jopayd can read; a created charge also
// needs the rail's destination (a BOLT11 or an address) and, for a sat amount, exactly the
// amount asked (kRefused otherwise, with the provider_ref so it can be read back).
PushAnswer ChargeAnswerOf(const boost::json::value& body, const PushChargeRequest* asked);

// SatsPay's timestamp as Unix seconds: ISO 8601 with or without an offset (none: UTC, as
// LNbits servers run), fractions dropped; or Unix seconds as an integer.
Result<UnixSeconds> TimestampOf(const boost::json::value& timestamp);

// The charge id a callback names: its body is the charge JSON, or that JSON as a JSON string
// (POST). Only the id is taken: the callback is unsigned, so the charge is read back before
// anything is believed. kInvalid when the body names no charge.
Result<std::string> CallbackChargeId(std::string_view body);

}  // namespace jopay::satspay
