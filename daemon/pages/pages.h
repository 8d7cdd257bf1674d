// The hosted pages: server-rendered HTML for customers, no JavaScript, no external assets.
//
//   GET  /checkout/{id}             the checkout page of a session (checkout_view.h)
//   POST /checkout/{id}             pay it (form: token, card, email, name): 303 to success_url
//                                   with session_id; a decline shows the page again (402)
//   GET  /portal/{token}            the customer portal of one subscription (portal_view.h)
//   POST /portal/{token}/cancel     cancel at period end, then 303 back to the portal
//   POST /portal/{token}/card       replace the card (retries a past_due period), 303 back
//
// Errors are HTML pages with the right status (404 unknown session, 401 expired portal link,
// 403 forged token or form token, 409 state, 400 bad input); a refused request changes nothing.
#pragma once

#include "daemon/http/router.h"
#include "daemon/public/context.h"

namespace jopay::pages {

void AddCheckoutPageRoutes(http::Router& r, pub::Context& c);
void AddPortalPageRoutes(http::Router& r, pub::Context& c);
// GET /invoice/{id}?t=TOKEN and /invoice/{id}/pdf?t=TOKEN (invoice_routes.cc).
void AddInvoicePageRoutes(http::Router& r, pub::Context& c);

// Both of the above.
void AddPageRoutes(http::Router& r, pub::Context& c);

}  // namespace jopay::pages
