// The test-mode sandbox of the push rails, so that the quick start and demos take Lightning and
// on-chain payments offline: a real, signed regtest BOLT11 invoice ("lnbcrt...", bitcoin/
// bolt11.h) or a regtest P2WPKH address ("bcrt1q..."), made in-process (instant: it may run
// inside the writer). Nothing on any network pays them: `jopayctl payments pay` and the hosted
// page's test button play the customer's wallet. Fiat amounts convert at a fixed sandbox rate
// of 1,000 sats per major unit (1 EUR = 1,000 sats), rounded up, and the rate is recorded.
// The address's witness program is derived from the payment id (no one holds its key: regtest
// only); the invoice's payment hash is SHA-256 of a preimage derived from it.
#pragma once

#include "daemon/providers/push_provider.h"

namespace jopay {

class SandboxPushProvider : public PushProvider {
 public:
  std::string_view name() const override { return "sandbox"; }
  bool instant() const override { return true; }
  void CreateCharge(const PushChargeRequest& r, Done done) override;
  // The sandbox keeps no charges of its own: the store is the record (kRefused).
  void ReadCharge(const std::string& provider_ref, bool livemode, Done done) override;
};

// `amount` minor units of `currency` in sats at the sandbox rate (rounded up; "sat" as is).
int64_t SandboxSats(int64_t amount, std::string_view currency);

}  // namespace jopay
