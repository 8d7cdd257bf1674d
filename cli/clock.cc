// jopayctl clock show|set|advance and renew: moving billing time forward.
#include "cli/handlers.h"
#include "cli/reports.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

Status PrintClock(Invocation& inv, Result<json::value> answer) {
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  inv.out().Report(*answer, ClockRows(answer->as_object()));
  return Status::Ok();
}

}  // namespace

Status ClockShow(Invocation& inv) { return PrintClock(inv, inv.Call("GET", "/v1/clock")); }

Status ClockSet(Invocation& inv) {
  json::object body{{"time", inv.Get("TIME")}};
  return PrintClock(inv, inv.Call("POST", "/v1/clock/set", RequestBody::Json(body)));
}

Status ClockAdvance(Invocation& inv) {
  json::object body{{"by", inv.Get("DURATION")}};
  return PrintClock(inv, inv.Call("POST", "/v1/clock/advance", RequestBody::Json(body)));
}

Status Renew(Invocation& inv) {
  json::object body{{"dry_run", inv.Has("dry-run")}};
  auto answer = inv.Call("POST", "/v1/renew", RequestBody::Json(body));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  inv.out().Report(*answer, SummaryRows(answer->as_object()));
  return Status::Ok();
}

}  // namespace jopay::cli
