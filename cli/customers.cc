// jopayctl customers list|get
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

}  // namespace jopay::cli
