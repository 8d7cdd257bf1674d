// The customer portal: GET /portal/{token}, POST /portal/{token}/cancel, /card and /plan, and with
// Stripe the ways back from its pages: /card/return, /authenticate and /authenticated (pages.h).
//
// The signed token in the path is the only credential (tokens.h: one subscription, one mode,
// one hour). It is also what protects the forms: a cross-site page cannot post to a portal
// URL it does not know, and anyone who knows it may load the page and read any per-form token
// from it, so a second HMAC per form would add nothing; pages are sent with
// Referrer-Policy: no-referrer so the URL does not leak to the merchant's site. Every post
// answers 303 back to the portal with a flag (?done= or ?error=) naming what happened, so a
// reload does not resubmit; the page turns known flags into text and ignores anything else
// (nothing from the query reaches the page as it was sent).
#include <fmt/core.h>

#include "common/log.h"
#include "common/ids.h"
#include "common/money.h"
#include "daemon/billing/engine_plan_change.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/pages/checkout_view.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/pages/portal_view.h"
#include "daemon/providers/stripe/checkout.h"
#include "daemon/public/tokens.h"

namespace jopay::pages {

namespace {

struct Flag {
  std::string_view flag;
  std::string_view text;
};
constexpr Flag kDone[] = {
    {"canceled", "Your subscription is canceled: it will not renew."},
    {"card_updated", "Your card was updated."},
    {"paid", "Your card was updated and the overdue payment went through."},
    {"card_updated_paying",
     "Your card was updated; the overdue payment is being charged to it now."},
    {"plan_changed", "Your plan was changed."},
    {"plan_scheduled", "Your plan will change when the current period ends."},
    {"plan_awaiting_payment", "Your card is being charged for the change: the new plan starts "
                              "as soon as the payment goes through."},
    {"pending_canceled", "The plan change was called off: your plan stays as it is."},
};
constexpr Flag kErrors[] = {
    {"card_declined", "Your card was declined. Nothing changed: try another card."},
    {"insufficient_funds", "Your card has insufficient funds. Nothing changed: try another card."},
    {"expired_card", "Your card has expired. Nothing changed: try another card."},
    {"incorrect_number", "That is not a valid card number. Nothing changed."},
    {"card_missing", "Enter a card number. Nothing changed."},
    {"retry_failed", "The new card was saved, but the overdue payment was declined (see the "
                     "payments below)."},
    {"already_canceled", "The subscription is already canceled."},
    {"subscription_expired", "The subscription has ended and can no longer change."},
    {"authentication_failed", "The payment was not confirmed. Nothing was charged."},
    {"nothing_to_authenticate", "No payment is waiting for your confirmation."},
    {"subscription_past_due", "Pay the overdue period first (update your card below)."},
    {"subscription_paused", "The subscription is paused: its plan cannot change now."},
    {"subscription_canceled", "The subscription is canceled: its plan cannot change."},
    {"plan_unchanged", "You are already on that plan."},
    {"plan_not_switchable", "That plan cannot be chosen. Nothing changed."},
    {"plan_archived", "That plan is no longer offered. Nothing changed."},
    {"update_already_pending", "That change is already scheduled."},
    {"charge_in_flight", "A payment of this subscription is being processed. Nothing changed: "
                         "try again in a minute."},
    {"plan_change_unsupported", "The plan of this subscription cannot be changed here: cancel "
                                "it and subscribe to the other plan."},
    {"no_payment_method", "There is no saved card to charge for the change: add one below "
                          "first. Nothing changed."},
    {"provider_unavailable", "Card payments are not available right now. Nothing changed: "
                             "please try again later."},
    {"failed", "That did not work. Nothing changed: please try again."},
};

std::string TextOf(const std::map<std::string, std::string>& query, const char* name,
                   const auto& flags) {
  auto it = query.find(name);
  if (it == query.end()) return "";
  for (const Flag& f : flags) {
    if (f.flag == it->second) return std::string(f.text);
  }
  return "";
}

// The error flag for a failed action: its code when the page knows it.
std::string ErrorFlag(const Status& st) {
  for (const Flag& f : kErrors) {
    if (f.flag == st.code()) return st.code();
  }
  return "failed";
}

// The grant of the request's token, or the page that refuses it.
Result<PortalGrant> Grant(pub::Context& c, const http::Request& req, http::Respond& respond) {
  auto grant = VerifyPortalToken(c.signing_key, req.params.at("token"), c.clock.Now());
  if (grant.ok()) return grant;
  if (grant.status().code() == "portal_token_expired") {
    respond(MessagePage(401, false, "This link has expired",
                        "Portal links are valid for one hour. Go back to the merchant's site and "
                        "open your account page again for a new link."));
  } else {
    respond(MessagePage(403, false, "This link is not valid",
                        "This portal link is damaged or was not issued by us. Go back to the "
                        "merchant's site and open your account page again."));
  }
  return grant;
}

// The payment of the period a past_due subscription is dunning for, when its charge failed
// because the bank wants the customer to authenticate it (newest first in `payments`).
std::optional<Payment> AwaitingAuthentication(const Subscription& s,
                                              const std::vector<Payment>& payments) {
  if (s.status != sub_status::kPastDue || payments.empty()) return std::nullopt;
  const Payment& last = payments.front();
  if (last.status != "failed" || last.failure_code != "authentication_required" ||
      !last.provider_ref || last.period_start != s.current_period_start) {
    return std::nullopt;
  }
  return last;
}

// Links between the portal's pages are relative (a proxy may serve them under a path prefix):
// from /portal/{token} the forms post to "{token}/cancel"; from /portal/{token}/cancel the
// way back is "../{token}".
std::string BackToPortal(const http::Request& req) { return "../" + req.params.at("token"); }

// What moving to `plan` would do now, in a sentence (plan_change.h decides).
std::string EffectText(const Subscription& s, const PlanChange& c) {
  if (!c.now) {
    return "Applies when this period ends, on " +
           FormatRfc3339(s.current_period_end).substr(0, 10) + ".";
  }
  if (!c.prorated || c.proration.net() <= 0) return "Applies now.";
  std::string net = FormatMoney(c.proration.net(), c.to.currency);
  return c.new_period ? "Applies now: a new period starts today; " + net +
                            " is charged (the unused part of this one is credited)."
                      : "Applies now: " + net + " is charged for the rest of this period.";
}

// The switchable plans `s` may move to now, with what each move would do.
std::vector<PlanChoice> PlanChoices(Db& db, const Subscription& s, UnixSeconds now) {
  std::vector<PlanChoice> out;
  for (const Plan& p : ListSwitchablePlans(db, s.livemode)) {
    PlanTerms to{p.id, p.name, p.amount, p.currency, p.interval, p.interval_count, p.grace_days};
    auto change = PlanChangeFor(s, to, {}, now);
    if (!change.ok()) continue;  // the plan it is on, a refused state, ...
    out.push_back({p.id, p.name,
                   FormatMoney(p.amount, p.currency) + " " + EveryInterval(p.interval, p.interval_count),
                   EffectText(s, *change)});
  }
  return out;
}

// The subscription's last 24 invoices (credit notes have no subscription of their own).
std::vector<InvoiceLink> InvoiceLinks(pub::Context& c, Db& db, const Subscription& s) {
  InvoiceFilter f;
  f.subscription_id = s.id;
  f.limit = 24;
  std::vector<InvoiceLink> out;
  for (const Invoice& inv : ListInvoices(db, s.livemode, f)) {
    if (inv.kind != "invoice") continue;
    out.push_back({inv.number, inv.created_at, FormatMoney(inv.total, inv.currency), inv.status,
                   InvoiceUrl(c.public_url, c.signing_key, inv.id),
                   InvoicePdfUrl(c.public_url, c.signing_key, inv.id)});
  }
  return out;
}

void Show(pub::Context& c, http::Request& req, http::Respond respond) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  Db& db = c.store.reader();
  auto sub = LoadSubscription(db, grant->subscription_id, grant->livemode);
  if (!sub.ok()) {
    return respond(MessagePage(404, !grant->livemode, "Subscription not found",
                               "This subscription no longer exists.", grant->return_url,
                               "Return to the merchant"));
  }
  auto payments = ListPayments(db, grant->livemode, sub->id, "", 50, "");
  PortalPageData data{req.params.at("token"), grant->return_url, TextOf(req.query, "done", kDone),
                      TextOf(req.query, "error", kErrors)};
  data.provider_checkout = c.stripe.For(grant->livemode) != nullptr;
  data.needs_authentication = AwaitingAuthentication(*sub, payments).has_value();
  data.plans = PlanChoices(db, *sub, c.clock.Now());
  data.invoices = InvoiceLinks(c, db, *sub);
  respond(HtmlAnswer(200, PortalPage(*sub, payments, data)));
}

// Runs `action` on the writer and answers 303 back to the portal with the flag it names.
template <class Action>
void ActThenRedirect(pub::Context& c, http::Request& req, http::Respond respond, Action action) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  auto form = FormOf(req);
  if (!form.ok()) {
    return respond(MessagePage(form.status().http_status(), !grant->livemode, "Bad request",
                               form.status().message(), BackToPortal(req), "Back to your subscription"));
  }
  auto flag = std::make_shared<std::string>();
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [&c, flag, g = *grant, form = std::move(*form), now, action](Db& db) {
        *flag = action(c, db, g, form, now);
        return Status::Ok();
      },
      [flag, respond, path = BackToPortal(req)](Status st) {
        if (!st.ok()) {
          LogError("portal: {}", st.message());
          return respond(SeeOther(path + "?error=failed"));
        }
        respond(SeeOther(path + "?" + *flag));
      });
}

