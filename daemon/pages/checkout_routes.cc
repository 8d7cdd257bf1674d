// GET/POST /checkout/{id}: the hosted checkout page and its payment (see pages.h).
#include <fmt/core.h>

#include "common/log.h"
#include "common/validate.h"
#include "daemon/billing/plans.h"
#include "daemon/pages/checkout_view.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pay_routes.h"
#include "daemon/pages/pages.h"
#include "daemon/providers/stripe/checkout.h"
#include "daemon/public/tokens.h"

namespace jopay::pages {

namespace {

// The pending Lightning / on-chain charge of the subscription the session is bound to.
std::optional<std::string> PendingPushPaymentOfSession(Db& db, const Session& s) {
  if (!s.subscription_id) return std::nullopt;
  auto& q = db.Cached(
      "SELECT p.id FROM payments p JOIN push_charges c ON c.payment_pk = p.pk "
      "WHERE p.subscription_id=? AND p.status='pending' ORDER BY p.pk DESC LIMIT 1");
  q.Args(*s.subscription_id);
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  return id;
}

// Whether the session's plan takes cards (allow_stripe); payment sessions always do.
bool TakesCards(Db& db, const Session& s) {
  if (!s.subscription_mode() || !s.plan || s.plan->id.empty()) return true;
  return LoadPlanFlags(db, s.plan->id).allow_stripe;
}

// Session ids name their mode nowhere, and the page takes no key: look in test, then live.
Result<Session> FindSession(Db& db, const std::string& id) {
  auto s = LoadSession(db, id, false);
  if (s.ok() || s.status().kind() != Status::Kind::kNotFound) return s;
  return LoadSession(db, id, true);
}

http::Response NotFoundPage() {
  return MessagePage(404, false, "Checkout not found",
                     "There is no checkout at this address. Check the link you were given.");
}

std::string SuccessLink(const Session& s) {
  auto url = WithQueryParam(s.success_url, "session_id", s.id);
  return url.ok() ? *url : s.success_url;
}

http::Response StatePage(const Session& s, int status) {
  return HtmlAnswer(status, SessionStatePage(s, SuccessLink(s)));
}

http::Response FormPage(pub::Context& c, const Session& s, int status, CheckoutForm form) {
  form.token = CheckoutFormToken(c.signing_key, s.id);
  form.push_rails = OfferedPushRails(c, s);
  form.cards = TakesCards(c.store.reader(), s);
  form.paypal = OffersPayPal(c, s);
  // With Stripe in the session's mode the card is given on Stripe's page, never here.
  if (c.stripe.For(s.livemode)) return HtmlAnswer(status, ProviderCheckoutPage(s, form));
  return HtmlAnswer(status, CheckoutPage(s, form));
}

void Show(pub::Context& c, http::Request& req, http::Respond respond) {
  auto s = FindSession(c.store.reader(), req.params["id"]);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  if (!s->Payable(c.clock.Now())) return respond(StatePage(*s, 200));
  // Lightning / on-chain chosen already (POST /public/subscribe, or this page): its charge.
  if (auto pay = PendingPushPaymentOfSession(c.store.reader(), *s)) {
    return respond(SeeOther("../pay/" + *pay));
  }
  respond(FormPage(c, *s, 200, {}));
}

// The answer to a pay attempt that the writer ran: 303 on success, the page with the reason
// otherwise. `form` is what the customer sent (shown again, without the card).
http::Response PayAnswer(pub::Context& c, const std::string& id, const Status& st,
                         const Session& paid, const PayOutcome& outcome, CheckoutForm form) {
  if (st.ok() && outcome.paid) return SeeOther(SuccessLink(paid));
  auto current = FindSession(c.store.reader(), id);
  if (!current.ok()) return NotFoundPage();
  if (st.ok()) {  // declined: the attempt and its event are committed, the session stays payable
    form.error = fmt::format("{} ({})", outcome.failure_message, outcome.failure_code);
    return FormPage(c, *current, 402, std::move(form));
  }
  if (st.kind() == Status::Kind::kConflict) return StatePage(*current, 409);
  if (st.kind() == Status::Kind::kInvalid) {
    form.error = st.message();
    return FormPage(c, *current, 400, std::move(form));
  }
  throw std::runtime_error(st.message());
}

void Pay(pub::Context& c, http::Request& req, http::Respond respond) {
  std::string id = req.params["id"];
  auto s = FindSession(c.store.reader(), id);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  auto fields = FormOf(req);
  if (!fields.ok()) {
    return respond(MessagePage(fields.status().http_status(), !s->livemode, "Bad request",
                               fields.status().message()));
  }
  auto field = [&](const char* name) {
    auto it = fields->find(name);
    return it == fields->end() ? std::string() : it->second;
  };
  if (!VerifyCheckoutFormToken(c.signing_key, id, field("token"))) {
    return respond(MessagePage(
        403, !s->livemode, "This form has expired",
        "The payment form was not sent from this checkout page, or is out of date. Nothing was "
        "charged. Open the checkout page again to pay.",
        id, "Back to the checkout page"));  // relative: /checkout/{id}
  }
  if (!s->Payable(c.clock.Now())) return respond(StatePage(*s, 409));
  if (!TakesCards(c.store.reader(), *s)) {
    return respond(MessagePage(400, !s->livemode, "Cards are not taken",
                               "This plan is paid in bitcoin only.", id,
                               "Back to the checkout page"));
  }
  PayRequest pay{field("card"), field("email"), field("name")};
  // Typed values are shown again after a decline, but only text that passed the checks: never
  // bytes that are not UTF-8, nor a megabyte of them.
  auto shown = [](const std::string& v, size_t max) {
    return ValidateText(v, "", max).ok() ? v : std::string();
  };
  CheckoutForm form{"", shown(pay.email, 254), shown(pay.name, 200), ""};
  struct State {
    Session session;
    PayOutcome outcome;
  };
  auto state = std::make_shared<State>();
  bool live = s->livemode;
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [&c, state, live, now, id, pay = std::move(pay)](Db& db) {
        return PaySession(db, c.engine, live, id, pay, now, &state->session, &state->outcome);
      },
      [&c, state, respond, id, form = std::move(form)](Status st) {
        try {
          respond(PayAnswer(c, id, st, state->session, state->outcome, form));
        } catch (const std::exception& e) {
          LogError("POST /checkout/{}: {}", id, e.what());
          respond(MessagePage(500, false, "Something went wrong", "Please try again later."));
        }
      });
}

// The session of a POST from its own page: found, the form token checked, still payable.
// Otherwise the answer to send instead.
Result<Session> PostedSession(pub::Context& c, http::Request& req, http::Response* refusal) {
  std::string id = req.params["id"];
  auto s = FindSession(c.store.reader(), id);
  if (!s.ok()) {
    if (s.status().kind() != Status::Kind::kNotFound) throw std::runtime_error(s.status().message());
    *refusal = NotFoundPage();
    return s.status();
  }
  auto fields = FormOf(req);
  std::string token;
  if (fields.ok()) {
    if (auto t = fields->find("token"); t != fields->end()) token = t->second;
  }
  if (!VerifyCheckoutFormToken(c.signing_key, id, token)) {
    *refusal = MessagePage(403, !s->livemode, "This form has expired",
                           "The payment form was not sent from this checkout page, or is out of "
                           "date. Nothing was charged. Open the checkout page again to pay.",
                           id, "Back to the checkout page");
    return Status::Make(Status::Kind::kForbidden, "form_token_invalid", "bad form token");
  }
  if (!s->Payable(c.clock.Now())) {
    *refusal = StatePage(*s, 409);
    return Status::Conflict("not payable");
  }
  return s;
}

// POST /checkout/{id}/push: pay with Lightning or on-chain instead of a card.
void GoToPushRail(pub::Context& c, http::Request& req, http::Respond respond) {
  http::Response refusal;
  auto s = PostedSession(c, req, &refusal);
  if (!s.ok()) return respond(std::move(refusal));
  ChoosePushRail(c, req, std::move(respond), *s);
}

// POST /checkout/{id}/paypal: pay with PayPal (its approval page, then back).
void PostPayPal(pub::Context& c, http::Request& req, http::Respond respond) {
  http::Response refusal;
  auto s = PostedSession(c, req, &refusal);
  if (!s.ok()) return respond(std::move(refusal));
  GoToPayPal(c, req, std::move(respond), *s);
}

void PayPalReturn(pub::Context& c, http::Request& req, http::Respond respond) {
  auto s = FindSession(c.store.reader(), req.params["id"]);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  ReturnFromPayPal(c, req, std::move(respond), *s);
}

// POST /checkout/{id}/stripe: sends the customer to a Stripe Checkout for this session (a
// payment that saves the card, a one-time payment, or a setup for a trial).
void GoToStripe(pub::Context& c, http::Request& req, http::Respond respond) {
  http::Response refusal;
  auto s = PostedSession(c, req, &refusal);
  if (!s.ok()) return respond(std::move(refusal));
  stripe::StripeProvider* account = c.stripe.For(s->livemode);
  if (!account) {
    return respond(MessagePage(409, !s->livemode, "Card payments are not available",
                               "This checkout takes no cards through Stripe.", s->id,
                               "Back to the checkout page"));
  }
  std::string base = c.public_url + "/checkout/" + s->id;
  stripe::CheckoutRequest r;
  r.jopay_object = s->id;
  r.setup = TrialDaysOf(c.store.reader(), *s) > 0;
  r.save_card = s->subscription_mode();
  r.amount = s->amount;
  r.currency = s->currency;
  r.description = s->subscription_mode() && s->plan ? s->plan->name : "Order " + s->id;
  r.customer_email = s->customer_email;
  r.success_url = base + "/return?stripe_session={CHECKOUT_SESSION_ID}";
  r.cancel_url = base;
  // One Stripe checkout per session and kind: a second click (or a reload) gets the same one.
  r.idempotency_key = fmt::format("{}:checkout:{}", s->id, r.setup ? "setup" : "payment");
  bool live = s->livemode;
  std::string id = s->id;
  stripe::CreateCheckout(account->api(), r, [respond, live, id](Result<std::string> url) {
    if (url.ok()) return respond(SeeOther(*url));
    LogWarn("checkout {}: Stripe checkout not created: {}", id, url.status().message());
    respond(MessagePage(502, !live, "The payment page is unavailable",
                        "The card payment page could not be opened. Nothing was charged. "
                        "Please try again in a moment.",
                        id, "Back to the checkout page"));
  });
}

// The answer once a Stripe checkout has been read back: the merchant's success_url, or why not.
http::Response ReturnAnswer(const Session& s, const Status& st) {
  if (st.ok()) return SeeOther(SuccessLink(s));
  if (st.code() == "checkout_not_complete") {
    return MessagePage(409, !s.livemode, "Payment not completed",
                       "The payment on Stripe's page was not completed. Nothing was charged.",
                       s.id, "Back to the checkout page");
  }
  LogWarn("checkout {}: completing from Stripe failed: {}", s.id, st.message());
  return MessagePage(st.http_status(), !s.livemode, "The payment could not be confirmed",
                     "We could not confirm the payment yet. If you paid, it will be confirmed "
                     "shortly; you need not pay again.");
}

// GET /checkout/{id}/return?stripe_session=cs_...: Stripe sent the customer back. What the
// checkout settled is read from Stripe itself (the query is only a hint), then the session
// completes, exactly once, and the customer goes on to the merchant's success_url.
void ReturnFromStripe(pub::Context& c, http::Request& req, http::Respond respond) {
  auto s = FindSession(c.store.reader(), req.params["id"]);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  auto it = req.query.find("stripe_session");
  stripe::StripeProvider* account = c.stripe.For(s->livemode);
  if (it == req.query.end() || it->second.empty() || !account) {
    return respond(MessagePage(400, !s->livemode, "Bad request", "No Stripe checkout to confirm.",
                               s->id, "Back to the checkout page"));
  }
  Session session = *s;
  stripe::ReadCheckout(account->api(), it->second,
                       [&c, respond, session](Result<ProviderCheckout> paid) {
    if (!paid.ok()) return respond(ReturnAnswer(session, paid.status()));
    if (paid->jopay_object != session.id) {
      return respond(ReturnAnswer(session, Status::Invalid("the Stripe checkout is another "
                                                           "session's", "stripe_session")));
    }
    auto done = std::make_shared<Session>();
    c.store.writer().Submit(
        [&c, done, live = session.livemode, id = session.id, paid = *paid,
         now = c.clock.Now()](Db& db) {
          bool already = false;
          return CompleteWithProvider(db, c.engine, live, id, paid, now, done.get(), &already);
        },
        [respond, done, session](Status st) {
          respond(ReturnAnswer(st.ok() ? *done : session, st));
        });
  });
}

}  // namespace

void AddCheckoutPageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/checkout/{id}", Show, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/checkout/{id}", Pay, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/checkout/{id}/stripe", GoToStripe, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/checkout/{id}/push", GoToPushRail, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/checkout/{id}/paypal", PostPayPal, ErrorPage);
  pub::AddOpenRoute(r, c, "GET", "/checkout/{id}/paypal-return", PayPalReturn, ErrorPage);
  pub::AddOpenRoute(r, c, "GET", "/checkout/{id}/return", ReturnFromStripe, ErrorPage);
}

void AddPageRoutes(http::Router& r, pub::Context& c) {
  AddCheckoutPageRoutes(r, c);
  AddPortalPageRoutes(r, c);
  AddPayPageRoutes(r, c);
  AddInvoicePageRoutes(r, c);
}

}  // namespace jopay::pages
