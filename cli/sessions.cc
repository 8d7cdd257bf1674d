// jopayctl sessions list|get|cancel|pay
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

Path One(const Invocation& inv, std::string action = {}) {
  Path path{"v1", "sessions", inv.Get("ID")};
  if (!action.empty()) path.push_back(std::move(action));
  return path;
}

}  // namespace

Status SessionsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "status", "status");
  return ListAndPrint(inv, {"v1", "sessions"}, query, "checkout.session");
}

Status SessionsGet(Invocation& inv) { return GetAndPrint(inv, One(inv)); }

Status SessionsCancel(Invocation& inv) { return PostAndPrint(inv, One(inv, "cancel")); }

Status SessionsPay(Invocation& inv) {
  json::object body;
  AddField(body, inv, "card", "card");
  AddField(body, inv, "rail", "rail");
  AddField(body, inv, "email", "email");
  AddField(body, inv, "name", "name");
  return PostAndPrint(inv, One(inv, "pay"), body);
}

}  // namespace jopay::cli
