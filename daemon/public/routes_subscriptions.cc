// /api/checkout/v1/subscriptions: list, get, cancel, portal link. A subscription is shown as
// its webhooks show it (event_data.h): the fields of docs/reference/jopay-checkout-api.txt (id, status, customer_email,
// plan_name, amount_cents, currency, current_period_end) and the rest of the webhook payload.
// The list leaves out `incomplete` subscriptions (made by the anonymous subscribe, waiting for
// their first payment) unless status=incomplete asks for them.
#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/event_data.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/checkout/session_request.h"
#include "daemon/public/context.h"
#include "daemon/public/tokens.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

json::object View(const Subscription& s) { return SubscriptionEventData(s, {}); }

int64_t CountSubscriptions(Db& db, bool livemode, const std::string& status,
                           const std::string& email, bool hide_incomplete) {
  auto& q = db.Cached(
      "SELECT COUNT(*) FROM subscriptions s JOIN customers c ON c.id = s.customer_id "
      "WHERE s.livemode = ?1 AND (?2 = '' OR s.status = ?2) AND (?3 = '' OR c.email = ?3) "
      "AND (?4 = 0 OR s.status <> 'incomplete')");
  q.Args(int64_t{livemode}, status, email, int64_t{hide_incomplete});
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

void List(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"status", "customer_email", "limit", "starting_after"});
  if (!st.ok()) return respond(ErrorAnswer(st));
  auto page = ParsePage(req);
  if (!page.ok()) return respond(ErrorAnswer(page.status()));
  SubscriptionFilter f;
  f.livemode = caller.livemode;
  f.limit = page->limit + 1;
  f.starting_after = page->starting_after;
  if (auto it = req.query.find("status"); it != req.query.end()) f.status = it->second;
  // Subscriptions waiting for their first payment (the anonymous subscribe's) are not the
  // reference's: listed only when asked for by status=incomplete.
  f.hide_incomplete = f.status.empty();
  if (auto it = req.query.find("customer_email"); it != req.query.end()) {
    f.email = NormalizeEmail(it->second);
  }
  if (!f.status.empty() && std::find(std::begin(sub_status::kAll), std::end(sub_status::kAll),
                                     f.status) == std::end(sub_status::kAll)) {
    return respond(ErrorAnswer(Status::Invalid(
        "status must be one of incomplete, trialing, active, past_due, canceled, paused, expired",
        "status")));
  }
  Db& db = c.store.reader();
  if (!f.starting_after.empty() && !LoadSubscription(db, f.starting_after, f.livemode).ok()) {
    return respond(ErrorAnswer(Status::NotFound(
        fmt::format("No such subscription: {}", f.starting_after), "starting_after")));
  }
  db.Exec("BEGIN");  // the page and its total from one snapshot
  std::vector<Subscription> subs;
  int64_t total = 0;
  try {
    subs = ListSubscriptions(db, f);
    total = CountSubscriptions(db, f.livemode, f.status, f.email, f.hide_incomplete);
    db.Exec("COMMIT");
  } catch (...) {
    db.Exec("ROLLBACK");
    throw;
  }
  bool more = static_cast<int>(subs.size()) > page->limit;
  if (more) subs.resize(page->limit);
  json::array items;
  for (const auto& s : subs) items.push_back(View(s));
  respond(http::JsonResponse(
      200, json::object{{"subscriptions", std::move(items)}, {"total", total}, {"has_more", more}}));
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto s = LoadSubscription(c.store.reader(), req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  respond(http::JsonResponse(200, View(*s)));
}

void Cancel(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  std::optional<bool> immediate;
  Status st = body.ok() ? RejectUnknown(*body, {"immediate"}) : body.status();
  if (st.ok()) st = GetBool(*body, "immediate", immediate);
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<Subscription>(
      c, caller, req, respond,
      [&c, call = CallOf(c, caller), id = req.params["id"], imm = immediate.value_or(false)](
          Db& db, Subscription& sub) {
        return c.engine.Cancel(db, call.livemode, id, imm, std::nullopt, call.now, &sub);
      },
      [](const Subscription& sub) {
        return json::object{{"id", sub.id},
                            {"status", sub.status},
                            {"cancel_at_period_end", sub.cancel_at_period_end},
                            {"current_period_end", FormatRfc3339(sub.current_period_end)}};
      });
}

void Portal(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  // A GET, but what it hands out can cancel the subscription: as much a write as the cancel.
  if (caller.read_only) {
    return respond(ErrorAnswer(Status::Make(
        Status::Kind::kForbidden, "api_key_read_only",
        "This API key is read-only: a portal link can cancel the subscription, so minting one "
        "needs a secret (sk_) key.")));
  }
  Status st = RejectUnknownQuery(req, {"return_url"});
  auto it = req.query.find("return_url");
  if (st.ok()) st = Require(it != req.query.end(), "return_url");
  if (st.ok()) st = ValidateRedirectUrl(it->second, caller.livemode, "return_url");
  if (!st.ok()) return respond(ErrorAnswer(st));
  auto s = LoadSubscription(c.store.reader(), req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  PortalGrant grant{s->id, caller.livemode, it->second, c.clock.Now() + kPortalTokenTtl};
  std::string url = PortalUrl(c.public_url, SignPortalToken(c.signing_key, grant));
  respond(http::JsonResponse(200, json::object{{"portal_url", url}}));
}

}  // namespace

void AddCheckoutSubscriptionRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/checkout/v1/subscriptions", List);
  AddApiRoute(r, c, "GET", "/api/checkout/v1/subscriptions/{id}", Get);
  AddApiRoute(r, c, "POST", "/api/checkout/v1/subscriptions/{id}/cancel", Cancel);
  AddApiRoute(r, c, "GET", "/api/checkout/v1/subscriptions/{id}/portal", Portal);
}

}  // namespace jopay::pub
