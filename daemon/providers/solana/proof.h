// What a customer's wallet claims when it completes an Eventop checkout on chain, and how an
// answer of a Solana JSON-RPC node proves it (or not). Pure functions over the RPC's JSON, so
// that every shape and refusal is unit-tested without a node (proof_test.cc); rpc.h asks.
#pragma once

#include <boost/json.hpp>

#include <string>

#include "common/status.h"

namespace jopay::solana {

struct ChainProof {
  std::string signature;  // the transaction's first signature (its id), base58
  std::string account;    // the subscription's account (Eventop's subscriptionPda)
  std::string wallet;     // the customer's wallet (userWallet): must have signed

  bool operator==(const ChainProof&) const = default;
};

// Checks the `result` of getTransaction (asked with commitment "confirmed", so a result is a
// confirmed or finalized transaction; encoding "jsonParsed" or "json") against `proof`:
// - null (not found, or not confirmed yet) -> kInvalid "transaction_not_found";
// - meta.err not null (it ran and failed) -> kInvalid "transaction_failed";
// - the signature not among its signatures, the account not among its account keys (the
//   message's or, for a v0 transaction, the ones loaded from lookup tables), or the wallet not
//   a signer -> kInvalid "transaction_mismatch" naming the field;
// - anything else unreadable -> kUnavailable (the node answered something jopayd cannot read).
Status CheckTransaction(const boost::json::value& result, const ChainProof& proof);

// After getTransaction found nothing: `value` (getSignatureStatuses' result.value[0]) tells a
// transaction still being confirmed (kConflict "transaction_not_confirmed": try again in a few
// seconds) from one the cluster never saw (kInvalid "transaction_not_found"). A status that
// carries an error -> kInvalid "transaction_failed".
Status ExplainMissing(const boost::json::value& value);

}  // namespace jopay::solana
