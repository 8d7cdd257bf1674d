// The customer portal's HTML for one subscription (no I/O: portal_routes.cc verifies the
// link, loads and acts; this only renders).
//
// Shows the plan, the status (also as data-status), the price and interval, the current
// period end (or trial end / end date), the card on file (brand, last4), the payment history
// (date, amount, status, failure reason), a "cancel" form unless the subscription is already
// canceled or expired, an "update card" form unless it has expired, and a link back to the
// merchant's return_url, and the plans the customer may move to (switchable ones, each a form
// posting `plan` to "/plan"; a change waiting for the period end is shown with a form posting
// `cancel_pending` there). Forms post to `action_base` + "/cancel" and "/card" (relative); with
// a provider's checkout the card form is a button that leads there, and a charge waiting for
// the bank's authentication gets an "authenticate" button. The invoices are listed with links
// to their hosted page and PDF.
#pragma once

#include <string>
#include <vector>

#include "daemon/billing/payments.h"
#include "daemon/billing/subscription.h"

namespace jopay::pages {

// A plan the customer may move to, and what moving does (plan_change.h), as text.
struct PlanChoice {
  std::string id;
  std::string name;
  std::string price;  // "€19.99 every month"
  std::string effect;  // "Applies now: €2.50 is charged for the rest of this period."
};

// One of the subscription's invoices as the portal lists it: text, and its two signed links.
struct InvoiceLink {
  std::string number;
  UnixSeconds date = 0;
  std::string amount;  // "€14.99"
  std::string status;  // open, paid, void, uncollectible
  std::string page_url;
  std::string pdf_url;
};

struct PortalPageData {
  std::string action_base;  // the token: relative to /portal/<token>, "<token>/cancel"
  std::string return_url;
  std::string notice;  // what the last action did ("" = none), text
  std::string error;   // why the last action failed ("" = none), text
  // The card is given on the provider's page (Stripe): the forms are buttons, no card input.
  bool provider_checkout = false;
  // The last charge needs the customer to authenticate it with their bank: a button posts to
  // "<token>/authenticate".
  bool needs_authentication = false;
  std::vector<PlanChoice> plans = {};  // none: no plan section
  std::vector<InvoiceLink> invoices = {};  // newest first; none: "No invoices yet."
};

std::string PortalPage(const Subscription& s, const std::vector<Payment>& payments,
                       const PortalPageData& data);

}  // namespace jopay::pages
