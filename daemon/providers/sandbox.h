// The sandbox provider (test mode). Card numbers behave like the well-known test cards:
//   4242424242424242  succeeds (as does any other Luhn-valid 13-19 digit number)
//   4000000000000002  card_declined       (refused when saved)
//   4000000000009995  insufficient_funds  (refused when saved)
//   4000000000000069  expired_card        (refused when saved)
//   4000000000000341  saved fine, every later charge fails with card_declined (dunning tests)
// A number may be followed by its expiry, "4242424242424242 03/25" (MM/YY or MM/YYYY); without
// one it expires 12/2034.
// Only brand, last4 and the expiry are kept; provider_ref names the behaviour, never the number.
#pragma once

#include "daemon/providers/provider.h"

namespace jopay {

class SandboxProvider : public Provider {
 public:
  std::string_view name() const override { return "sandbox"; }
  Result<SavedCard> Attach(std::string_view card_number) override;
  ChargeOutcome Charge(std::string_view provider_ref, int64_t amount, std::string_view currency,
                       std::string_view idempotency_key) override;
  bool simulated() const override { return true; }
  bool instant() const override { return true; }
};

// Luhn checksum over a string of digits (spaces and dashes already removed).
bool LuhnValid(std::string_view digits);
// The card brand from its leading digits ("visa", "mastercard", "amex", "discover", "unknown").
std::string CardBrand(std::string_view digits);

}  // namespace jopay
