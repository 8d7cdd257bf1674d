// /v1/subscriptions: create, list, get, update (card, metadata, plan), cancel, pause, resume.
#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/admin/context.h"
#include "daemon/billing/engine_plan_change.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

Result<NewSubscription> ParseNewSubscription(const json::object& body) {
  JOPAY_RETURN_IF_ERROR(
      RejectUnknown(body, {"plan", "email", "name", "card", "trial_days", "metadata"}));
  NewSubscription req;
  std::optional<std::string> plan, email, name, card;
  JOPAY_RETURN_IF_ERROR(GetString(body, "plan", plan, 100));
  JOPAY_RETURN_IF_ERROR(Require(plan.has_value(), "plan"));
  JOPAY_RETURN_IF_ERROR(GetString(body, "email", email, 254));
  JOPAY_RETURN_IF_ERROR(Require(email.has_value(), "email"));
  JOPAY_RETURN_IF_ERROR(ValidateEmail(*email));
  JOPAY_RETURN_IF_ERROR(GetString(body, "name", name, 200));
  JOPAY_RETURN_IF_ERROR(GetString(body, "card", card, 40));
  std::optional<int64_t> trial;
  JOPAY_RETURN_IF_ERROR(GetInt(body, "trial_days", trial, 0, 730));
  if (auto it = body.find("metadata"); it != body.end() && !it->value().is_null()) {
    JOPAY_RETURN_IF_ERROR(ValidateMetadata(it->value()));
    req.metadata = json::serialize(it->value());
  }
  req.plan_id = *plan;
  req.email = NormalizeEmail(*email);
  req.name = name.value_or("");
  req.card = card;
  if (trial) req.trial_days = static_cast<int>(*trial);
  return req;
}

void Create(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  auto parsed = ParseNewSubscription(*body);
  if (!parsed.ok()) return respond(http::ErrorResponse(parsed.status()));
  struct State {
    Subscription sub;
    Status payment;
  };
  auto state = std::make_shared<State>();
  bool live = IsLive(req);
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [&c, state, live, now, r = std::move(*parsed)](Db& db) {
        return c.engine.Create(db, live, r, now, &state->sub, &state->payment);
      },
      [state, respond](Status st) {
        if (st.ok() && !state->payment.ok()) {
          // The decline is the answer; the incomplete subscription stays for the record.
          const Status& p = state->payment;
          st = Status::Make(p.kind(), p.code(),
                            fmt::format("{} (subscription {} is incomplete)", p.message(),
                                        state->sub.id),
                            "card");
        }
        if (!st.ok()) return respond(http::ErrorResponse(st));
        respond(Ok(SubscriptionView(state->sub), 201));
      });
}

void List(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  SubscriptionFilter f;
  f.livemode = IsLive(req);
  f.limit = page->limit + 1;
  f.starting_after = page->starting_after;
  if (auto it = req.query.find("status"); it != req.query.end()) f.status = it->second;
  if (auto it = req.query.find("email"); it != req.query.end()) f.email = NormalizeEmail(it->second);
  if (auto it = req.query.find("plan"); it != req.query.end()) f.plan_id = it->second;
  if (!f.status.empty() && std::find(std::begin(sub_status::kAll), std::end(sub_status::kAll),
                                     f.status) == std::end(sub_status::kAll)) {
    return respond(http::ErrorResponse(Status::Invalid(
        "status must be one of incomplete, trialing, active, past_due, canceled, paused, expired",
        "status")));
  }
  json::array items;
  for (const auto& s : ListSubscriptions(c.store.reader(), f)) items.push_back(SubscriptionView(s));
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void Get(Context& c, http::Request& req, http::Respond respond) {
  auto s = LoadSubscription(c.store.reader(), req.params["id"], IsLive(req));
  if (!s.ok()) return respond(http::ErrorResponse(s.status()));
  respond(Ok(SubscriptionView(*s)));
}

// cancel / update / pause / resume share a shape: load, transition, save, answer the new state.
using Transition = std::function<Status(Db&, const routes::Call&, Subscription*)>;
void Transit(Context& c, http::Request& req, http::Respond respond, Transition t) {
  WriteValue<Subscription>(
      c, respond,
      [call = CallOf(c, req), t = std::move(t)](Db& db, Subscription& sub) {
        return t(db, call, &sub);
      },
      SubscriptionView);
}

void CancelRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<bool> immediate;
  std::optional<std::string> reason;
  Status st = RejectUnknown(*body, {"immediate", "reason"});
  if (st.ok()) st = GetBool(*body, "immediate", immediate);
  if (st.ok()) st = GetString(*body, "reason", reason, 500);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  Transit(c, req, respond,
          [&c, id = req.params["id"], imm = immediate.value_or(false), reason](
              Db& db, const routes::Call& call, Subscription* out) {
            return c.engine.Cancel(db, call.livemode, id, imm, reason, call.now, out);
          });
}

