// "solana" as a payment provider: how an Eventop subscription (completed on chain,
// routes_eventop_complete.cc) renews. The chain collects by itself; at each period end the
// period's charge only reads the subscription account (the saved method's provider_ref, the
// subscriptionPda) to learn whether the subscription still stands (account.h says how it is
// read). Nothing is sent to the chain; no money moves through JoPay.
#pragma once

#include <string>

#include "daemon/providers/provider.h"
#include "daemon/providers/solana/rpc.h"

namespace jopay::solana {

// Reads the account through a Solana JSON-RPC node, as a network provider: the billing engine
// writes the period's charge pending and the charge sender asks here, off the writer. No
// answer from the node -> kUnknown, asked again later with the same key; reading again never
// charges twice, since reading charges nothing.
class ChainProvider : public Provider {
 public:
  // `rpc_url`: the mode's node (Config::SolanaRpcUrl). It has its own connections, apart
  // from the completion's (solana::Endpoints), so that Shutdown stops only these.
  ChainProvider(std::string rpc_url, bool livemode) : rpc_(std::move(rpc_url), livemode) {}

  std::string_view name() const override { return "solana"; }
  bool simulated() const override { return false; }
  bool instant() const override { return false; }
  // Eventop methods are saved by the on-chain completion, never from a card number.
  Result<SavedCard> Attach(std::string_view) override;
  ChargeOutcome Charge(std::string_view, int64_t, std::string_view, std::string_view) override;
  void SendCharge(const ChargeIntent& intent, AnswerFn done) override;
  // The same read: the account as it stands now answers for the period.
  void FindCharge(const ChargeIntent& intent, AnswerFn done) override { SendCharge(intent, done); }
  // Declined: the money moved on chain, from the customer's wallet to the merchant's; only
  // the merchant can send it back, on chain.
  void SendRefund(const RefundIntent&, AnswerFn done) override;
  void Shutdown() override { rpc_.Shutdown(); }

 private:
  Rpc rpc_;
};

// Test mode without a node (the completion's sandbox): every renewal is paid, in-process.
class SandboxChainProvider : public Provider {
 public:
  std::string_view name() const override { return "solana"; }
  bool simulated() const override { return true; }
  bool instant() const override { return true; }
  Result<SavedCard> Attach(std::string_view) override;
  // Paid, provider_ref "solana:<pda>:sandbox".
  ChargeOutcome Charge(std::string_view provider_ref, int64_t, std::string_view,
                       std::string_view) override;
};

}  // namespace jopay::solana
