// /public (no key), LNbits-style: a plan's public face, subscribing to it, and the payment
// status a checkout page polls.
//
// POST /public/subscribe/{plan_id} stores the subscription up front, `incomplete` and without
// a card (Engine::CreatePending), with a subscription-mode checkout session bound to it; paying
// that session on the hosted page (PaySession) starts this very subscription (attach the card,
// charge the first period or start the trial). If the session is never paid the subscription
// ends silently when the session expires. Routes act in the plan's (or subscription's) own
// mode; live ones are refused while the clock is manual, as live keys are.
#include <fmt/core.h>

#include "common/ids.h"
#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_request.h"
#include "daemon/pages/qr_code.h"
#include "daemon/public/idempotency.h"
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr int64_t kSessionTtl = 1800;

// The mode of the row with this id in `table` ("plans" or "subscriptions"), if any.
std::optional<bool> ModeOf(Db& db, const char* sql, const std::string& id) {
  auto& q = db.Cached(sql);
  q.Args(id);
  std::optional<bool> live;
  if (q.Step()) live = q.Int(0) != 0;
  q.Reset();
  return live;
}

Result<Plan> FindPublicPlan(Context& c, const std::string& id) {
  Db& db = c.store.reader();
  auto live = ModeOf(db, "SELECT livemode FROM plans WHERE id=?", id);
  auto plan = live ? LoadPlan(db, id, *live) : Result<Plan>(Status::NotFound(""));
  if (!plan.ok() || !plan->active) {
    return Status::NotFound(fmt::format("No such plan: {}", id), "plan_id");
  }
  return plan;
}

void GetPlan(Context& c, http::Request& req, http::Respond respond) {
  auto plan = FindPublicPlan(c, req.params["id"]);
  if (!plan.ok()) return respond(ErrorAnswer(plan.status()));
  respond(http::JsonResponse(200, PublicPlanView(*plan, LoadPlanFlags(c.store.reader(), plan->id))));
}

struct SubscribeForm {
  std::string email;
  std::string name;
  std::optional<std::string> telegram, nostr;
  // Where the hosted page sends the customer after paying / on cancel. Optional (JoPay's own
  // addition): by default the subscription's status answer, /public/checkout/{id}.
  std::optional<std::string> success_url, cancel_url;
  std::string rail = "card";  // payment_method: card (or stripe), lightning, onchain
};

// payment_method as the plan allows it: "card" (also spelled "stripe"), "lightning",
// "onchain", "paypal". Whether this mode has a provider for it is RequireRail's to say.
Result<std::string> ParseRail(std::string method, const PlanFlags& flags) {
  if (method == "stripe") method = "card";
  const std::pair<std::string_view, bool> kRails[] = {{rail::kCard, flags.allow_stripe},
                                                      {rail::kLightning, flags.allow_lightning},
                                                      {rail::kOnchain, flags.allow_onchain},
                                                      {rail::kPaypal, flags.allow_paypal}};
  std::string accepted;
  for (auto [name, allowed] : kRails) {
    if (allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(name);
  }
  for (auto [name, allowed] : kRails) {
    if (method != name) continue;
    if (allowed) return method;
    return Status::Invalid(fmt::format("payment_method {} is not available for this plan; it "
                                       "accepts: {}",
                                       method, accepted.empty() ? "nothing" : accepted),
                           "payment_method", "payment_method_unavailable");
  }
  return Status::Invalid("payment_method must be one of card, stripe, lightning, onchain, paypal",
                         "payment_method");
}

Result<SubscribeForm> ParseSubscribeForm(const std::string& text, const PlanFlags& flags,
                                         bool livemode) {
  auto body = ParseObject(text);
  if (!body.ok()) return body.status();
  JOPAY_RETURN_IF_ERROR(
      RejectUnknown(*body, {"email", "name", "telegram", "nostr", "payment_method",
                            "success_url", "cancel_url"}));
  SubscribeForm f;
  std::optional<std::string> email, name, method;
  JOPAY_RETURN_IF_ERROR(GetString(*body, "email", email, 254));
  JOPAY_RETURN_IF_ERROR(Require(email.has_value(), "email"));
  f.email = NormalizeEmail(*email);
  JOPAY_RETURN_IF_ERROR(ValidateEmail(f.email));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "name", name, 200));
  f.name = name.value_or("");
  JOPAY_RETURN_IF_ERROR(GetString(*body, "telegram", f.telegram, 100));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "nostr", f.nostr, 200));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "payment_method", method, 20));
  for (auto [name, url] : {std::pair{"success_url", &f.success_url}, {"cancel_url", &f.cancel_url}}) {
    JOPAY_RETURN_IF_ERROR(GetString(*body, name, *url, 2048));
    if (*url) JOPAY_RETURN_IF_ERROR(ValidateRedirectUrl(**url, livemode, name));
  }
  auto rail = ParseRail(method.value_or("card"), flags);
  if (!rail.ok()) return rail.status();
  f.rail = *rail;
  return f;
}

