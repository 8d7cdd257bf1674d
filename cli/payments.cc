// jopayctl payments list|get|refund|pay.
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

Status PaymentsRefund(Invocation& inv) {
  boost::json::object body;
  AddField(body, inv, "amount", "amount");
  AddField(body, inv, "reason", "reason");
  AddField(body, inv, "key", "idempotency_key");
  return PostAndPrint(inv, {"v1", "payments", inv.Get("ID"), "refund"}, body);
}

Status PaymentsPay(Invocation& inv) {
  return PostAndPrint(inv, {"v1", "payments", inv.Get("ID"), "pay"}, boost::json::object{});
}

}  // namespace jopay::cli