// Each action returns the flag ("done=..." or "error=..."); a failed action writes nothing
// (the engine returns before changing anything).
std::string CancelAction(pub::Context& c, Db& db, const PortalGrant& g,
                         const std::map<std::string, std::string>&, UnixSeconds now) {
  Subscription sub;
  Status st = c.engine.Cancel(db, g.livemode, g.subscription_id, false,
                              std::string("customer portal"), now, &sub);
  return st.ok() ? "done=canceled" : "error=" + ErrorFlag(st);
}

std::string CardAction(pub::Context& c, Db& db, const PortalGrant& g,
                       const std::map<std::string, std::string>& form, UnixSeconds now) {
  auto it = form.find("card");
  if (it == form.end() || it->second.empty()) return "error=card_missing";
  auto before = LoadSubscription(db, g.subscription_id, g.livemode);
  if (!before.ok()) return "error=failed";
  // A refused card must leave nothing behind: undo whatever the engine wrote before it failed.
  db.Exec("SAVEPOINT portal_card");
  Subscription after;
  Status st = c.engine.Update(db, g.livemode, g.subscription_id, it->second, std::nullopt, now,
                              &after);
  db.Exec(st.ok() ? "RELEASE portal_card" : "ROLLBACK TO portal_card");
  if (!st.ok()) {
    db.Exec("RELEASE portal_card");
    return "error=" + ErrorFlag(st);
  }
  if (before->status != sub_status::kPastDue) return "done=card_updated";
  return after.status == sub_status::kPastDue || after.status == sub_status::kExpired
             ? "error=retry_failed"
             : "done=paid";
}

