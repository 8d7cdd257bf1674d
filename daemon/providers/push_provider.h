// A provider the customer pushes money to (Lightning, on-chain Bitcoin): jopayd asks it for a
// place to pay one charge (a BOLT11 invoice, an address), tells the customer where to pay, and
// learns that it was paid only by reading the charge back from the provider (a callback names
// the charge; it is never believed on its own).
//
// Card rails pull money on jopayd's schedule (provider.h); these rails wait for the customer.
// Like a network card charge, a push charge is first a durable `pending` payment; the provider
// is asked outside the writer and a later writer job records what it answered.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace jopay {

namespace rail {
inline constexpr std::string_view kCard = "card";
inline constexpr std::string_view kLightning = "lightning";
inline constexpr std::string_view kOnchain = "onchain";
inline constexpr std::string_view kPaypal = "paypal";
}  // namespace rail

struct PushChargeRequest {
  std::string payment_id;   // pay_...: put in the provider's description / metadata
  std::string rail;         // rail::kLightning or rail::kOnchain
  bool livemode = false;
  int64_t amount = 0;       // minor units of `currency`
  std::string currency;     // "sat", or a fiat code the provider converts at its own rate
  int64_t expires_in = 0;   // seconds the customer has to pay
  std::string description;  // for the customer's wallet
  std::string callback_url; // the provider calls it when the charge changes (a hint)
  std::string return_url;   // where the provider's own page sends the customer after paying
  UnixSeconds created_at = 0;  // business time it is asked at (the sandbox dates invoices by it)
};

// A charge as the provider states it.
struct PushCharge {
  std::string provider_ref;      // the provider's id of the charge / invoice
  std::string bolt11;            // the Lightning invoice, "" when none
  std::string address;           // the on-chain address, "" when none
  int64_t amount_sats = 0;       // what the customer is asked to pay
  std::string rate;              // the fiat rate the provider used ("" for sat amounts)
  UnixSeconds expires_at = 0;
  bool paid = false;             // as read back from the provider
  int64_t amount_received_sats = 0;
};

struct PushAnswer {
  enum class Kind {
    kOk,       // `charge` is the provider's current statement
    kUnknown,  // no definite answer (network, 5xx, 429): ask again later
    kRefused,  // the provider refused the request (detail says why; never a secret)
  };
  Kind kind = Kind::kUnknown;
  PushCharge charge;
  std::string detail;
};

class PushProvider {
 public:
  using Done = std::function<void(PushAnswer)>;

  virtual ~PushProvider() = default;
  virtual std::string_view name() const = 0;  // "sandbox", "satspay", "btcpay"
  // True when it answers in-process without waiting (the sandbox: may run inside the writer).
  virtual bool instant() const = 0;
  // Whether it can make charges on `rail` as configured (SatsPay needs a watch-only wallet
  // for on-chain).
  virtual bool Offers(std::string_view rail) const {
    return rail == rail::kLightning || rail == rail::kOnchain;
  }
  // Asks for an invoice / address for one charge; `done` runs (possibly on another thread).
  virtual void CreateCharge(const PushChargeRequest&, Done done) = 0;
  // Reads a charge back: whether it is paid and how much came in.
  virtual void ReadCharge(const std::string& provider_ref, bool livemode, Done done) = 0;
  // Stops the provider's own threads: no `done` runs after this returns.
  virtual void Shutdown() {}
};

}  // namespace jopay