// Card and metadata (Engine::Update) and a plan change (engine_plan_change.h), in one job:
// all of it or none.
void UpdateRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> card, metadata;
  Status st = RejectUnknown(*body, {"card", "metadata", "plan", "proration", "at",
                                    "cancel_pending"});
  if (st.ok()) st = GetString(*body, "card", card, 40);
  if (st.ok()) {
    if (auto it = body->find("metadata"); it != body->end() && !it->value().is_null()) {
      st = ValidateMetadata(it->value());
      if (st.ok()) metadata = json::serialize(it->value());
    }
  }
  auto change = st.ok() ? PlanChangeRequestOf(*body, "plan")
                        : Result<std::optional<PlanChangeRequest>>(st);
  if (!change.ok()) st = change.status();
  if (st.ok() && !card && !metadata && !*change) {
    st = Status::Invalid("nothing to update: give card, metadata, plan or cancel_pending", "",
                         "parameter_missing");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  struct Updated {
    Subscription sub;
    std::optional<PlanChangeResult> change;
  };
  WriteValue<Updated>(
      c, respond,
      [&c, call = CallOf(c, req), id = req.params["id"], card, metadata,
       asked = std::move(*change)](Db& db, Updated& u) {
        if (card || metadata) {
          JOPAY_RETURN_IF_ERROR(
              c.engine.Update(db, call.livemode, id, card, metadata, call.now, &u.sub));
        }
        if (!asked) return Status::Ok();
        u.change.emplace();
        return ChangePlan(c.engine, db, call.livemode, id, *asked, call.now, &u.sub, &*u.change);
      },
      [](const Updated& u) -> json::value {
        json::object view = SubscriptionView(u.sub);
        if (u.change) view["plan_change"] = PlanChangeView(*u.change);
        return view;
      });
}

void PauseRoute(Context& c, http::Request& req, http::Respond respond) {
  Transit(c, req, respond,
          [&c, id = req.params["id"]](Db& db, const routes::Call& call, Subscription* out) {
            return c.engine.Pause(db, call.livemode, id, call.now, out);
          });
}

void ResumeRoute(Context& c, http::Request& req, http::Respond respond) {
  Transit(c, req, respond,
          [&c, id = req.params["id"]](Db& db, const routes::Call& call, Subscription* out) {
            return c.engine.Resume(db, call.livemode, id, call.now, out);
          });
}

}  // namespace

void AddSubscriptionRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/subscriptions", Create);
  AddRoute(r, c, "GET", "/v1/subscriptions", List);
  AddRoute(r, c, "GET", "/v1/subscriptions/{id}", Get);
  AddRoute(r, c, "POST", "/v1/subscriptions/{id}", UpdateRoute);
  AddRoute(r, c, "POST", "/v1/subscriptions/{id}/cancel", CancelRoute);
  AddRoute(r, c, "POST", "/v1/subscriptions/{id}/pause", PauseRoute);
  AddRoute(r, c, "POST", "/v1/subscriptions/{id}/resume", ResumeRoute);
}

}  // namespace jopay::admin
