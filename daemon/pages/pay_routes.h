// What the checkout page's routes (checkout_routes.cc) use of the other ways to pay: the push
// rails' pages (pay_routes.cc) and PayPal (paypal_routes.cc).
#pragma once

#include <string>
#include <vector>

#include "daemon/checkout/session.h"
#include "daemon/http/router.h"
#include "daemon/public/context.h"

namespace jopay::pages {

// The push rails ("lightning", "onchain") a payable subscription session offers besides
// cards: those its plan allows and a provider serves in its mode.
std::vector<std::string> OfferedPushRails(pub::Context& c, const Session& s);
// POST /checkout/{id}/push for `s` (found, its form token checked, payable): starts its
// subscription on the rail the form names and sends the customer to the charge's /pay page.
void ChoosePushRail(pub::Context& c, http::Request& req, http::Respond respond,
                    const Session& s);
// Whether the checkout page offers PayPal for `s`: an app in its mode, a plan that allows it
// (payment sessions always), no trial.
bool OffersPayPal(pub::Context& c, const Session& s);
// POST /checkout/{id}/paypal for `s` (form token checked, payable): 303 to PayPal's approval.
void GoToPayPal(pub::Context& c, http::Request& req, http::Respond respond, const Session& s);
// GET /checkout/{id}/paypal-return for the session `s` (found).
void ReturnFromPayPal(pub::Context& c, http::Request& req, http::Respond respond,
                      const Session& s);
// GET /pay/{id} and POST /pay/{id}/test-pay.
void AddPayPageRoutes(http::Router& r, pub::Context& c);

}  // namespace jopay::pages
