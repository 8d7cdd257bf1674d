// jopayctl subscriptions create|list|get|update|cancel|pause|resume (import is in
// cli/import.cc).
#include "cli/handlers.h"
#include "cli/request_shapes.h"
#include "cli/values.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

Path One(const Invocation& inv, std::string action = {}) {
  Path path{"v1", "subscriptions", inv.Get("ID")};
  if (!action.empty()) path.push_back(std::move(action));
  return path;
}

}  // namespace

Status SubscriptionsCreate(Invocation& inv) {
  json::object body;
  AddField(body, inv, "plan", "plan");
  AddField(body, inv, "email", "email");
  AddField(body, inv, "card", "card");
  AddField(body, inv, "trial-days", "trial_days");
  if (inv.Has("metadata")) {
    auto metadata = ParseKeyValues(inv.All("metadata"));
    if (!metadata.ok()) return metadata.status();
    body["metadata"] = std::move(*metadata);
  }
  return PostAndPrint(inv, {"v1", "subscriptions"}, body);
}

Status SubscriptionsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "status", "status");
  AddQuery(query, inv, "email", "email");
  AddQuery(query, inv, "plan", "plan");
  return ListAndPrint(inv, {"v1", "subscriptions"}, query, "subscription");
}

Status SubscriptionsGet(Invocation& inv) { return GetAndPrint(inv, One(inv)); }

Status SubscriptionsUpdate(Invocation& inv) {
  json::object body;
  AddField(body, inv, "plan", "plan");
  AddField(body, inv, "proration", "proration");
  AddField(body, inv, "at", "at");
  if (inv.Has("cancel-pending")) body["cancel_pending"] = true;
  AddField(body, inv, "card", "card");
  if (inv.Has("metadata")) {
    auto metadata = ParseKeyValues(inv.All("metadata"));
    if (!metadata.ok()) return metadata.status();
    body["metadata"] = std::move(*metadata);
  }
  return PostAndPrint(inv, One(inv), body);
}

Status SubscriptionsCancel(Invocation& inv) {
  json::object body;
  if (inv.Has("immediate")) body["immediate"] = true;
  AddField(body, inv, "reason", "reason");
  return PostAndPrint(inv, One(inv, "cancel"), body);
}

Status SubscriptionsPause(Invocation& inv) { return PostAndPrint(inv, One(inv, "pause")); }

Status SubscriptionsResume(Invocation& inv) { return PostAndPrint(inv, One(inv, "resume")); }

}  // namespace jopay::cli
