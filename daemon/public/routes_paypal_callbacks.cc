// POST /public/webhook/paypal: PayPal's callbacks. Unsigned as far as jopayd can check on its
// own, so PayPal is asked whether it sent each one (verify-webhook-signature with the mode's
// webhook id; one URL serves both modes: test's app is asked first, then live's). A forged one
// gets a 400 and changes nothing; when PayPal cannot answer, a 503 makes PayPal deliver it
// again. A verified event is recorded once per event id (a replay: 200, nothing changes). One
// naming a checkout order of a JoPay checkout session (CHECKOUT.ORDER.APPROVED,
// PAYMENT.CAPTURE.COMPLETED: the customer paid but never came back) completes that session
// from the order as PayPal states it when read back, exactly as the customer's return would.
// Renewal captures need nothing: the charge sender settles them from PayPal's own answers.
#include <fmt/core.h>

#include "common/log.h"
#include "daemon/checkout/session.h"
#include "daemon/providers/paypal/checkout.h"
#include "daemon/providers/paypal/webhook.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

bool Records(Db& db, const paypal::WebhookEvent& e, bool live, const std::string& body) {
  db.Cached("INSERT INTO provider_callbacks (provider, event_id, livemode, type, payload, "
            "received_at, status) VALUES ('paypal', ?, ?, ?, ?, ?, 'applied') "
            "ON CONFLICT DO NOTHING")
      .Args(e.id, int64_t{live}, e.event_type, body, SystemNow())
      .Exec();
  return sqlite3_changes(db.raw()) > 0;
}

// The checkout session a verified event's order was made for completes from PayPal's order.
void CompleteFromOrder(Context& c, bool live, const paypal::WebhookEvent& e) {
  if (!e.custom_id.starts_with("cs_") || e.order_id.empty()) return;
  paypal::PayPalProvider* account = c.paypal.For(live);
  paypal::CompleteCheckout(account->api(), e.order_id, true,
                           [&c, live, session = e.custom_id](Result<ProviderCheckout> paid) {
    if (!paid.ok() || paid->jopay_object != session) {
      LogInfo("paypal callback: checkout {} not completed: {}", session,
              paid.ok() ? "another session's order" : paid.status().message());
      return;
    }
    c.store.writer().Submit(
        [&c, live, session, paid = *paid, now = c.clock.Now()](Db& db) {
          Session done;
          bool already = false;
          return CompleteWithProvider(db, c.engine, live, session, paid, now, &done, &already);
        },
        [session](Status st) {
          if (!st.ok()) LogWarn("paypal callback: checkout {}: {}", session, st.message());
        });
  });
}

void Verified(Context& c, http::Respond respond, bool live, std::string body) {
  auto event = paypal::ParseEvent(body);
  if (!event.ok()) {
    return respond(ErrorAnswer(Status::Invalid(event.status().message(), event.status().param(),
                                               "callback_invalid")));
  }
  auto fresh = std::make_shared<bool>(false);
  routes::WriteThen(
      c.store.writer(), std::move(respond),
      [fresh, e = *event, live, body = std::move(body)](Db& db) {
        *fresh = Records(db, e, live, body);
        return Status::Ok();
      },
      [fresh] { return json::object{{"received", true}, {"duplicate", !*fresh}}; },
      {200, [&c, fresh, live, e = *event] {
         bool wanted = e.event_type == "CHECKOUT.ORDER.APPROVED" ||
                       e.event_type == "PAYMENT.CAPTURE.COMPLETED";
         if (*fresh && wanted) CompleteFromOrder(c, live, e);
       },
       nullptr});
}

// Asks the mode's app whether PayPal sent it; then the other mode's.
void Verify(Context& c, http::Respond respond, paypal::CallbackHeaders headers,
            std::string body, bool live) {
  paypal::PayPalProvider* account = c.paypal.For(live);
  if (!account) {
    if (!live) return Verify(c, std::move(respond), std::move(headers), std::move(body), true);
    return respond(ErrorAnswer(Status::Invalid(
        "PayPal did not confirm this callback for any configured app.", "", "signature_invalid")));
  }
  std::string_view raw = body;
  account->VerifyCallback(headers, raw, [&c, respond, headers, body, live](
                                             paypal::Verification v) mutable {
    if (v.kind == paypal::Verification::Kind::kVerified) {
      return Verified(c, std::move(respond), live, std::move(body));
    }
    if (v.kind == paypal::Verification::Kind::kUnknown) {
      LogWarn("paypal callback: not verified yet: {}", v.detail);
      return respond(ErrorAnswer(Status::Make(Status::Kind::kUnavailable, "verification_unavailable",
                                              "PayPal could not confirm the callback now.")));
    }
    if (!live) return Verify(c, std::move(respond), std::move(headers), std::move(body), true);
    respond(ErrorAnswer(Status::Invalid("PayPal did not confirm this callback.", "",
                                        "signature_invalid")));
  });
}

void PayPalCallback(Context& c, http::Request& req, http::Respond respond) {
  paypal::CallbackHeaders h{std::string(req.Header("PAYPAL-TRANSMISSION-ID")),
                            std::string(req.Header("PAYPAL-TRANSMISSION-TIME")),
                            std::string(req.Header("PAYPAL-TRANSMISSION-SIG")),
                            std::string(req.Header("PAYPAL-CERT-URL")),
                            std::string(req.Header("PAYPAL-AUTH-ALGO"))};
  if (!c.paypal.test && !c.paypal.live) {
    return respond(ErrorAnswer(Status::Invalid("PayPal callbacks are not configured.", "",
                                               "callback_not_configured")));
  }
  Verify(c, std::move(respond), std::move(h), req.body, false);
}

}  // namespace

void AddPayPalCallbackRoutes(http::Router& r, Context& c) {
  AddOpenRoute(r, c, "POST", "/public/webhook/paypal", PayPalCallback);
}

}  // namespace jopay::pub
