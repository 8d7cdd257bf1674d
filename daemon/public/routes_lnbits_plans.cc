// /api/v1/plans (LNbits-style): list, create, get, update (only what is sent; price changes
// reach new subscriptions only), delete (archive + cancel its subscriptions at period end).
#include <fmt/core.h>

#include "common/ids.h"
#include "common/json_fields.h"
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

struct PlanAnswer {
  Plan plan;
  PlanFlags flags;
  int64_t canceled = -1;  // DELETE: how many subscriptions it canceled
};

json::object View(const PlanAnswer& a) {
  json::object o = LnbitsPlanView(a.plan, a.flags);
  if (a.canceled >= 0) o["canceled_subscriptions"] = a.canceled;
  return o;
}

void List(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"active", "limit", "offset"});
  auto window = ParseWindow(req.query);
  if (st.ok() && !window.ok()) st = window.status();
  std::optional<bool> active = true;  // the reference lists active plans
  if (auto it = req.query.find("active"); st.ok() && it != req.query.end()) {
    if (it->second == "all") active.reset();
    else if (it->second == "true" || it->second == "false") active = it->second == "true";
    else st = Status::Invalid("active must be true, false or all", "active");
  }
  if (!st.ok()) return respond(ErrorAnswer(st));
  Db& db = c.store.reader();
  auto& q = db.Cached(
      "SELECT id FROM plans WHERE livemode=?1 AND (?2 IS NULL OR active=?2) "
      "ORDER BY rowid DESC LIMIT ?3 OFFSET ?4");
  q.Reset();
  q.Bind(1, int64_t{caller.livemode});
  if (active) q.Bind(2, int64_t{*active}); else q.BindNull(2);
  q.Bind(3, int64_t{window->limit}).Bind(4, int64_t{window->offset});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  json::array out;
  for (const auto& id : ids) {
    auto plan = LoadPlan(db, id, caller.livemode);
    if (plan.ok()) out.push_back(LnbitsPlanView(*plan, LoadPlanFlags(db, id)));
  }
  respond(http::JsonResponse(200, out));
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto plan = LoadPlan(db, req.params["id"], caller.livemode);
  if (!plan.ok()) return respond(ErrorAnswer(plan.status()));
  respond(http::JsonResponse(200, LnbitsPlanView(*plan, LoadPlanFlags(db, plan->id))));
}

void Create(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  auto a = std::make_shared<PlanAnswer>();
  auto split = SplitPlanBody(*body, true, a->flags);
  Status st = split.ok() ? ApplyPlanFields(split->fields, true, a->plan) : split.status();
  if (!st.ok()) return respond(ErrorAnswer(st));
  a->plan.id = NewId("plan_");
  a->plan.livemode = caller.livemode;
  a->plan.created_at = a->plan.updated_at = c.clock.Now();
  WriteThen(
      c, caller, req, respond,
      [a](Db& db) {
        InsertPlan(db, a->plan);
        SavePlanFlags(db, a->plan.id, a->flags);
        return Status::Ok();
      },
      [a] { return View(*a); }, 201);
}

// A PUT may repeat the plan's interval (LNbits clients send whole objects); changing it is
// refused: a plan's interval is fixed for life.
Status CheckSameInterval(const Plan& plan, const PlanBody& body) {
  if (body.interval && *body.interval != plan.interval) {
    return Status::Invalid("a plan's interval cannot change; create a new plan", "interval");
  }
  if (body.interval_count && *body.interval_count != plan.interval_count) {
    return Status::Invalid("a plan's interval cannot change; create a new plan",
                           "interval_count");
  }
  return Status::Ok();
}

void Update(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  if (body->empty()) {
    return respond(ErrorAnswer(
        Status::Invalid("nothing to update: give at least one field", "", "parameter_missing")));
  }
  PlanFlags probe_flags;
  Plan probe;
  auto split = SplitPlanBody(*body, false, probe_flags);
  Status st = split.ok() ? ApplyPlanFields(split->fields, false, probe) : split.status();
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<PlanAnswer>(
      c, caller, req, respond,
      [call = CallOf(c, caller), id = req.params["id"], body = std::move(*body)](Db& db,
                                                                                 PlanAnswer& a) {
        auto loaded = LoadPlan(db, id, call.livemode);
        if (!loaded.ok()) return loaded.status();
        a.plan = *loaded;
        a.flags = LoadPlanFlags(db, id);
        auto split = SplitPlanBody(body, false, a.flags);
        if (!split.ok()) return split.status();
        JOPAY_RETURN_IF_ERROR(CheckSameInterval(a.plan, *split));
        JOPAY_RETURN_IF_ERROR(ApplyPlanFields(split->fields, false, a.plan));
        a.plan.updated_at = call.now;
        UpdatePlan(db, a.plan);
        SavePlanFlags(db, id, a.flags);
        return Status::Ok();
      },
      View);
}

void Delete(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RequireEmptyBody(req);
  if (!st.ok()) return respond(ErrorAnswer(st));
  WriteValue<PlanAnswer>(
      c, caller, req, respond,
      [&c, call = CallOf(c, caller), id = req.params["id"]](Db& db, PlanAnswer& a) {
        JOPAY_RETURN_IF_ERROR(
            c.engine.ArchivePlan(db, call.livemode, id, call.now, &a.plan, &a.canceled));
        a.flags = LoadPlanFlags(db, id);
        return Status::Ok();
      },
      View);
}

}  // namespace

void AddLnbitsPlanRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/v1/plans", List);
  AddApiRoute(r, c, "POST", "/api/v1/plans", Create);
  AddApiRoute(r, c, "GET", "/api/v1/plans/{id}", Get);
  AddApiRoute(r, c, "PUT", "/api/v1/plans/{id}", Update);
  AddApiRoute(r, c, "DELETE", "/api/v1/plans/{id}", Delete);
}

}  // namespace jopay::pub
