// GET /v1/report?since=&until=&currency=: the business report (billing/report.h).
#include "common/log.h"
#include "common/money.h"
#include "daemon/admin/context.h"
#include "daemon/billing/report.h"

namespace jopay::admin {

namespace {

// The report reads every subscription and its status changes: it runs on a thread of its own
// with that thread's reader connection, never on an io thread and never on the writer.
void ReportRoute(Context& c, http::Request& req, http::Respond respond) {
  Status st = routes::RejectUnknownQuery(req, {"since", "until", "currency"});
  if (!st.ok()) return respond(http::ErrorResponse(st));
  routes::Call call = CallOf(c, req);
  auto range = ParseReportRange(QueryValue(req, "since"), QueryValue(req, "until"), call.now);
  if (!range.ok()) return respond(http::ErrorResponse(range.status()));
  std::string currency = QueryValue(req, "currency");
  if (!currency.empty()) {
    auto normalized = NormalizeCurrency(currency);
    if (!normalized.ok()) return respond(http::ErrorResponse(normalized.status()));
    currency = *normalized;
  }
  c.background.Run([&c, call, range = *range, currency, respond] {
    try {
      Report report = ComputeReport(
          LoadReportInput(c.store.reader(), call.livemode, currency, range), range);
      report.livemode = call.livemode;
      report.now = call.now;
      respond(Ok(ReportView(report)));
    } catch (const std::exception& e) {  // off the Guarded handler's thread: answer here
      LogError("report failed: {}", e.what());
      respond(routes::JsonInternalError());
    }
  });
}

}  // namespace

void AddReportRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/report", ReportRoute);
}

}  // namespace jopay::admin