// A switchable plan the customer picked (`plan`), or the scheduled change called off
// (`cancel_pending`). A declined proration charge leaves nothing behind.
std::string PlanAction(pub::Context& c, Db& db, const PortalGrant& g,
                       const std::map<std::string, std::string>& form, UnixSeconds now) {
  PlanChangeRequest req;
  req.by_customer = true;
  req.cancel_pending = form.contains("cancel_pending");
  if (!req.cancel_pending) {
    auto it = form.find("plan");
    if (it == form.end() || it->second.empty()) return "error=failed";
    req.plan_id = it->second;
  }
  db.Exec("SAVEPOINT portal_plan");
  Subscription after;
  PlanChangeResult result;
  Status st = ChangePlan(c.engine, db, g.livemode, g.subscription_id, req, now, &after, &result);
  db.Exec(st.ok() ? "RELEASE portal_plan" : "ROLLBACK TO portal_plan");
  if (!st.ok()) {
    db.Exec("RELEASE portal_plan");
    return "error=" + ErrorFlag(st);
  }
  if (req.cancel_pending) return "done=pending_canceled";
  if (result.awaiting_payment) return "done=plan_awaiting_payment";
  return result.change && result.change->now ? "done=plan_changed" : "done=plan_scheduled";
}

void Cancel(pub::Context& c, http::Request& req, http::Respond respond) {
  ActThenRedirect(c, req, std::move(respond), CancelAction);
}

