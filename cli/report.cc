// jopayctl report: the business report (GET /v1/report), as figures and charts or as JSON.
#include "cli/handlers.h"
#include "cli/report_view.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

Status ReportCommand(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "since", "since");
  AddQuery(query, inv, "until", "until");
  AddQuery(query, inv, "currency", "currency");
  auto answer = inv.Call("GET", Target({"v1", "report"}, query));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  if (inv.out().format() != Format::kTable) {
    inv.out().Report(*answer, {});
    return Status::Ok();
  }
  const Env& env = inv.env();
  bool chart = inv.Has("chart") || env.out_tty;
  PrintReport(inv.out().stream(), answer->as_object(), chart, env.out_tty && !env.no_color);
  return Status::Ok();
}

}  // namespace jopay::cli