// The rail can take payments in this mode: a card provider, or the rail's push provider.
Status RequireRail(Context& c, bool livemode, const std::string& rail) {
  if (rail == rail::kCard) return RequireCardProvider(c, livemode);
  if (rail == rail::kPaypal) {
    if (c.paypal.For(livemode)) return Status::Ok();
    return Status::Invalid(fmt::format("No PayPal app is configured for {} mode.",
                                       livemode ? "live" : "test"),
                           "payment_method", "payment_method_unavailable");
  }
  if (c.engine.PushRailProvider(livemode, rail)) return Status::Ok();
  return Status::Invalid(fmt::format("No {} provider is configured for {} mode.", rail,
                                     livemode ? "live" : "test"),
                         "payment_method", "payment_method_unavailable");
}

// Starts the pending subscription on its push rail: its first charge (`push`), or with a
// trial the subscription itself, which completes the session at once.
Status StartOnPushRail(Context& c, Db& db, bool livemode, const std::string& rail,
                       UnixSeconds now, const std::string& sub_id, Subscription* sub,
                       std::optional<PushDetails>* push) {
  std::string payment_id;
  JOPAY_RETURN_IF_ERROR(c.engine.StartPushPending(db, livemode, sub_id, rail, std::nullopt, kSessionTtl, now,
                                                  sub, &payment_id));
  if (payment_id.empty()) return CompleteBoundSession(db, livemode, sub_id, std::nullopt, now);
  *push = LoadPushDetails(db, payment_id, livemode);
  return Status::Ok();
}

void Subscribe(Context& c, http::Request& req, http::Respond respond) {
  int retry_after = 0;
  if (c.anonymous_limits &&
      !c.anonymous_limits->Allow(req.remote_address, AddressLimits::Clock::now(), &retry_after)) {
    http::Response r = ErrorAnswer(Status::Make(
        Status::Kind::kTooManyRequests, "rate_limited",
        fmt::format("Too many subscriptions from this address; try again in {} s.", retry_after)));
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return respond(std::move(r));
  }
  if (Status st = RequireJsonBody(req); !st.ok()) return respond(ErrorAnswer(st));
  auto plan = FindPublicPlan(c, req.params["plan_id"]);
  if (!plan.ok()) return respond(ErrorAnswer(plan.status()));
  auto form = ParseSubscribeForm(req.body, LoadPlanFlags(c.store.reader(), plan->id),
                                 plan->livemode);
  if (!form.ok()) return respond(ErrorAnswer(form.status()));
  if (plan->livemode && c.clock.manual()) {
    return respond(ErrorAnswer(Status::Conflict(
        "Live plans take no subscriptions while jopayd runs a manual clock (test mode only).",
        "livemode_unavailable")));
  }
  if (Status st = RequireRail(c, plan->livemode, form->rail); !st.ok()) {
    return respond(ErrorAnswer(st));
  }
  Caller caller = ModeCaller(plan->livemode);
  if (auto answer = IdempotentAnswer(c, caller, req)) return respond(std::move(*answer));
  struct Made {
    Subscription sub;
    Session session;
    std::optional<PushDetails> push;  // a push rail's first charge
  };
  auto made = std::make_shared<Made>();
  UnixSeconds now = c.clock.Now();
  std::string chosen = form->rail;  // read before the job takes the form
  WriteThen(
      c, caller, req, respond,
      [&c, made, now, plan = *plan, form = std::move(*form)](Db& db) {
        NewSubscription ns;
        ns.plan_id = plan.id;
        ns.email = form.email;
        ns.name = form.name;
        // Anonymous: whoever posts may type anyone's email, so an existing customer is never
        // changed; only a customer this call creates gets the name and contacts given.
        const bool existed = LoadCustomer(db, form.email, plan.livemode).ok();
        JOPAY_RETURN_IF_ERROR(c.engine.CreatePending(db, plan.livemode, ns, now + kSessionTtl,
                                                     now, &made->sub));
        if (!existed) FillContacts(db, made->sub.customer_id, form.name, form.telegram, form.nostr);
        NewSession s;
        s.mode = "subscription";
        s.plan = SessionPlan{};
        s.plan->id = plan.id;
        s.customer_email = form.email;
        // Without a page of the merchant's to go back to, the customer ends on the hosted
        // checkout page itself, which says the subscription is active (not on JSON).
        s.id = NewId("cs_");
        std::string own_page = CheckoutUrl(c.public_url, s.id);
        s.success_url = form.success_url.value_or(own_page);
        s.cancel_url = form.cancel_url.value_or(s.success_url);
        s.expires_in = kSessionTtl;
        s.subscription_id = made->sub.id;
        JOPAY_RETURN_IF_ERROR(CreateSession(db, plan.livemode, s, now, &made->session));
        // Cards and PayPal are given on the hosted page (checkout_url).
        if (form.rail == rail::kCard || form.rail == rail::kPaypal) return Status::Ok();
        return StartOnPushRail(c, db, plan.livemode, form.rail, now, *made->session.subscription_id,
                               &made->sub, &made->push);
      },
      [&c, made, rail = std::move(chosen)] {
        json::object o{{"subscription_id", made->sub.id},
                       {"status", made->sub.status},
                       {"payment_method", rail},
                       {"session_id", made->session.id},
                       {"checkout_url", CheckoutUrl(c.public_url, made->session.id)},
                       {"expires_at", made->session.expires_at}};
        if (made->push) AddPushFields(c, made->sub.id, *made->push, o);
        return o;
      });
}

