// A payment provider: saves a card as a reusable payment method and charges it.
//
// Charges carry an idempotency key derived from (subscription, period, attempt): a provider
// that sees the same key twice must not charge twice (the sandbox is pure, so replays are
// harmless by construction; a network provider passes the key through).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jopay {

struct SavedCard {
  std::string provider;      // "sandbox"
  std::string provider_ref;  // the provider's token for the saved method
  std::string brand;         // "visa", "mastercard", ...
  std::string last4;
};

struct ChargeOutcome {
  bool paid = false;
  std::string failure_code;     // "card_declined", "insufficient_funds", ...
  std::string failure_message;  // for people
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // Validates and saves a card. A card that cannot be saved -> kPaymentFailed / kInvalid.
  virtual Result<SavedCard> Attach(std::string_view card_number) = 0;
  virtual ChargeOutcome Charge(std::string_view provider_ref, int64_t amount,
                               std::string_view currency, std::string_view idempotency_key) = 0;
  // True when charging has no effect outside this process (so a dry run may call it).
  virtual bool simulated() const = 0;
};

}  // namespace jopay
