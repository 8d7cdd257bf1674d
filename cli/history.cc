// jopayctl payments list|get and events list|get: the records of what
// happened.
#include "cli/request_shapes.h"
#include "cli/handlers.h"

namespace jopay::cli {

Status PaymentsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "subscription", "subscription");
  AddQuery(query, inv, "status", "status");
  return ListAndPrint(inv, {"v1", "payments"}, query, "payment");
}

Status PaymentsGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "payments", inv.Get("ID")}); }

Status EventsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "type", "type");
  AddQuery(query, inv, "since", "since");
  AddQuery(query, inv, "object", "object");
  return ListAndPrint(inv, {"v1", "events"}, query, "event");
}

Status EventsGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "events", inv.Get("ID")}); }

}  // namespace jopay::cli
