// /v1/plans: create, list, get, update (payment_methods too: billing/plans.h), archive.
#include <fmt/core.h>

#include "common/ids.h"
#include "common/json_fields.h"
#include "daemon/admin/context.h"
#include "daemon/billing/plans.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

void CreatePlan(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  auto plan = std::make_shared<Plan>();
  Status st = ApplyAdminPlanFields(*body, true, *plan);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  plan->id = NewId("plan_");
  plan->livemode = IsLive(req);
  plan->created_at = plan->updated_at = c.clock.Now();
  WriteThen(
      c, respond, [plan](Db& db) { InsertPlan(db, *plan); return Status::Ok(); },
      [plan] { return PlanView(*plan); }, routes::WithStatus(201));
}

void ListPlansRoute(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  std::optional<bool> active;  // absent = all plans, as jopayctl plans list --all sends
  if (auto it = req.query.find("active"); it != req.query.end()) {
    if (it->second == "all") active.reset();
    else if (it->second == "true" || it->second == "false") active = it->second == "true";
    else return respond(http::ErrorResponse(Status::Invalid("active must be true, false or all", "active")));
  }
  json::array items;
  for (const auto& p : ListPlans(c.store.reader(), IsLive(req), active, page->limit + 1,
                                 page->starting_after)) {
    items.push_back(PlanView(p));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void GetPlan(Context& c, http::Request& req, http::Respond respond) {
  auto plan = LoadPlan(c.store.reader(), req.params["id"], IsLive(req));
  if (!plan.ok()) return respond(http::ErrorResponse(plan.status()));
  respond(Ok(PlanView(*plan)));
}

void UpdatePlanRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  // Validate before queuing so bad input never reaches the writer.
  Plan probe;
  Status st = body->empty() ? Status::Invalid("nothing to update: give at least one field", "",
                                              "parameter_missing")
                            : ApplyAdminPlanFields(*body, false, probe);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteValue<Plan>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"], body = std::move(*body)](Db& db, Plan& plan) {
        auto loaded = LoadPlan(db, id, call.livemode);
        if (!loaded.ok()) return loaded.status();
        plan = *loaded;
        JOPAY_RETURN_IF_ERROR(ApplyAdminPlanFields(body, false, plan));
        plan.updated_at = call.now;
        UpdatePlan(db, plan);
        return Status::Ok();
      },
      PlanView);
}

void ArchivePlanRoute(Context& c, http::Request& req, http::Respond respond) {
  struct Archived {
    Plan plan;
    int64_t canceled = 0;
  };
  WriteValue<Archived>(
      c, respond,
      [&c, call = CallOf(c, req), id = req.params["id"]](Db& db, Archived& a) {
        return c.engine.ArchivePlan(db, call.livemode, id, call.now, &a.plan, &a.canceled);
      },
      [](const Archived& a) {
        return json::object{{"plan", PlanView(a.plan)}, {"subscriptions_canceled", a.canceled}};
      });
}

}  // namespace

void AddPlanRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/plans", CreatePlan);
  AddRoute(r, c, "GET", "/v1/plans", ListPlansRoute);
  AddRoute(r, c, "GET", "/v1/plans/{id}", GetPlan);
  AddRoute(r, c, "POST", "/v1/plans/{id}", UpdatePlanRoute);
  AddRoute(r, c, "POST", "/v1/plans/{id}/archive", ArchivePlanRoute);
}

}  // namespace jopay::admin
