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
  std::optional<std::vector<std::string>> providers;  // none = any method
  if (auto it = req.query.find("payment_method"); st.ok() && it != req.query.end()) {
    auto p = ProvidersOfPaymentMethod(it->second);
    if (p.ok()) providers = *p; else st = p.status();
  }
  if (!st.ok()) return respond(ErrorAnswer(st));
  json::array out;
  if (providers && providers->empty()) return respond(http::JsonResponse(200, out));
  Db& db = c.store.reader();
  // Card providers are two at most: bind them as ?4 and ?5 ("" = no filter).
  std::string p1 = providers ? (*providers)[0] : "";
  std::string p2 = providers && providers->size() > 1 ? (*providers)[1] : p1;
  auto& q = db.Cached(
      "SELECT id FROM payments WHERE livemode=?1 AND (?2 = '' OR subscription_id=?2) AND "
      "(?3 = '' OR status=?3) AND (?4 = '' OR provider IN (?4, ?5)) "
      "ORDER BY rowid DESC LIMIT ?6 OFFSET ?7");
  q.Args(int64_t{caller.livemode}, sub_id, status, p1, p2, int64_t{window->limit},
         int64_t{window->offset});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  for (const auto& id : ids) {
    auto p = LoadPayment(db, id, caller.livemode);
    if (p.ok()) out.push_back(LnbitsPaymentView(*p));
  }
  respond(http::JsonResponse(200, out));
}

void GetPayment(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto p = LoadPayment(c.store.reader(), req.params["id"], caller.livemode);
  if (!p.ok()) return respond(ErrorAnswer(p.status()));
  respond(http::JsonResponse(200, LnbitsPaymentView(*p)));
}

}  // namespace

void AddLnbitsPeopleRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/v1/subscribers", ListSubscribersRoute);
  AddApiRoute(r, c, "GET", "/api/v1/subscribers/{id}", GetSubscriber);
  AddApiRoute(r, c, "GET", "/api/v1/payments", ListPaymentsRoute);
  AddApiRoute(r, c, "GET", "/api/v1/payments/{id}", GetPayment);
}

}  // namespace jopay::pub
