// PayPal's callbacks (webhook events, notifications_webhooks_v1.json). A callback is believed
// only after PayPal itself says it sent it: POST /v1/notifications/verify-webhook-signature
// with the five PAYPAL-* transmission headers, the configured webhook id and the event, whose
// answer's verification_status is SUCCESS or FAILURE. (Checking the RSA signature locally
// would mean fetching PAYPAL-CERT-URL, a URL the caller chose, and pinning PayPal's chain;
// asking PayPal needs neither.) Even then the event is a hint: re-read the resource it names
// (checkout.h ReadCheckout, PayPalProvider::FindCharge) before changing anything, and
// deduplicate by the event id: PayPal retries a delivery up to 25 times over 3 days.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/providers/paypal/api.h"

namespace jopay::paypal {

// The transmission headers of a delivery, as received.
struct CallbackHeaders {
  std::string transmission_id;    // PAYPAL-TRANSMISSION-ID
  std::string transmission_time;  // PAYPAL-TRANSMISSION-TIME
  std::string transmission_sig;   // PAYPAL-TRANSMISSION-SIG
  std::string cert_url;           // PAYPAL-CERT-URL
  std::string auth_algo;          // PAYPAL-AUTH-ALGO
};

struct Verification {
  enum class Kind {
    kVerified,  // PayPal sent it (SUCCESS)
    kForged,    // PayPal did not (FAILURE), or the headers cannot be PayPal's: answer 4xx
    kUnknown,   // no definite answer (no answer, 5xx, 429, jopayd's credentials refused, no
                // webhook id configured): answer 5xx so that PayPal delivers it again
  };
  Kind kind = Kind::kUnknown;
  std::string detail;  // why, for the log (never a secret)
};
using VerifyDone = std::function<void(Verification)>;

// The verify_webhook_signature request. The event goes in as the raw bytes received, not
// re-serialized: PayPal checks its signature over the bytes it sent, and a re-encoding
// (key order, number spelling, escapes) would fail it. kInvalid when a header is missing or
// longer than the spec allows (id 50, sig 500, cert_url 500, auth_algo 100 alphanumerics,
// time 100), the webhook id is not 1 to 50 alphanumerics, or the event is not a JSON object.
Result<std::string> VerifyRequestBody(const CallbackHeaders& headers, std::string_view webhook_id,
                                      std::string_view raw_event);

// The answer to it: 200 SUCCESS -> kVerified; 200 FAILURE (or any other status text) ->
// kForged; 400 / 404 / 422 (PayPal could not take the values) -> kForged; no answer, 5xx,
// 429, 401, 403 -> kUnknown.
Verification VerificationOf(const Reply& reply);

// Asks PayPal (VerifyRequestBody, then VerificationOf) under `api`'s webhook id; `done` runs
// on the client's thread, or at once when the request cannot be made (kForged for bad
// headers or body, kUnknown when no usable webhook id is configured).
void VerifyCallback(Api& api, const CallbackHeaders& headers, std::string_view raw_event,
                    VerifyDone done);

// What jopayd reads of an event (the event schema): its id (dedupe), type, and the resource
// it names. custom_id is the JoPay id jopayd put on the order / capture / refund; order_id
// is resource.supplementary_data.related_ids.order_id (a capture's or refund's order), or the
// resource id itself for a CHECKOUT.ORDER.* event.
struct WebhookEvent {
  std::string id;             // "WH-..."
  std::string event_type;     // "PAYMENT.CAPTURE.COMPLETED", "CHECKOUT.ORDER.APPROVED", ...
  std::string resource_type;  // "capture", "checkout-order", "refund", "payment_token", ...
  std::string resource_id;
  std::string custom_id;
  std::string order_id;
  std::string create_time;    // RFC 3339, as PayPal wrote it
};

// kInvalid (naming the field) when the body is not a JSON object, or id, event_type or
// resource.id is missing (a field of another type counts as missing).
Result<WebhookEvent> ParseEvent(std::string_view raw_event);

}  // namespace jopay::paypal