void ChangePlanRoute(pub::Context& c, http::Request& req, http::Respond respond) {
  ActThenRedirect(c, req, std::move(respond), PlanAction);
}

// The portal's own absolute URL (Stripe needs absolute ones to send the customer back).
std::string PortalBase(pub::Context& c, const http::Request& req) {
  return c.public_url + "/portal/" + req.params.at("token");
}

// With Stripe: a setup on Stripe's page saves the new card; the way back replaces it.
void CardThroughStripe(pub::Context& c, http::Request& req, http::Respond respond,
                       const PortalGrant& g, stripe::StripeProvider& account) {
  auto sub = LoadSubscription(c.store.reader(), g.subscription_id, g.livemode);
  if (!sub.ok()) return respond(SeeOther(BackToPortal(req) + "?error=failed"));
  if (sub->Ended()) return respond(SeeOther(BackToPortal(req) + "?error=subscription_expired"));
  stripe::CheckoutRequest r;
  r.jopay_object = sub->id;
  r.setup = true;
  r.currency = sub->currency;
  if (sub->provider == "stripe" && !sub->provider_customer.empty()) {
    r.customer = sub->provider_customer;  // the new card joins the customer's other ones
  } else {
    r.customer_email = sub->customer_email;
  }
  r.success_url = PortalBase(c, req) + "/card/return?stripe_session={CHECKOUT_SESSION_ID}";
  r.cancel_url = PortalBase(c, req);
  r.idempotency_key = NewId("setup_");  // each click its own Stripe page
  stripe::CreateCheckout(account.api(), r,
                         [respond, back = BackToPortal(req)](Result<std::string> url) {
                           if (url.ok()) return respond(SeeOther(*url));
                           LogWarn("portal: Stripe setup not created: {}", url.status().message());
                           respond(SeeOther(back + "?error=failed"));
                         });
}

void UpdateCard(pub::Context& c, http::Request& req, http::Respond respond) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  if (stripe::StripeProvider* account = c.stripe.For(grant->livemode)) {
    return CardThroughStripe(c, req, std::move(respond), *grant, *account);
  }
  ActThenRedirect(c, req, std::move(respond), CardAction);
}

// GET /portal/{token}/card/return?stripe_session=...: the card Stripe saved (read back from
// Stripe) replaces the subscription's; a past_due one charges the open period with it at once.
void CardReturn(pub::Context& c, http::Request& req, http::Respond respond) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  std::string portal = "../../" + req.params.at("token");  // from /portal/{token}/card/return
  auto it = req.query.find("stripe_session");
  stripe::StripeProvider* account = c.stripe.For(grant->livemode);
  if (!account || it == req.query.end()) return respond(SeeOther(portal + "?error=failed"));
  stripe::ReadCheckout(
      account->api(), it->second,
      [&c, respond, portal, g = *grant](Result<ProviderCheckout> paid) {
        if (!paid.ok() || paid->jopay_object != g.subscription_id) {
          return respond(SeeOther(portal + "?error=failed"));
        }
        auto flag = std::make_shared<std::string>();
        c.store.writer().Submit(
            [&c, flag, g, card = paid->card, now = c.clock.Now()](Db& db) {
              auto before = LoadSubscription(db, g.subscription_id, g.livemode);
              if (!before.ok()) return before.status();
              Subscription after;
              JOPAY_RETURN_IF_ERROR(
                  c.engine.UpdateWithCard(db, g.livemode, g.subscription_id, card, now, &after));
              *flag = before->status != sub_status::kPastDue ? "done=card_updated"
                      : after.next_action == next_action::kCharge ? "done=card_updated_paying"
                      : after.status == sub_status::kPastDue      ? "error=retry_failed"
                                                                  : "done=paid";
              return Status::Ok();
            },
            [respond, portal, flag](Status st) {
              if (!st.ok()) return respond(SeeOther(portal + "?error=" + ErrorFlag(st)));
              respond(SeeOther(portal + "?" + *flag));
            });
      });
}

