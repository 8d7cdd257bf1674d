// Checkout sessions completed by an on-chain proof (Eventop's POST /checkout/{id}/complete):
// the customer's wallet created the subscription's account on Solana and names the
// transaction; jopayd proves it through an RPC node first (providers/solana/rpc.h, off the
// writer), then completes the session in a writer job with CompleteOnChain.
//
//   pending --proof--> completed   (checkout.session.completed + subscription.created, as a
//                                    provider's checkout completes it: CompleteWithProvider)
//
// The proof is kept on the session (chain_signature, chain_account, chain_wallet; a signature
// completes at most one session of a mode) and the subscription's payment method is the
// account: provider "solana", provider_ref the account, provider_customer the wallet.
#pragma once

#include <optional>
#include <string>

#include "daemon/checkout/session.h"
#include "daemon/providers/solana/proof.h"

namespace jopay {

// The proof session `id` was completed with, if it was completed on chain.
std::optional<solana::ChainProof> LoadChainProof(Db& db, const std::string& id);

// Whether `s` can be completed by `proof` at `now`, before and again after the proof is
// checked on chain (the state may have moved meanwhile):
// - Ok, `*already` true: it was completed by this very proof (answer as the first time);
// - Ok, `*already` false: a pending subscription session within its expiry, and the signature
//   completed no other session of its mode;
// - kConflict: completed by another proof or by a payment ("session_completed"), expired
//   ("session_expired"), cancelled ("session_not_pending"), the signature already completed
//   another session ("signature_already_used"), or a payment-mode session
//   ("session_not_subscription");
// - kInvalid "parameter_missing": the session has no customer email to subscribe.
Status CheckCompletableOnChain(Db& db, const Session& s, const solana::ChainProof& proof,
                               UnixSeconds now, bool* already);

// In a writer job: re-checks as above and completes the session, starting its subscription
// with the first period paid by the proof's transaction (or its trial). `*already` as above
// (nothing written).
Status CompleteOnChain(Db& db, Engine& engine, bool livemode, const std::string& id,
                       const solana::ChainProof& proof, UnixSeconds now, Session* out,
                       bool* already);

}  // namespace jopay
