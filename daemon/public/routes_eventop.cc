// /eventop/checkout (API key): Eventop-style adapters over checkout sessions, camelCase as
// reference/eventop-checkout-sessions.txt spells it. POST /create sells an existing plan
// (planId) in subscription mode; GET /{id} shows any session in that shape (plan null for
// payment-mode sessions); POST /{id}/cancel cancels a pending one. Errors stay the JSON error
// object, params named as the request spells them (planId, successUrl...).
#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_request.h"
#include "daemon/public/context.h"
#include "daemon/public/lnbits_fields.h"
#include "daemon/public/session_writes.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr size_t kMaxUrl = 2048;

// The same failure, naming `param` (CreateSession names the plan "plan").
Status Named(const Status& st, std::string param) {
  return Status::Make(st.kind(), st.code(), st.message(), std::move(param));
}

Result<NewSession> ParseCreate(const json::object& body, bool livemode) {
  JOPAY_RETURN_IF_ERROR(RejectUnknown(
      body, {"planId", "customerEmail", "customerId", "successUrl", "cancelUrl", "metadata"}));
  NewSession s;
  s.mode = "subscription";
  std::optional<std::string> plan, email, customer, success, cancel;
  JOPAY_RETURN_IF_ERROR(GetString(body, "planId", plan, 100));
  JOPAY_RETURN_IF_ERROR(Require(plan.has_value() && !plan->empty(), "planId"));
  s.plan = SessionPlan{};
  s.plan->id = *plan;
  JOPAY_RETURN_IF_ERROR(GetString(body, "customerEmail", email, 254));
  JOPAY_RETURN_IF_ERROR(Require(email.has_value(), "customerEmail"));
  s.customer_email = NormalizeEmail(*email);
  JOPAY_RETURN_IF_ERROR(ValidateEmail(*s.customer_email, "customerEmail"));
  JOPAY_RETURN_IF_ERROR(GetString(body, "customerId", customer, 200));
  s.client_reference_id = customer;
  JOPAY_RETURN_IF_ERROR(GetString(body, "successUrl", success, kMaxUrl));
  JOPAY_RETURN_IF_ERROR(Require(success.has_value(), "successUrl"));
  JOPAY_RETURN_IF_ERROR(ValidateRedirectUrl(*success, livemode, "successUrl"));
  JOPAY_RETURN_IF_ERROR(GetString(body, "cancelUrl", cancel, kMaxUrl));
  if (cancel) JOPAY_RETURN_IF_ERROR(ValidateRedirectUrl(*cancel, livemode, "cancelUrl"));
  s.success_url = *success;
  s.cancel_url = cancel.value_or(*success);
  if (auto it = body.find("metadata"); it != body.end() && !it->value().is_null()) {
    JOPAY_RETURN_IF_ERROR(ValidateMetadata(it->value()));
    s.metadata = json::serialize(it->value());
  }
  return s;
}

void Create(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  auto parsed = ParseCreate(*body, caller.livemode);
  if (!parsed.ok()) return respond(ErrorAnswer(parsed.status()));
  WriteSession(
      c, caller, req, respond,
      [r = std::move(*parsed)](Db& db, bool live, UnixSeconds now, Session* out) {
        Status st = CreateSession(db, live, r, now, out);
        return st.param() == "plan" ? Named(st, "planId") : st;
      },
      [&c](const Session& s) {
        return json::object{{"sessionId", s.id},
                            {"url", CheckoutUrl(c.public_url, s.id)},
                            {"expiresAt", FormatRfc3339(s.expires_at)}};
      });
}

json::value OptText(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
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
  json::object o{{"sessionId", s->id},
                 {"status", s->status},
                 {"plan", PlanOf(db, *s)},
                 {"customerEmail", OptText(s->customer_email)},
                 {"customerId", OptText(s->client_reference_id)},
                 {"successUrl", s->success_url},
                 {"cancelUrl", s->cancel_url},
                 {"metadata", json::parse(s->metadata)},
                 {"url", CheckoutUrl(c.public_url, s->id)},
                 {"expiresAt", FormatRfc3339(s->expires_at)},
                 {"completedAt", s->completed_at ? json::value(FormatRfc3339(*s->completed_at))
                                                 : json::value(nullptr)}};
  if (s->status == session_status::kCompleted && s->subscription_id) {
    o["subscriptionId"] = *s->subscription_id;
  }
  respond(http::JsonResponse(200, o));
}

void Cancel(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteSession(
      c, caller, req, respond,
      [id = req.params["id"]](Db& db, bool live, UnixSeconds now, Session* out) {
        Status st = CancelSession(db, live, id, now, out);
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
}

}  // namespace jopay::pub
