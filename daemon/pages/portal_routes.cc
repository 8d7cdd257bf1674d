// The customer portal: GET /portal/{token}, POST /portal/{token}/cancel and /card (pages.h).
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
#include "daemon/billing/subscription_rows.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/pages/portal_view.h"
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

// Links between the portal's pages are relative (a proxy may serve them under a path prefix):
// from /portal/{token} the forms post to "{token}/cancel"; from /portal/{token}/cancel the
// way back is "../{token}".
std::string BackToPortal(const http::Request& req) { return "../" + req.params.at("token"); }

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

void Cancel(pub::Context& c, http::Request& req, http::Respond respond) {
  ActThenRedirect(c, req, std::move(respond), CancelAction);
}

void UpdateCard(pub::Context& c, http::Request& req, http::Respond respond) {
  ActThenRedirect(c, req, std::move(respond), CardAction);
}

}  // namespace

void AddPortalPageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/portal/{token}", Show, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/cancel", Cancel, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/portal/{token}/card", UpdateCard, ErrorPage);
}

}  // namespace jopay::pages