// POST /portal/{token}/authenticate: the customer confirms, on-session, the charge their bank
// refused to take off-session; Stripe sends them to the bank's page and back.
void Authenticate(pub::Context& c, http::Request& req, http::Respond respond) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  stripe::StripeProvider* account = c.stripe.For(grant->livemode);
  Db& db = c.store.reader();
  auto sub = LoadSubscription(db, grant->subscription_id, grant->livemode);
  if (!account || !sub.ok()) return respond(SeeOther(BackToPortal(req) + "?error=failed"));
  auto payment = AwaitingAuthentication(*sub, ListPayments(db, grant->livemode, sub->id, "", 1, ""));
  if (!payment) return respond(SeeOther(BackToPortal(req) + "?error=nothing_to_authenticate"));
  stripe::Form form = {{"payment_method", sub->provider_ref},
                       {"return_url", PortalBase(c, req) + "/authenticated"}};
  account->api().Post(
      "/v1/payment_intents/" + stripe::PercentEncode(*payment->provider_ref) + "/confirm", form,
      NewId("confirm_"),
      [respond, back = BackToPortal(req)](stripe::Reply r) {
        const boost::json::object* pi = r.body.is_object() ? &r.body.as_object() : nullptr;
        const boost::json::value* next = pi ? pi->if_contains("next_action") : nullptr;
        if (r.status == 200 && next && next->is_object()) {
          const boost::json::value* redirect = next->as_object().if_contains("redirect_to_url");
          if (redirect && redirect->is_object()) {
            const boost::json::value* url = redirect->as_object().if_contains("url");
            if (url && url->is_string()) return respond(SeeOther(std::string(url->get_string())));
          }
        }
        respond(SeeOther(back + "?error=authentication_failed"));
      });
}

// GET /portal/{token}/authenticated?payment_intent=pi_...: back from the bank. What happened is
// read from Stripe; a succeeded PaymentIntent pays the period it was for.
void Authenticated(pub::Context& c, http::Request& req, http::Respond respond) {
  auto grant = Grant(c, req, respond);
  if (!grant.ok()) return;
  std::string portal = "../" + req.params.at("token");
  stripe::StripeProvider* account = c.stripe.For(grant->livemode);
  auto it = req.query.find("payment_intent");
  if (!account || it == req.query.end()) return respond(SeeOther(portal + "?error=failed"));
  account->api().Get(
      "/v1/payment_intents/" + stripe::PercentEncode(it->second),
      [&c, respond, portal, g = *grant](stripe::Reply r) {
        ChargeAnswer answer = stripe::ChargeAnswerOf(r);
        auto p = FindPaymentByProviderRef(c.store.reader(), "stripe", answer.provider_ref);
        if (answer.kind != ChargeAnswer::Kind::kPaid || !p || p->subscription_id != g.subscription_id) {
          return respond(SeeOther(portal + "?error=authentication_failed"));
        }
        c.store.writer().Submit(
            [&c, g, id = p->id, ref = answer.provider_ref, now = c.clock.Now()](Db& db) {
              return c.engine.ApplyLateSuccess(db, id, g.livemode, ref, now);
            },
            [respond, portal](Status st) {
              respond(SeeOther(portal + (st.ok() ? "?done=paid" : "?error=failed")));
            });
      });
}

}  // namespace

void AddPortalPageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/portal/{token}", Show, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/cancel", Cancel, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/card", UpdateCard, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/plan", ChangePlanRoute, ErrorPage);
  pub::AddOpenRoute(r, c, "GET", "/portal/{token}/card/return", CardReturn, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/authenticate", Authenticate, ErrorPage);
  pub::AddOpenRoute(r, c, "GET", "/portal/{token}/authenticated", Authenticated, ErrorPage);
}

}  // namespace jopay::pages
