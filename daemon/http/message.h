// The request and response values that handlers see, independent of Beast.
//
// A handler receives a Request whose path, query and segments are already
// decoded, and answers by calling its Respond exactly once, from any thread,
// now or later. The Server turns a Response into HTTP; JsonResponse and
// ErrorResponse build the usual JSON answers, ErrorResponse in the shape every
// route uses for failures: {"error": {"code", "message", "param"}}.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "common/status.h"

namespace jopay::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target, as received ("/v1/plans?active=true")
  std::string path;    // decoded path without query ("/v1/plans")
  std::map<std::string, std::string> query;   // decoded ('+' is a space); last value wins
  std::map<std::string, std::string> params;  // filled by the Router from "{name}" segments
  // "req_...", new for each request: answered in the Request-Id header and written in every log
  // record made while the request is handled on its thread (common/log.h's LogScope).
  std::string id;
  // The pattern of the route that matched ("/v1/plans/{id}"), set by the Router; "" if none.
  std::string route;
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::string body;
  // The peer's IP address ("127.0.0.1", "::1"); "" on the Unix socket.
  std::string remote_address;
  // Decoded path segments; "%2F" stays inside its segment, so an id may hold a '/'.
  // Filled by ParseTarget; the Router splits `path` if it is empty.
  std::vector<std::string> segments;

  // The first header named `name` (case-insensitive); "" if absent.
  std::string Header(std::string_view name) const;
  // The Content-Type without its parameters, lowercased ("application/json"); "" if absent.
  std::string MediaType() const;
};

// The query parameter `name` (of Request::query) as an integer in [min, max]; `fallback` when it is absent.
// Anything else (empty, not a decimal integer, out of range) is a kInvalid Status naming it:
// "<name> must be an integer from <min> to <max>".
Result<int64_t> QueryInt(const std::map<std::string, std::string>& query,
                         const std::string& name, int64_t min, int64_t max, int64_t fallback);

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (Location, Retry-After...). Content-Length, Connection and
  // Server are set by the Server; a Content-Type here replaces content_type.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Fills req.path, req.segments and req.query from req.target (origin-form,
// "/path?query"). Invalid input -> Invalid status with code "target_invalid";
// req is then left with the fields it had.
Status ParseTarget(Request& req);

// `v` serialized compactly as the body, Content-Type application/json.
Response JsonResponse(int status, const boost::json::value& v);

// s.http_status() with body {"error": {"code", "message", "param"}}; param is
// null when s.param() is empty. The message is made safe to show: bytes that are not UTF-8 and
// control characters become U+FFFD, and it is cut at 1,000 bytes. A 401 also carries `WWW-Authenticate: Bearer`.
Response ErrorResponse(const Status& s);

// Sends the response. Call it exactly once, from any thread; later calls are
// ignored. Dropping every copy without calling it answers 500.
using Respond = std::function<void(Response)>;

// Handles one request. `req` stays valid as long as any copy of `respond` lives,
// so a handler that answers later keeps it by keeping `respond`.
using Handler = std::function<void(Request&, Respond)>;

}  // namespace jopay::http
