// What the public face's routes share (the merchant API under /api/checkout/v1, the LNbits-
// and Eventop-style APIs, the hosted pages and the providers' callbacks built on it): the
// daemon's services (routes/kit.h), the public base URL of the links jopayd hands out, and the
// signing key of its tokens (tokens.h).
//
// Two kinds of route (route_table.cc):
// - API routes (AddApiRoute) take an API key (api_keys.cc): `Authorization: Bearer
//   sk_test_...` (or sk_live_, rk_test_, rk_live_), or the same key as `X-Api-Key` (LNbits
//   clients). Missing, malformed, unknown or revoked keys, and live keys while the clock is
//   manual, -> 401; a read-only (rk_) key on anything but GET -> 403. The key's mode is the
//   Caller's: a test key sees and creates test rows only. POSTs honour `Idempotency-Key`
//   (idempotency.h).
// - Open routes (AddOpenRoute): no key (hosted pages, public plan pages, callbacks).
// Both answer errors as {"error": {"code", "message", "param"}} and turn an exception into a
// 500 answer rather than a dropped connection.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <string>

#include "daemon/charges/push_sender.h"
#include "daemon/charges/stripe_callbacks.h"
#include "daemon/http/router.h"
#include "daemon/providers/paypal/provider.h"
#include "daemon/providers/solana/rpc.h"
#include "daemon/public/address_limits.h"
#include "daemon/routes/kit.h"

namespace jopay::pub {

struct Context : routes::Services {
  std::string public_url;   // e.g. "https://pay.example.com", no trailing slash
  std::string signing_key;  // tokens.h; from meta
  StripeCallbacks& stripe_events;  // woken when a callback was recorded
  std::string merchant_name;       // config merchant-name ("" = not set)
  std::string merchant_logo_url;   // config merchant-logo-url ("" = not set)
  AddressLimits* anonymous_limits = nullptr;  // POST /public/subscribe per address; null = none
  solana::Endpoints* solana = nullptr;  // proves Eventop on-chain completions; null = none
  PushSender* push_sender = nullptr;    // woken when a push callback asks for a read-back
  paypal::Accounts paypal;              // the PayPal apps of each mode (none: no PayPal)
};

// Who is calling an API route.
struct Caller {
  std::string key_id;
  bool livemode = false;
  bool read_only = false;
};

// The caller's key, checked as described above; failures are kUnauthenticated/kForbidden.
Result<Caller> Authenticate(Context& c, const http::Request& req);
// The caller's mode and the clock's time now.
routes::Call CallOf(Context& c, const Caller& caller);

// Ok for a request without a body or with a JSON one (application/json, application/*+json);
// 415 content_type_unsupported otherwise. API routes check it before the key; open JSON
// routes (the anonymous subscribe) call it themselves.
Status RequireJsonBody(const http::Request& req);

// The JSON error answer (a 401 also carries `WWW-Authenticate: Bearer`).
inline http::Response ErrorAnswer(const Status& s) { return http::ErrorResponse(s); }

using ApiFn = void (*)(Context&, const Caller&, http::Request&, http::Respond);
using OpenFn = void (*)(Context&, http::Request&, http::Respond);
void AddApiRoute(http::Router& r, Context& c, const char* method, const char* path, ApiFn fn);
void AddOpenRoute(http::Router& r, Context& c, const char* method, const char* path, OpenFn fn,
                  routes::ExceptionAnswer on_exception = routes::JsonInternalError);

// Runs `job` on the writer and answers `status` + answer() (rendered inside the job, once the
// change is made) after the commit; a failed job answers its error. The request's
// Idempotency-Key, if any, holds (idempotency.h).
void WriteThen(Context& c, const Caller& caller, const http::Request& req, http::Respond respond,
               Writer::Job job, std::function<boost::json::value()> answer, int status = 200);
// The same for a job that fills a T, answered through view(T).
template <class T>
void WriteValue(Context& c, const Caller& caller, const http::Request& req,
                http::Respond respond, std::function<Status(Db&, T&)> job,
                std::function<boost::json::value(const T&)> view, int status = 200) {
  auto value = std::make_shared<T>();
  WriteThen(
      c, caller, req, std::move(respond),
      [value, job = std::move(job)](Db& db) { return job(db, *value); },
      [value, view = std::move(view)] { return view(*value); }, status);
}

// A checkout in this mode can be paid: some provider takes cards in it. Otherwise kInvalid
// "provider_unavailable" (live mode without Stripe): a page that looks real but can never
// take a payment is not handed out.
Status RequireCardProvider(Context& c, bool livemode);

// Checkout API lists: `limit` 1..100 (default 10) and `starting_after`.
Result<routes::Page> ParsePage(const http::Request& req);
using routes::RejectUnknownQuery;

// /api/checkout/v1: sessions and subscriptions.
void AddCheckoutSessionRoutes(http::Router& r, Context& c);
void AddCheckoutSubscriptionRoutes(http::Router& r, Context& c);
void AddCheckoutInvoiceRoutes(http::Router& r, Context& c);  // routes_invoices.cc

// The LNbits-style /api/v1 and /public (lnbits.h), and Eventop-style /eventop/checkout.
void AddLnbitsRoutes(http::Router& r, Context& c);
void AddEventopRoutes(http::Router& r, Context& c);
// POST /eventop/checkout/{id}/complete (routes_eventop_complete.cc), added by the above.
void AddEventopCompleteRoute(http::Router& r, Context& c);

// The payment providers' callbacks: POST /public/webhook/stripe.
void AddProviderCallbackRoutes(http::Router& r, Context& c);
void AddPushCallbackRoutes(http::Router& r, Context& c);  // satspay, btcpay
void AddPayPalCallbackRoutes(http::Router& r, Context& c);

// Everything above; the hosted pages (pages.h) and GET /healthz are registered by the daemon.
void AddPublicRoutes(http::Router& r, Context& c);

}  // namespace jopay::pub
