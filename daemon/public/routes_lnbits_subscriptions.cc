// /api/v1/subscriptions (LNbits-style): list (?plan_id=&status=), get (with its payment
// history), update (metadata, plan_id and settings), cancel (reason, immediate), pause, resume.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/engine_plan_change.h"
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

// The plan change a PUT asks for: plan_id ("plan" is taken too) and `settings`, an object of
// proration ("now" | "none"), at ("now" | "period_end") and cancel_pending (true).
Result<std::optional<PlanChangeRequest>> PlanChangeOf(const json::object& body) {
  json::object fields;
  const json::value* plan = body.if_contains("plan_id");
  const json::value* alias = body.if_contains("plan");
  if (plan && alias && *plan != *alias) {
    return Status::Invalid("plan and plan_id name different plans: give one", "plan_id");
  }
  if (plan || alias) fields["plan_id"] = plan ? *plan : *alias;
  if (const json::value* settings = body.if_contains("settings"); settings &&
                                                                  !settings->is_null()) {
    if (!settings->is_object()) return Status::Invalid("settings must be an object", "settings");
    JOPAY_RETURN_IF_ERROR(
        RejectUnknown(settings->as_object(), {"proration", "at", "cancel_pending"}));
    for (const auto& [key, value] : settings->as_object()) fields[key] = value;
  }
  return PlanChangeRequestOf(fields, "plan_id");
}

// PUT: metadata and/or a plan change, in one job (all of it or none).
void Update(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {"metadata", "plan_id", "plan", "settings"})
                        : body.status();
  std::optional<std::string> metadata;
  if (auto it = st.ok() ? body->find("metadata") : json::object::iterator();
      st.ok() && it != body->end() && !it->value().is_null()) {
    st = ValidateMetadata(it->value());
    if (st.ok()) metadata = json::serialize(it->value());
  }
  auto change = st.ok() ? PlanChangeOf(*body) : Result<std::optional<PlanChangeRequest>>(st);
  if (!change.ok()) st = change.status();
  if (st.ok() && !metadata && !*change) {
    st = Status::Invalid("nothing to update: give metadata, plan_id or settings.cancel_pending",
                         "metadata", "parameter_missing");
  }
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<Subscription>(
      c, caller, req, respond,
      [&c, call = CallOf(c, caller), id = req.params["id"], metadata,
       asked = std::move(*change)](Db& db, Subscription& sub) {
        if (metadata) {
          JOPAY_RETURN_IF_ERROR(
              c.engine.Update(db, call.livemode, id, std::nullopt, metadata, call.now, &sub));
        }
        if (!asked) return Status::Ok();
        PlanChangeResult ignored;  // the view shows the result: plan, price, pending_update
        Status st = ChangePlan(c.engine, db, call.livemode, id, *asked, call.now, &sub, &ignored);
        if (st.param() != "plan") return st;
        // This API's field is plan_id (the admin API's is plan).
        return Status::Make(st.kind(), st.code(), st.message(), "plan_id");
      },
      LnbitsSubscriptionView);
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
