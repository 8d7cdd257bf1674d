// jopayctl emails list|get|resend: the emails jopayd sends customers (receipts, payment
// failures, trial and card reminders, cancellations), as the daemon's queue holds them.
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status EmailsList(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "status", "status");
  AddQuery(query, inv, "kind", "kind");
  AddQuery(query, inv, "customer", "customer");
  return ListAndPrint(inv, {"v1", "emails"}, query, "email");
}

Status EmailsGet(Invocation& inv) { return GetAndPrint(inv, {"v1", "emails", inv.Get("ID")}); }

Status EmailsResend(Invocation& inv) {
  return PostAndPrint(inv, {"v1", "emails", inv.Get("ID"), "resend"});
}

}  // namespace jopay::cli
