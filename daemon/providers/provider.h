// A payment provider: saves a card as a reusable payment method and charges it.
//
// Two kinds:
// - An instant provider (the sandbox) answers in-process and never waits: the billing engine
//   asks it inside the writer's transaction, so a renewal and its charge commit together.
// - A network provider (Stripe) is never asked inside the writer. A charge is first a durable
//   `pending` payment carrying its idempotency key; the charge sender (charges/) sends it
//   outside the writer, many in flight, and a later writer job applies the answer. An answer
//   that is not definite (a timeout, a lost connection, a 5xx, a 429) is sent again with the
//   same key, which the provider answers with the first outcome instead of charging twice.
//
// Idempotency keys spell (subscription, period, attempt) (billing/renewal.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jopay {

struct SavedCard {
  std::string provider;      // "sandbox", "stripe"
  std::string provider_ref;  // the provider's token for the saved method
  std::string brand;         // "visa", "mastercard", ...
  std::string last4;
  std::string provider_customer;  // the provider's customer the method belongs to, if any
  int exp_month = 0;
  int exp_year = 0;
};

// What a provider's hosted checkout settled, read back from the provider (never taken from
// the customer's browser): the card it saved and, when the customer paid there, the charge.
struct ProviderCheckout {
  std::string provider_session;           // the provider's checkout (Stripe: cs_...)
  // What it was made for (its metadata): a checkout session (cs_...), or a subscription whose
  // card the portal replaces (sub_...).
  std::string jopay_object;
  SavedCard card;                         // the saved payment method and its customer
  std::optional<std::string> charge_ref;  // the charge that paid (none: a setup)
  int64_t amount_paid = 0;
  std::string currency;
  std::string email;                      // the customer's, as the provider has it
};

struct ChargeOutcome {
  bool paid = false;
  std::string failure_code;     // "card_declined", "insufficient_funds", ...
  std::string failure_message;  // for people
  bool pending = false;         // a network charge was queued; its answer comes later
  std::string provider_ref;     // the provider's id of the charge, when known

  static ChargeOutcome Paid() { return {true, "", "", false, ""}; }
  static ChargeOutcome Failed(std::string code, std::string message) {
    return {false, std::move(code), std::move(message), false, ""};
  }
};

// What a network charge request carries (built from its pending payment row).
struct ChargeIntent {
  std::string payment_id;
  std::string idempotency_key;
  bool livemode = false;
  int64_t amount = 0;
  std::string currency;
  std::string provider_customer;
  std::string provider_method;
  std::string subscription_id;
  int64_t period_start = 0;
  std::string description;
  std::string provider_ref;  // set once known (a charge still processing is re-read by it)
};

// A network provider's answer to a charge request or lookup.
struct ChargeAnswer {
  enum class Kind {
    kPaid,      // charged
    kDeclined,  // definitely not charged (failure_code says why)
    kUnknown,   // no definite answer: send again later with the same key
    kNotFound,  // a lookup found no charge made under the key
  };
  Kind kind = Kind::kUnknown;
  std::string provider_ref;
  std::string failure_code;
  std::string failure_message;
  std::string detail;          // why the outcome is unknown (for the log; never a secret)
  int64_t retry_after_ms = 0;  // the provider asked to wait this long (429)
};

// A refund through a network provider (built from its pending refund row). Its answer is a
// ChargeAnswer: kPaid = refunded, kDeclined = refused (failure_message says why), kUnknown =
// ask again later, with the same key (or, once provider_ref is known, by reading it back).
struct RefundIntent {
  std::string refund_id;
  std::string idempotency_key;
  bool livemode = false;
  std::string charge_ref;  // the provider's id of the payment refunded (a PaymentIntent)
  std::string payment_id;
  int64_t amount = 0;
  std::string currency;  // the payment's (PayPal's refund names it with the amount)
  std::string reason;
  std::string provider_ref;  // the provider's refund, once known
};

class Provider {
 public:
  using AnswerFn = std::function<void(ChargeAnswer)>;

  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // True when charging has no effect outside this process (so a dry run may call it).
  virtual bool simulated() const = 0;
  // True when Charge answers in-process without waiting (may run inside the writer).
  virtual bool instant() const = 0;

  // Instant providers. Validates and saves a card. A card that cannot be saved ->
  // kPaymentFailed / kInvalid. Network providers never take card numbers (kInvalid).
  virtual Result<SavedCard> Attach(std::string_view card_number) = 0;
  virtual ChargeOutcome Charge(std::string_view provider_ref, int64_t amount,
                               std::string_view currency, std::string_view idempotency_key) = 0;

  // Network providers. Sends the charge (off-session, confirmed at once) under its key; `done`
  // runs on another thread with the answer.
  virtual void SendCharge(const ChargeIntent&, AnswerFn done) {
    done({ChargeAnswer::Kind::kDeclined, "", "provider_unavailable",
          "This provider cannot charge saved methods.", "", 0});
  }
  // Looks up a charge made under intent.idempotency_key (or, when intent.provider_ref is set,
  // re-reads that one): kPaid / kDeclined as it stands, kNotFound when none was made.
  virtual void FindCharge(const ChargeIntent&, AnswerFn done) {
    done({ChargeAnswer::Kind::kNotFound, "", "", "", "", 0});
  }
  virtual void SendRefund(const RefundIntent&, AnswerFn done) {
    done({ChargeAnswer::Kind::kDeclined, "", "provider_unavailable",
          "This provider cannot refund.", "", 0});
  }
  // Stops the provider's own threads: no `done` runs after this returns. At shutdown.
  virtual void Shutdown() {}
};

}  // namespace jopay