// The newest checkout session bound to the subscription.
std::optional<Session> BoundSession(Db& db, const std::string& sub_id, bool livemode) {
  auto& q = db.Cached(
      "SELECT id FROM checkout_sessions WHERE subscription_id=? ORDER BY rowid DESC LIMIT 1");
  q.Args(sub_id);
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  if (!id) return std::nullopt;
  auto s = LoadSession(db, *id, livemode);
  return s.ok() ? std::optional<Session>(*s) : std::nullopt;
}

void CheckoutStatus(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  std::string id = req.params["id"];
  auto live = ModeOf(db, "SELECT livemode FROM subscriptions WHERE id=?", id);
  auto sub = live ? LoadSubscription(db, id, *live) : Result<Subscription>(Status::NotFound(""));
  // Only subscriptions that came through a checkout session have a public checkout.
  auto session = sub.ok() ? BoundSession(db, id, *live) : std::nullopt;
  if (!session) {
    return respond(ErrorAnswer(Status::NotFound(fmt::format("No such checkout: {}", id), "id")));
  }
  bool paid = session->status == session_status::kCompleted;
  bool payable = session->Payable(c.clock.Now());
  json::object o{{"subscription_id", sub->id},
                 {"status", sub->status},
                 {"paid", paid},
                 {"plan_id", sub->plan_id},
                 {"plan_name", sub->plan_name}};
  if (sub->currency == "sat") o["amount_sats"] = sub->amount;
  o["amount"] = sub->amount;
  o["currency"] = sub->currency;
  o["interval"] = LnbitsIntervalName(sub->interval);
  o["interval_count"] = sub->interval_count;
  o["payment_method"] = sub->rail;
  std::optional<PushDetails> push;
  if (sub->Push()) push = LatestPushDetails(db, sub->id, *live);
  o["session_id"] = session->id;
  o["session_status"] = payable || session->status != session_status::kPending
                            ? session->status
                            : std::string(session_status::kExpired);
  o["checkout_url"] = payable ? json::value(CheckoutUrl(c.public_url, session->id))
                              : json::value(nullptr);
  o["expires_at"] = session->expires_at;
  o["attempts"] = session->attempts;
  o["trial_end"] = sub->trial_end ? json::value(*sub->trial_end) : json::value(nullptr);
  o["current_period_end"] = paid ? json::value(sub->current_period_end) : json::value(nullptr);
  if (push) AddPushFields(c, sub->id, *push, o);
  respond(http::JsonResponse(200, o));
}

// The QR code of the subscription's newest push charge (its payment URI), as SVG.
void CheckoutQr(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  std::string id = req.params["id"];
  auto live = ModeOf(db, "SELECT livemode FROM subscriptions WHERE id=?", id);
  auto push = live ? LatestPushDetails(db, id, *live) : std::nullopt;
  auto svg = push ? pages::QrSvg(PaymentUri(push->row)) : std::nullopt;
  if (!svg) {
    return respond(ErrorAnswer(Status::NotFound(
        fmt::format("No Lightning or on-chain charge to pay for {}", id), "id")));
  }
  http::Response r;
  r.status = 200;
  r.content_type = "image/svg+xml";
  r.body = std::move(*svg);
  respond(std::move(r));
}

}  // namespace

void AddLnbitsPublicRoutes(http::Router& r, Context& c) {
  AddOpenRoute(r, c, "GET", "/public/plan/{id}", GetPlan);
  AddOpenRoute(r, c, "POST", "/public/subscribe/{plan_id}", Subscribe);
  AddOpenRoute(r, c, "GET", "/public/checkout/{id}", CheckoutStatus);
  AddOpenRoute(r, c, "GET", "/public/checkout/{id}/qr.svg", CheckoutQr);
}

}  // namespace jopay::pub
