// jopayctl events list|get (resend and listen: listen.cc).
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status EventsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "type", "type");
  AddQuery(query, inv, "since", "since");
  AddQuery(query, inv, "object", "object");
  return ListAndPrint(inv, {"v1", "events"}, query, "event");
}

Status EventsGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "events", inv.Get("ID")}); }

}  // namespace jopay::cli
