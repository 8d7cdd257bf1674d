// Stripe Checkout: the page where a customer gives Stripe their card (jopayd never sees it),
// for a first payment with the card saved for later (mode "payment" with
// setup_future_usage=off_session), a one-time payment, or a card saved only (mode "setup":
// a trial, or a card update in the portal). Stripe sends the customer back to the
// success_url with {CHECKOUT_SESSION_ID}; what it settled is then read back with ReadCheckout.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "daemon/providers/provider.h"
#include "daemon/providers/stripe/api.h"

namespace jopay::stripe {

struct CheckoutRequest {
  std::string jopay_object;  // cs_... or sub_... (the portal): metadata[jopay_object]
  bool setup = false;         // save a card only
  bool save_card = true;      // a payment: keep the card for off-session renewals
  int64_t amount = 0;         // a payment
  std::string currency;
  std::string description;    // what is bought, as the customer sees it
  std::optional<std::string> customer_email;
  std::optional<std::string> customer;  // an existing Stripe customer (the portal)
  std::string success_url;    // with {CHECKOUT_SESSION_ID}
  std::string cancel_url;
  std::string idempotency_key;
};

// The form of POST /v1/checkout/sessions.
Form CheckoutForm(const CheckoutRequest& r);

// Creates the Checkout Session; `done` gets the URL to send the customer to.
void CreateCheckout(Api& api, const CheckoutRequest& r,
                    std::function<void(Result<std::string>)> done);

// Reads a Checkout Session back (with its PaymentIntent or SetupIntent and their payment
// method). Ok only when it is complete and paid (or, a setup, its SetupIntent succeeded);
// otherwise kConflict "checkout_not_complete". Unknown -> kNotFound; no answer -> kUnavailable.
void ReadCheckout(Api& api, const std::string& checkout_session_id,
                  std::function<void(Result<ProviderCheckout>)> done);

// The same from the object itself (unit-tested against Stripe's shapes).
Result<ProviderCheckout> CheckoutOf(const boost::json::object& session);

}  // namespace jopay::stripe
