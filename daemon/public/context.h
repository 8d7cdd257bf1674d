// What the public face's routes share (the merchant API under /api/checkout/v1, and the
// hosted pages and adapters built on it): the store, engine, scheduler, clock, the public base
// URL of the links jopayd hands out, and the signing key of its tokens (tokens.h).
//
// Two kinds of route:
// - API routes (AddApiRoute) take an API key: `Authorization: Bearer sk_test_...` (or
//   sk_live_, rk_test_, rk_live_), or the same key as `X-Api-Key` (LNbits clients). Missing,
//   malformed, unknown or revoked keys, and live keys while the clock is manual, -> 401; a
//   read-only (rk_) key on anything but GET -> 403. The key's mode is the Caller's: a test key
//   sees and creates test rows only. POSTs honour `Idempotency-Key` (see WriteThen).
// - Open routes (AddOpenRoute): no key (hosted pages, public plan pages, callbacks).
// Both answer errors as {"error": {"code", "message", "param"}} and turn an exception into a
// 500 answer rather than a dropped connection.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <string>

#include "daemon/auth/key_cache.h"
#include "daemon/billing/clock.h"
#include "daemon/billing/engine.h"
#include "daemon/billing/scheduler.h"
#include "daemon/http/message.h"
#include "daemon/http/router.h"
#include "daemon/store/store.h"

namespace jopay::pub {

struct Context {
  Store& store;
  Engine& engine;
  Scheduler& scheduler;
  Clock& clock;
  ApiKeyCache& api_keys;
  std::string public_url;   // e.g. "https://pay.example.com", no trailing slash
  std::string signing_key;  // tokens.h; from meta
};

// Who is calling an API route.
struct Caller {
  std::string key_id;
  bool livemode = false;
  bool read_only = false;
};

// The caller's key, checked as described above; failures are kUnauthenticated/kForbidden.
Result<Caller> Authenticate(Context& c, const http::Request& req);

// The JSON error answer; 401s also carry `WWW-Authenticate: Bearer`.
http::Response ErrorAnswer(const Status& s);

using ApiFn = void (*)(Context&, const Caller&, http::Request&, http::Respond);
using OpenFn = void (*)(Context&, http::Request&, http::Respond);
void AddApiRoute(http::Router& r, Context& c, const char* method, const char* path, ApiFn fn);
void AddOpenRoute(http::Router& r, Context& c, const char* method, const char* path, OpenFn fn);

// Runs `job` on the writer, then answers `status` + answer() (computed on the writer, inside
// the same job, once the change is made) after the commit; a failed job answers its error.
// With an `Idempotency-Key` header (1..255 characters) the answer is stored in that same job,
// keyed by (caller mode, key) with a hash of method, path and body: for 24 h the same request
// under the key gets the stored answer (header `Idempotent-Replayed: true`) and `job` does not
// run again; a different request under the key gets 409 "idempotency_key_reused". Failed
// requests are not stored (a retry runs again).
void WriteThen(Context& c, const Caller& caller, const http::Request& req, http::Respond respond,
               Writer::Job job, std::function<boost::json::value()> answer, int status = 200);

// Fast path for API POSTs, before any work: the stored answer when the request's
// Idempotency-Key was already used (a replay or a 409), else nothing. WriteThen makes the
// authoritative check inside the writer job.
std::optional<http::Response> IdempotentAnswer(Context& c, const Caller& caller,
                                               const http::Request& req);

struct Page {
  int limit = 10;
  std::string starting_after;
};
// `limit` (1..100, default 10) and `starting_after` from the query.
Result<Page> ParsePage(const http::Request& req);

// Query parameters other than `known` -> 400 naming the first.
Status RejectUnknownQuery(const http::Request& req, std::initializer_list<std::string_view> known);

// /api/checkout/v1: sessions and subscriptions.
void AddCheckoutSessionRoutes(http::Router& r, Context& c);
void AddCheckoutSubscriptionRoutes(http::Router& r, Context& c);

// The LNbits-style /api/v1 and /public (lnbits.h), and Eventop-style /eventop/checkout.
void AddLnbitsRoutes(http::Router& r, Context& c);
void AddEventopRoutes(http::Router& r, Context& c);

// Everything public above (GET /healthz is the daemon's own).
void AddPublicRoutes(http::Router& r, Context& c);

}  // namespace jopay::pub
