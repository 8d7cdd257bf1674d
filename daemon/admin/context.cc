#include "daemon/admin/context.h"

#include <charconv>

#include "common/log.h"

namespace jopay::admin {

namespace json = boost::json;

bool IsLive(const http::Request& req) { return req.Header("JoPay-Mode") == "live"; }

Result<Page> ParsePage(const http::Request& req) {
  Page page;
  auto limit = http::QueryInt(req.query, "limit", 1, 1000, page.limit);
  if (!limit.ok()) return limit.status();
  page.limit = static_cast<int>(*limit);
  if (auto it = req.query.find("starting_after"); it != req.query.end()) {
    page.starting_after = it->second;
  }
  return page;
}

json::object ListAnswer(json::array items, int limit) {
  bool more = static_cast<int>(items.size()) > limit;
  if (more) items.resize(limit);
  return {{"object", "list"}, {"data", std::move(items)}, {"has_more", more}};
}

http::Response Ok(const json::value& v, int status) { return http::JsonResponse(status, v); }

void WriteThen(Context& c, http::Respond respond, Writer::Job job,
               std::function<json::value()> answer, int status) {
  c.store.writer().Submit(std::move(job), [respond, answer, status](Status st) {
    if (!st.ok()) {
      respond(http::ErrorResponse(st));
      return;
    }
    http::Response r;
    try {
      r = http::JsonResponse(status, answer());
    } catch (const std::exception& e) {  // never let a view error escape onto the writer thread
      r = http::ErrorResponse(Status::Internal(e.what()));
    }
    respond(std::move(r));
  });
}

http::Handler Guarded(Context& c, std::function<void(http::Request&, http::Respond)> h) {
  return [&c, h = std::move(h)](http::Request& req, http::Respond respond) {
    if (IsLive(req) && c.clock.manual()) {
      respond(http::ErrorResponse(Status::Conflict(
          "Live mode is unavailable while the clock is manual (a test-mode-only setting).",
          "livemode_unavailable")));
      return;
    }
    try {
      h(req, respond);
    } catch (const std::exception& e) {
      LogError("{} {}: {}", req.method, req.target, e.what());
      respond(http::ErrorResponse(Status::Internal(e.what())));
    }
  };
}

}  // namespace jopay::admin

namespace jopay::admin {

void AddRoute(http::Router& r, Context& c, const char* method, const char* path, RouteFn fn) {
  r.Add(method, path, Guarded(c, [&c, fn](http::Request& req, http::Respond respond) {
          fn(c, req, std::move(respond));
        }));
}

}  // namespace jopay::admin
