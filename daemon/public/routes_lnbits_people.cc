// /api/v1/subscribers (?search=) and /api/v1/payments (?subscription_id=&status=
// &payment_method=), LNbits-style.
#include <fmt/core.h>

#include "daemon/billing/subscription_rows.h"
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr int kMaxSubscriptionsShown = 1000;

void ListSubscribersRoute(Context& c, const Caller& caller, http::Request& req,
                          http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"search", "limit", "offset"});
  auto window = ParseWindow(req.query);
  if (st.ok() && !window.ok()) st = window.status();
  std::string search;
  if (auto it = req.query.find("search"); it != req.query.end()) search = it->second;
  if (st.ok() && search.size() > 200) st = Status::Invalid("search must be at most 200 characters", "search");
  if (!st.ok()) return respond(ErrorAnswer(st));
  json::array out;
  for (const auto& s : ListSubscribers(c.store.reader(), caller.livemode, search, *window)) {
    out.push_back(LnbitsSubscriberView(s));
  }
  respond(http::JsonResponse(200, out));
}

void GetSubscriber(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto s = LoadSubscriber(db, req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  SubscriptionFilter f;
  f.livemode = caller.livemode;
  f.customer_id = s->id;
  f.limit = kMaxSubscriptionsShown;
  json::array subs;
  for (const auto& sub : ListSubscriptions(db, f)) subs.push_back(LnbitsSubscriptionView(sub));
  json::object view = LnbitsSubscriberView(*s);
  view["subscriptions"] = std::move(subs);
  respond(http::JsonResponse(200, view));
}

void ListPaymentsRoute(Context& c, const Caller& caller, http::Request& req,
                       http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"subscription_id", "status", "payment_method", "limit",
                                       "offset"});
  auto window = ParseWindow(req.query);
  if (st.ok() && !window.ok()) st = window.status();
  std::string sub_id, status;
  if (auto it = req.query.find("subscription_id"); it != req.query.end()) sub_id = it->second;
  if (auto it = req.query.find("status"); it != req.query.end()) status = it->second;
  if (st.ok() && !status.empty() && status != "pending" && status != "paid" &&
      status != "failed" && status != "refunded") {
    st = Status::Invalid("status must be one of pending, paid, failed, refunded", "status");
  }
  std::string method;  // "" = any
  if (auto it = req.query.find("payment_method"); st.ok() && it != req.query.end()) {
    auto m = ParsePaymentMethodFilter(it->second);
    if (m.ok()) method = *m; else st = m.status();
  }
  if (!st.ok()) return respond(ErrorAnswer(st));
  json::array out;
  Db& db = c.store.reader();
  // A payment's method as LnbitsPaymentView names it: its push charge's rail, else its
  // provider's ("card" for the card providers).
  auto& q = db.Cached(
      "SELECT id FROM payments WHERE livemode=?1 AND (?2 = '' OR subscription_id=?2) AND "
      "(?3 = '' OR status=?3) AND (?4 = '' OR ?4 = coalesce((SELECT rail FROM push_charges c "
      "WHERE c.payment_pk = payments.pk), CASE WHEN provider = 'sandbox' OR provider = 'stripe' "
      "THEN 'card' ELSE provider END)) "
      "ORDER BY rowid DESC LIMIT ?5 OFFSET ?6");
  q.Args(int64_t{caller.livemode}, sub_id, status, method, int64_t{window->limit},
         int64_t{window->offset});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  for (const auto& id : ids) {
    auto p = LoadPayment(db, id, caller.livemode);
    if (p.ok()) out.push_back(LnbitsPaymentView(db, *p));
  }
  respond(http::JsonResponse(200, out));
}

void GetPayment(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto p = LoadPayment(db, req.params["id"], caller.livemode);
  if (!p.ok()) return respond(ErrorAnswer(p.status()));
  respond(http::JsonResponse(200, LnbitsPaymentView(db, *p)));
}

}  // namespace

void AddLnbitsPeopleRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/v1/subscribers", ListSubscribersRoute);
  AddApiRoute(r, c, "GET", "/api/v1/subscribers/{id}", GetSubscriber);
  AddApiRoute(r, c, "GET", "/api/v1/payments", ListPaymentsRoute);
  AddApiRoute(r, c, "GET", "/api/v1/payments/{id}", GetPayment);
}

}  // namespace jopay::pub
