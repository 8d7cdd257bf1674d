// /eventop/checkout (API key): Eventop-style adapters over checkout sessions, camelCase as
// docs/reference/eventop-checkout-sessions.txt spells it. POST /create sells an existing plan
// (planId) in subscription mode; GET /{id} shows any session in that shape (plan null for
// payment-mode sessions); POST /{id}/cancel cancels a pending one; POST /{id}/complete (no
// key: routes_eventop_complete.cc) completes one with an on-chain proof. Errors stay the JSON
// error object, params named as the request spells them (planId, successUrl...).
#include <fmt/core.h>

#include <algorithm>
#include <utility>

#include "common/json_fields.h"
#include "daemon/checkout/onchain.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_request.h"
#include "daemon/public/context.h"
#include "daemon/public/lnbits_fields.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

// The same failure, naming `param` (CreateSession names the plan "plan").
Status Named(const Status& st, std::string param) {
  return Status::Make(st.kind(), st.code(), st.message(), std::move(param));
}

// Eventop's camelCase fields and the checkout API's names for the same things.
constexpr std::pair<std::string_view, std::string_view> kFields[] = {
    {"planId", "plan"},
    {"customerEmail", "customer_email"},
    {"customerId", "client_reference_id"},
    {"successUrl", "success_url"},
    {"cancelUrl", "cancel_url"},
    {"metadata", "metadata"},
};

// A checkout-API failure spelled as the Eventop request spells its fields.
Status InEventopTerms(const Status& st) {
  for (auto [camel, snake] : kFields) {
    if (st.param() != snake) continue;
    std::string message = st.message();
    if (message.starts_with(snake)) message = std::string(camel) + message.substr(snake.size());
    return Status::Make(st.kind(), st.code(), message, std::string(camel));
  }
  return st;
}

// The Eventop create body, read through the checkout API's own parser (session_request.h):
// a subscription-mode session of an existing plan, for a named customer.
Result<NewSession> ParseCreate(const json::object& body, bool livemode) {
  json::object snake{{"mode", "subscription"}};
  for (const auto& [key, value] : body) {
    // `name`, not `key`: clang 14 (the fuzz build) cannot capture a structured binding.
    std::string_view name = key;
    auto it = std::find_if(std::begin(kFields), std::end(kFields),
                           [name](const auto& f) { return f.first == name; });
    if (it == std::end(kFields)) {
      return Status::Invalid(fmt::format("unknown field: {}", std::string(key)), key,
                             "parameter_unknown");
    }
    snake[it->second] = value;
  }
  // Eventop sells stored plans only, and always to a named customer.
  const json::value* plan = body.if_contains("planId");
  JOPAY_RETURN_IF_ERROR(Require(plan && !plan->is_null(), "planId"));
  if (!plan->is_string() || plan->get_string().empty()) {
    return Status::Invalid("planId must be a plan id", "planId");
  }
  const json::value* email = body.if_contains("customerEmail");
  JOPAY_RETURN_IF_ERROR(Require(email && !email->is_null(), "customerEmail"));
  auto parsed = ParseNewSession(snake, livemode, CancelUrl::kDefaultsToSuccess);
  if (!parsed.ok()) return InEventopTerms(parsed.status());
  return parsed;
}

void Create(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  auto parsed = ParseCreate(*body, caller.livemode);
  if (!parsed.ok()) return respond(ErrorAnswer(parsed.status()));
  if (Status st = RequireCardProvider(c, caller.livemode); !st.ok()) {
    return respond(ErrorAnswer(st));
  }
  WriteValue<Session>(
      c, caller, req, respond,
      [r = std::move(*parsed), call = CallOf(c, caller)](Db& db, Session& out) {
        Status st = CreateSession(db, call.livemode, r, call.now, &out);
        return st.param() == "plan" ? Named(st, "planId") : st;
      },
      [&c](const Session& s) {
        return json::object{{"sessionId", s.id},
                            {"url", CheckoutUrl(c.public_url, s.id)},
                            {"expiresAt", FormatRfc3339(s.expires_at)}};
      });
}


json::value PlanOf(Db& db, const Session& s) {
  if (!s.plan) return nullptr;
  const SessionPlan& p = *s.plan;
  std::string description;
  if (!p.id.empty()) {
    if (auto stored = LoadPlan(db, p.id, s.livemode); stored.ok()) description = stored->description;
  }
  return json::object{
      {"planId", p.id.empty() ? json::value(nullptr) : json::value(p.id)},
      {"planName", p.name},
      {"feeAmount", std::to_string(p.amount)},
      {"currency", p.currency},
      {"paymentInterval", std::to_string(IntervalSeconds(p.interval, p.interval_count))},
      {"description", description}};
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto s = LoadSession(db, req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(Named(s.status(), "sessionId")));
  auto or_null = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  json::object o{{"sessionId", s->id},
                 {"status", s->status},
                 // No merchant wallet is configured: jopayd proves that the customer's
                 // transaction made the subscription account, not whom it pays (null).
                 {"merchant", json::object{{"walletAddress", nullptr},
                                           {"companyName", or_null(c.merchant_name)},
                                           {"logoUrl", or_null(c.merchant_logo_url)}}},
                 {"plan", PlanOf(db, *s)},
                 {"customerEmail", TextOrNull(s->customer_email)},
                 {"customerId", TextOrNull(s->client_reference_id)},
                 {"successUrl", s->success_url},
                 {"cancelUrl", s->cancel_url},
                 {"metadata", json::parse(s->metadata)},
                 {"url", CheckoutUrl(c.public_url, s->id)},
                 {"expiresAt", FormatRfc3339(s->expires_at)},
                 {"completedAt", s->completed_at ? json::value(FormatRfc3339(*s->completed_at))
                                                 : json::value(nullptr)}};
  // The subscription's on-chain account, once a wallet completed the session with it.
  auto proof = LoadChainProof(db, s->id);
  o["subscriptionPda"] = proof ? json::value(proof->account) : json::value(nullptr);
  if (s->status == session_status::kCompleted && s->subscription_id) {
    o["subscriptionId"] = *s->subscription_id;
  }
  respond(http::JsonResponse(200, o));
}

void Cancel(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<Session>(
      c, caller, req, respond,
      [id = req.params["id"], call = CallOf(c, caller)](Db& db, Session& out) {
        Status st = CancelSession(db, call.livemode, id, call.now, &out);
        return st.kind() == Status::Kind::kNotFound ? Named(st, "sessionId") : st;
      },
      [](const Session& s) {
        return json::object{
            {"sessionId", s.id}, {"status", s.status}, {"cancelUrl", s.cancel_url}};
      });
}

}  // namespace

void AddEventopRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "POST", "/eventop/checkout/create", Create);
  AddApiRoute(r, c, "GET", "/eventop/checkout/{id}", Get);
  AddApiRoute(r, c, "POST", "/eventop/checkout/{id}/cancel", Cancel);
  AddEventopCompleteRoute(r, c);
}

}  // namespace jopay::pub
