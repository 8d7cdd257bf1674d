// /api/v1/subscriptions (LNbits-style): list (?plan_id=&status=), get (with its payment
// history), update (metadata), cancel (reason, immediate), pause, resume.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr int kMaxHistory = 1000;  // payments shown with one subscription

void List(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"plan_id", "status", "limit", "offset"});
  auto window = ParseWindow(req.query);
  if (st.ok() && !window.ok()) st = window.status();
  std::string status, plan_id;
  if (auto it = req.query.find("status"); st.ok() && it != req.query.end()) {
    auto parsed = ParseSubscriptionStatus(it->second);
    if (parsed.ok()) status = *parsed; else st = parsed.status();
  }
  if (auto it = req.query.find("plan_id"); it != req.query.end()) plan_id = it->second;
  if (!st.ok()) return respond(ErrorAnswer(st));
  Db& db = c.store.reader();
  auto& q = db.Cached(
      "SELECT id FROM subscriptions WHERE livemode=?1 AND (?2 = '' OR plan_id=?2) AND "
      "(?3 = '' OR status=?3) ORDER BY rowid DESC LIMIT ?4 OFFSET ?5");
  q.Args(int64_t{caller.livemode}, plan_id, status, int64_t{window->limit},
         int64_t{window->offset});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  json::array out;
  for (const auto& id : ids) {
    auto s = LoadSubscription(db, id, caller.livemode);
    if (s.ok()) out.push_back(LnbitsSubscriptionView(*s));
  }
  respond(http::JsonResponse(200, out));
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto s = LoadSubscription(db, req.params["id"], caller.livemode);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  json::object view = LnbitsSubscriptionView(*s);
  json::array payments;
  for (const auto& p : ListPayments(db, caller.livemode, s->id, "", kMaxHistory, "")) {
    payments.push_back(LnbitsPaymentView(db, p));
  }
  view["payments"] = std::move(payments);
  respond(http::JsonResponse(200, view));
}

// Runs an engine transition on the writer and answers the subscription after it.
template <class F>
void Transition(Context& c, const Caller& caller, http::Request& req, http::Respond respond,
                F change) {
  WriteValue<Subscription>(
      c, caller, req, respond,
      [&c, call = CallOf(c, caller), id = req.params["id"], change](Db& db, Subscription& sub) {
        return change(c.engine, db, call.livemode, id, call.now, &sub);
      },
      LnbitsSubscriptionView);
}

void Update(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {"metadata"}) : body.status();
  auto it = st.ok() ? body->find("metadata") : json::object::iterator();
  if (st.ok()) st = Require(it != body->end() && !it->value().is_null(), "metadata");
  if (st.ok()) st = ValidateMetadata(it->value());
  if (!st.ok()) return respond(ErrorAnswer(st));
  std::optional<std::string> metadata = json::serialize(it->value());
  Transition(c, caller, req, respond,
             [metadata](Engine& e, Db& db, bool live, const std::string& id, UnixSeconds now,
                        Subscription* out) {
               return e.Update(db, live, id, std::nullopt, metadata, now, out);
             });
}

void Cancel(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {"reason", "immediate"}) : body.status();
  std::optional<bool> immediate;
  std::optional<std::string> reason;
  if (st.ok()) st = GetBool(*body, "immediate", immediate);
  if (st.ok()) st = GetString(*body, "reason", reason, 500);
  if (!st.ok()) return respond(ErrorAnswer(st));
  Transition(c, caller, req, respond,
             [imm = immediate.value_or(false), reason](Engine& e, Db& db, bool live,
                                                       const std::string& id, UnixSeconds now,
                                                       Subscription* out) {
               return e.Cancel(db, live, id, imm, reason, now, out);
             });
}

void Pause(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RequireEmptyBody(req);
  if (!st.ok()) return respond(ErrorAnswer(st));
  Transition(c, caller, req, respond,
             [](Engine& e, Db& db, bool live, const std::string& id, UnixSeconds now,
                Subscription* out) { return e.Pause(db, live, id, now, out); });
}

void Resume(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RequireEmptyBody(req);
  if (!st.ok()) return respond(ErrorAnswer(st));
  Transition(c, caller, req, respond,
             [](Engine& e, Db& db, bool live, const std::string& id, UnixSeconds now,
                Subscription* out) { return e.Resume(db, live, id, now, out); });
}

}  // namespace

void AddLnbitsSubscriptionRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/v1/subscriptions", List);
  AddApiRoute(r, c, "GET", "/api/v1/subscriptions/{id}", Get);
  AddApiRoute(r, c, "PUT", "/api/v1/subscriptions/{id}", Update);
  AddApiRoute(r, c, "POST", "/api/v1/subscriptions/{id}/cancel", Cancel);
  AddApiRoute(r, c, "POST", "/api/v1/subscriptions/{id}/pause", Pause);
  AddApiRoute(r, c, "POST", "/api/v1/subscriptions/{id}/resume", Resume);
}

}  // namespace jopay::pub
