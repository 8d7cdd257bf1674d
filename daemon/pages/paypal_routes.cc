// The checkout page's PayPal way (pages.h):
//   POST /checkout/{id}/paypal         (form: token) an order at PayPal for the session (with the
//                                      wallet saved for renewals, in subscription mode): 303 to
//                                      PayPal's approval page
//   GET  /checkout/{id}/paypal-return  ?token=<order id>: PayPal sent the customer back; the order
//                                      is captured and read back from PayPal, the session
//                                      completes exactly once, 303 to the success URL
// The order id in the return URL is only a hint: what is settled is read from PayPal, and the
// order must name this session (its custom_id, set by jopayd).
#include <fmt/core.h>

#include "common/log.h"
#include "daemon/billing/plans.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pay_routes.h"
#include "daemon/providers/paypal/checkout.h"

namespace jopay::pages {

namespace {

std::string SuccessLinkOf(const Session& s) {
  auto url = WithQueryParam(s.success_url, "session_id", s.id);
  return url.ok() ? *url : s.success_url;
}

http::Response Back(const Session& s, int status, std::string_view title, std::string_view text) {
  return MessagePage(status, !s.livemode, title, text, "../" + s.id, "Back to the checkout page");
}

}  // namespace

bool OffersPayPal(pub::Context& c, const Session& s) {
  if (!c.paypal.For(s.livemode)) return false;
  // Trials save a wallet without a payment: not taken through PayPal yet.
  if (TrialDaysOf(c.store.reader(), s) > 0) return false;
  if (!s.subscription_mode() || !s.plan || s.plan->id.empty()) return !s.subscription_mode();
  return LoadPlanFlags(c.store.reader(), s.plan->id).allow_paypal;
}

void GoToPayPal(pub::Context& c, http::Request& req, http::Respond respond, const Session& s) {
  paypal::PayPalProvider* account = c.paypal.For(s.livemode);
  if (!account || !OffersPayPal(c, s)) {
    return respond(Back(s, 400, "PayPal is not available", "This checkout takes no PayPal."));
  }
  (void)req;
  std::string base = c.public_url + "/checkout/" + s.id;
  paypal::CheckoutRequest r;
  r.jopay_object = s.id;
  r.amount = s.amount;
  r.currency = s.currency;
  r.description = s.subscription_mode() && s.plan ? s.plan->name : "Order " + s.id;
  r.brand_name = CurrentMerchant().name;
  r.return_url = base + "/paypal-return";
  r.cancel_url = base;
  r.save_wallet = s.subscription_mode();
  // One order per session: a second click (or a reload) gets the same one back.
  r.idempotency_key = s.id + ":paypal";
  paypal::CreateCheckout(account->api(), r, [respond, s](Result<paypal::Approval> approval) {
    if (approval.ok()) return respond(SeeOther(approval->url));
    LogWarn("checkout {}: PayPal order not created: {}", s.id, approval.status().message());
    respond(Back(s, 502, "PayPal is unavailable",
                 "PayPal could not be reached. Nothing was charged. Please try again."));
  });
}

void ReturnFromPayPal(pub::Context& c, http::Request& req, http::Respond respond,
                      const Session& s) {
  auto it = req.query.find("token");
  paypal::PayPalProvider* account = c.paypal.For(s.livemode);
  if (it == req.query.end() || it->second.empty() || it->second.size() > 64 || !account) {
    return respond(Back(s, 400, "Bad request", "No PayPal order to confirm."));
  }
  paypal::CompleteCheckout(
      account->api(), it->second, s.subscription_mode(),
      [&c, respond, s](Result<ProviderCheckout> paid) {
        if (!paid.ok()) {
          if (paid.status().code() == "checkout_not_complete") {
            return respond(Back(s, 409, "Payment not completed",
                                "The payment at PayPal was not completed. Nothing was charged."));
          }
          LogWarn("checkout {}: completing from PayPal failed: {}", s.id, paid.status().message());
          return respond(Back(s, paid.status().http_status(), "The payment could not be confirmed",
                              paid.status().message()));
        }
        if (paid->jopay_object != s.id) {
          return respond(Back(s, 400, "Bad request", "That PayPal order is another checkout's."));
        }
        auto done = std::make_shared<Session>();
        c.store.writer().Submit(
            [&c, done, s, paid = *paid, now = c.clock.Now()](Db& db) {
              bool already = false;
              return CompleteWithProvider(db, c.engine, s.livemode, s.id, paid, now, done.get(),
                                          &already);
            },
            [respond, done, s](Status st) {
              if (st.ok()) return respond(SeeOther(SuccessLinkOf(*done)));
              LogWarn("checkout {}: recording the PayPal payment failed: {}", s.id, st.message());
              respond(Back(s, st.http_status(), "The payment could not be recorded",
                           st.message()));
            });
      });
}

}  // namespace jopay::pages
