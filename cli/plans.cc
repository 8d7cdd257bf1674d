// jopayctl plans create|list|get|update|archive
#include <ostream>

#include "cli/columns.h"
#include "cli/exit_code.h"
#include "cli/handlers.h"
#include "cli/request_shapes.h"
#include "cli/values.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

// As the daemon names them; checked here too so a typo is a usage error before any call.
const std::vector<std::string> kPaymentMethods = {"card", "lightning", "onchain", "paypal"};

// The fields create and update share, from their options.
Result<json::object> PlanFields(const Invocation& inv) {
  json::object body;
  if (inv.Has("payment-methods")) {
    auto methods = ParseChoiceList(inv.Get("payment-methods"), kPaymentMethods,
                                   "payment-methods");
    if (!methods.ok()) return methods.status();
    body["payment_methods"] = std::move(*methods);
  }
  AddField(body, inv, "name", "name");
  AddField(body, inv, "amount", "amount");
  if (inv.Has("currency")) body["currency"] = Lowercase(inv.Get("currency"));
  AddField(body, inv, "description", "description");
  AddField(body, inv, "trial-days", "trial_days");
  AddField(body, inv, "grace-days", "grace_period_days");
  if (inv.Has("switchable") && inv.Has("no-switchable")) {
    return UsageError("give --switchable or --no-switchable, not both");
  }
  if (inv.Has("switchable")) body["switchable"] = true;
  if (inv.Has("no-switchable")) body["switchable"] = false;
  return body;
}

}  // namespace

Status PlansCreate(Invocation& inv) {
  auto fields = PlanFields(inv);
  if (!fields.ok()) return fields.status();
  json::object& body = *fields;
  AddField(body, inv, "interval", "interval");
  AddField(body, inv, "interval-count", "interval_count");
  return PostAndPrint(inv, {"v1", "plans"}, body);
}

Status PlansList(Invocation& inv) {
  QueryParams query;
  if (!inv.Has("include-archived")) query.emplace_back("active", "true");
  return ListAndPrint(inv, {"v1", "plans"}, query, "plan");
}

Status PlansGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "plans", inv.Get("ID")}); }

Status PlansUpdate(Invocation& inv) {
  auto body = PlanFields(inv);
  if (!body.ok()) return body.status();
  if (body->empty()) {
    return Status::Invalid("nothing to change: give at least one of --name, --amount, "
                           "--currency, --description, --trial-days, --grace-days, "
                           "--payment-methods, --switchable, --no-switchable");
  }
  return PostAndPrint(inv, {"v1", "plans", inv.Get("ID")}, *body);
}

Status PlansArchive(Invocation& inv) {
  auto answer = inv.Call("POST", Target({"v1", "plans", inv.Get("ID"), "archive"}),
                         RequestBody::Json(json::object()));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::object& o = answer->as_object();
  if (inv.out().format() == Format::kJson || inv.out().format() == Format::kNdjson ||
      !o.contains("plan")) {
    inv.out().Object(*answer);
    return Status::Ok();
  }
  inv.out().Object(o.at("plan"));
  const json::value* n = o.if_contains("subscriptions_canceled");
  inv.err() << "archived; subscriptions set to cancel at period end: "
            << ScalarText(n) << '\n';
  return Status::Ok();
}

}  // namespace jopay::cli
