// What a Solana node says about an Eventop subscription account (the subscriptionPda) at a
// period end, read as the answer to that period's charge. The chain collects by itself
// (Eventop's program moves the fee each paymentInterval); JoPay only looks at the account to
// learn whether the subscription still stands. Pure functions over getAccountInfo's JSON, so
// every shape is unit-tested without a node (account_test.cc); provider.h asks.
#pragma once

#include <boost/json.hpp>

#include <string>

#include "daemon/providers/provider.h"

namespace jopay::solana {

// getAccountInfo's params for `account`: commitment "confirmed" (as the completion's proof),
// encoding "base64" (Eventop's program has no jsonParsed form; base64 is exact and compact).
boost::json::array AccountInfoParams(const std::string& account);

// Reads getAccountInfo's `result` for `account`:
// - `value` null, or no lamports left: the account is gone (Eventop's cancel_subscription
//   closes it, which is how a customer stops paying) -> kDeclined
//   "subscription_account_closed";
// - data laid out as Eventop's SubscriptionState (its Anchor discriminator) with is_active
//   false -> kDeclined "subscription_inactive";
// - any other account that exists -> kPaid, provider_ref "solana:<account>:<slot>" (the slot
//   the node read it at: what the payment row records was seen). Data in another layout is
//   not read: existence is what is checked;
// - anything unreadable -> kUnknown (asked again later).
ChargeAnswer AccountAnswer(const boost::json::value& result, const std::string& account);

}  // namespace jopay::solana
