// jopayctl payments list|get.
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status PaymentsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "subscription", "subscription");
  AddQuery(query, inv, "status", "status");
  return ListAndPrint(inv, {"v1", "payments"}, query, "payment");
}

Status PaymentsGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "payments", inv.Get("ID")}); }

}  // namespace jopay::cli
