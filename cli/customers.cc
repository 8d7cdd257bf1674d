// jopayctl customers list|get|update
#include <algorithm>

#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status CustomersList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "search", "search");
  return ListAndPrint(inv, {"v1", "customers"}, query, "customer");
}

Status CustomersGet(Invocation& inv) {
  return GetAndPrint(inv, {"v1", "customers", inv.Get("ID-OR-EMAIL")});
}

Status CustomersUpdate(Invocation& inv) {
  boost::json::object body;
  AddField(body, inv, "name", "name");
  if (inv.Has("address")) {  // one line on the command line: '|' starts a new one
    std::string address = inv.Get("address");
    std::replace(address.begin(), address.end(), '|', '\n');
    body["address"] = address;
  }
  AddField(body, inv, "tax-id", "tax_id");
  if (body.empty()) return Status::Invalid("nothing to change: give --name, --address or --tax-id");
  return PostAndPrint(inv, {"v1", "customers", inv.Get("ID-OR-EMAIL")}, body);
}

}  // namespace jopay::cli
