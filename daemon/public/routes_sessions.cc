// /api/checkout/v1/sessions: create, get, cancel (shapes of the jopay-checkout-api reference).
#include "common/json_fields.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_request.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

// The create answer: payment {id, checkout_url, status, amount_cents, currency, expires_at};
// subscription {id, checkout_url, status, mode, expires_at}.
json::object CreatedView(const Session& s, std::string_view base) {
  json::object o{{"id", s.id}, {"checkout_url", CheckoutUrl(base, s.id)}, {"status", s.status}};
  if (s.subscription_mode()) {
    o["mode"] = s.mode;
  } else {
    o["amount_cents"] = s.amount;
    o["currency"] = s.currency;
  }
  o["expires_at"] = FormatRfc3339(s.expires_at);
  return o;
}

void Create(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  auto parsed = ParseNewSession(*body, caller.livemode);
  if (!parsed.ok()) return respond(ErrorAnswer(parsed.status()));
  if (Status st = RequireCardProvider(c, caller.livemode); !st.ok()) {
    return respond(ErrorAnswer(st));
  }
  WriteValue<Session>(
      c, caller, req, respond,
      [r = std::move(*parsed), call = CallOf(c, caller)](Db& db, Session& out) {
        return CreateSession(db, call.livemode, r, call.now, &out);
      },
      [&c](const Session& s) { return CreatedView(s, c.public_url); });
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto s = LoadSession(c.store.reader(), req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  respond(http::JsonResponse(200, SessionView(*s, c.public_url)));
}

void Cancel(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<Session>(
      c, caller, req, respond,
      [id = req.params["id"], call = CallOf(c, caller)](Db& db, Session& out) {
        return CancelSession(db, call.livemode, id, call.now, &out);
      },
      [](const Session& s) {
        return json::object{{"id", s.id}, {"status", s.status}, {"cancel_url", s.cancel_url}};
      });
}

}  // namespace

void AddCheckoutSessionRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "POST", "/api/checkout/v1/sessions", Create);
  AddApiRoute(r, c, "GET", "/api/checkout/v1/sessions/{id}", Get);
  AddApiRoute(r, c, "POST", "/api/checkout/v1/sessions/{id}/cancel", Cancel);
}

}  // namespace jopay::pub
