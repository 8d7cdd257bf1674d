// jopayctl status and backup: the daemon as a whole.
#include <ostream>

#include "cli/columns.h"
#include "cli/handlers.h"
#include "cli/reports.h"
#include "cli/request_shapes.h"
#include "cli/values.h"

namespace jopay::cli {

namespace json = boost::json;

Status DaemonStatus(Invocation& inv) {
  auto answer = inv.Call("GET", "/v1/status");
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  inv.out().Report(*answer, StatusRows(answer->as_object()));
  return Status::Ok();
}

// The daemon writes the file, so a relative FILE is resolved here, against
// the directory jopayctl runs in, not the daemon's.
Status Backup(Invocation& inv) {
  json::object body{{"path", AbsolutePath(inv.Get("FILE"), inv.env().cwd)}};
  auto answer = inv.Call("POST", "/v1/backup", RequestBody::Json(body));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::object& o = answer->as_object();
  inv.out().Report(*answer, {{"path", {Field(o, "path")}}, {"bytes", {Field(o, "bytes")}}});
  return Status::Ok();
}

}  // namespace jopay::cli
