#include "daemon/admin/context.h"

namespace jopay::admin {

bool IsLive(const http::Request& req) { return req.Header("JoPay-Mode") == "live"; }

routes::Call CallOf(Context& c, const http::Request& req) { return {IsLive(req), c.clock.Now()}; }

Result<routes::Page> ParsePage(const http::Request& req) {
  return routes::ParsePage(req, 100, 1000);
}

void WriteThen(Context& c, http::Respond respond, Writer::Job job,
               std::function<boost::json::value()> answer, routes::WriteOptions options) {
  routes::WriteThen(c.store.writer(), std::move(respond), std::move(job), std::move(answer),
                    std::move(options));
}

void AddRoute(http::Router& r, Context& c, const char* method, const char* path, RouteFn fn) {
  r.Add(method, path, routes::Guarded([&c, fn](http::Request& req, http::Respond respond) {
          if (IsLive(req) && c.clock.manual()) {
            return respond(http::ErrorResponse(Status::Conflict(
                "Live mode is unavailable while the clock is manual (a test-mode-only setting).",
                "livemode_unavailable")));
          }
          fn(c, req, std::move(respond));
        }));
}

}  // namespace jopay::admin
