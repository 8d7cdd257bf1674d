// Stripe as a payment provider: cards are saved through Stripe Checkout (jopayd never sees a
// card number) and charged off-session with PaymentIntents, under JoPay's idempotency keys.
#pragma once

#include <memory>

#include "daemon/http/client.h"
#include "daemon/providers/provider.h"
#include "daemon/providers/stripe/api.h"

namespace jopay::stripe {

// The answer a PaymentIntent create (or read) gives, as a ChargeAnswer: succeeded -> paid; a
// card error (402) or a PaymentIntent that needs another method -> declined with Stripe's
// decline code (authentication_required when the customer must come back); no answer, 5xx,
// 429, 409 (key in use) or a PaymentIntent still processing -> unknown.
ChargeAnswer ChargeAnswerOf(const Reply& reply);
// The form of an off-session charge: amount, currency, customer, payment_method,
// off_session=true, confirm=true, JoPay's ids in metadata.
Form ChargeForm(const ChargeIntent& intent);
// The answer of a refund create (or read): succeeded -> kPaid; failed or canceled, or a refusal
// (400: already refunded, more than is left) -> kDeclined with Stripe's message; pending, no
// answer, 5xx, 429 -> kUnknown.
ChargeAnswer RefundAnswerOf(const Reply& reply);
// A card PaymentMethod object as a SavedCard (brand, last4, expiry; its customer).
SavedCard SavedCardOf(const boost::json::object& payment_method);

class StripeProvider : public Provider {
 public:
  explicit StripeProvider(Account account);

  std::string_view name() const override { return "stripe"; }
  bool simulated() const override { return false; }
  bool instant() const override { return false; }
  Result<SavedCard> Attach(std::string_view card_number) override;
  ChargeOutcome Charge(std::string_view, int64_t, std::string_view, std::string_view) override;
  void SendCharge(const ChargeIntent& intent, AnswerFn done) override;
  void FindCharge(const ChargeIntent& intent, AnswerFn done) override;
  void SendRefund(const RefundIntent& intent, AnswerFn done) override;
  void Shutdown() override { client_.Stop(); }

  Api& api() { return api_; }

 private:
  http::Client client_;
  Api api_;
};

// The Stripe accounts jopayd is configured with (either may be missing).
struct Accounts {
  StripeProvider* test = nullptr;
  StripeProvider* live = nullptr;
  StripeProvider* For(bool livemode) const { return livemode ? live : test; }
};

}  // namespace jopay::stripe
