// The hosted checkout page's HTML for one session (no I/O: routes in checkout_routes.cc load
// and pay; these only render).
//
// A payable session shows what is bought (line items with quantities and totals, or the plan
// with its interval and trial), the amount in the currency's own format (jpy without
// decimals), the email (the session's, or an input), a card form posting to the
// page's own URL (no action attribute: it works under a path prefix) with the form token, the test cards in test mode, and a cancel
// link to cancel_url. A completed, expired or cancelled session shows that state instead of a
// form (completed: a link on to success_url). Every merchant string is escaped (html.h). The
// session's metadata is the merchant's own (order and user ids): never shown to the customer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/checkout/session.h"

namespace jopay::pages {

struct CheckoutForm {
  std::string token;  // CheckoutFormToken(key, session id)
  std::string email;  // what the customer typed, shown again after a decline
  std::string name;
  std::string error;  // why the last attempt failed ("" = none)
  // Ways to pay besides the card form ("lightning", "onchain"): a button each, posting the
  // token, the rail and (when the session has none) the email to {id}/push.
  std::vector<std::string> push_rails;
  bool cards = true;  // the plan takes cards (allow_stripe): the card form is shown
  bool paypal = false;  // a "Pay with PayPal" button posting the token to {id}/paypal
};

// The payable page (a whole document).
std::string CheckoutPage(const Session& s, const CheckoutForm& form);

// The payable page when a provider's hosted checkout takes the card (Stripe): what is bought
// and a button that posts the form token to {id}/stripe, which sends the customer there.
std::string ProviderCheckoutPage(const Session& s, const CheckoutForm& form);

// The page of a session that can no longer be paid: completed (with `success_link`, the
// success_url with session_id), expired (pending past expires_at counts), or cancelled.
std::string SessionStatePage(const Session& s, std::string_view success_link);

// "every month", "every 3 months", "every year".
std::string EveryInterval(Interval interval, int count);

}  // namespace jopay::pages
