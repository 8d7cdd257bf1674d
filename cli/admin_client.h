// AdminClient: jopayctl's side of the admin API (docs/admin-api.md).
//
// A synchronous HTTP/1.1 client over jopayd's Unix socket. It connects on the
// first call and keeps the connection for the calls after it (an import sends
// hundreds), reconnecting once if the daemon closed an idle connection.
//
// Every call answers the parsed JSON body (a PDF answer: a JSON string of its raw bytes), or a
// Status:
//  - a non-2xx answer: kind from the HTTP status (Status::KindForHttp), code,
//    message and param from the body's {"error": {...}};
//  - no socket file / connection refused: Kind::kUnavailable ("cannot reach
//    jopayd at PATH: ... (is it running?)"); permission denied: kForbidden.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace jopay {

// What a request carries: nothing, a JSON document, or raw text (NDJSON).
struct RequestBody {
  std::string content_type;  // empty: no body
  std::string bytes;

  static RequestBody None() { return {}; }
  static RequestBody Json(const boost::json::value& v);
  static RequestBody Ndjson(std::string text) {
    return {"application/x-ndjson", std::move(text)};
  }
};

// A request target from path segments and query parameters, each
// percent-encoded by Boost.URL: Target({"v1", "customers", "a+b@x.com"},
// {{"limit", "10"}}) -> "/v1/customers/a+b@x.com?limit=10". Query keys and
// values are encoded strictly ('+' -> %2B), so no decoder can mistake them.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::string Target(const std::vector<std::string>& segments, const QueryParams& query = {});

// The seam tests fake: one admin API call.
class AdminCaller {
 public:
  virtual ~AdminCaller() = default;
  // method: "GET", "POST", "DELETE". live: send "JoPay-Mode: live".
  virtual Result<boost::json::value> Call(std::string_view method, std::string_view target,
                                          const RequestBody& body = {}, bool live = false) = 0;
};

class AdminClient : public AdminCaller {
 public:
  explicit AdminClient(std::string socket_path);
  ~AdminClient() override;
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  Result<boost::json::value> Call(std::string_view method, std::string_view target,
                                  const RequestBody& body = {}, bool live = false) override;

  const std::string& socket_path() const { return socket_path_; }

 private:
  struct Connection;
  Status Connect();
  std::string socket_path_;
  std::unique_ptr<Connection> conn_;
};

// The Status for a daemon answer: ok for 2xx, else built from the JSON error
// body (which may be missing or not JSON). Exposed for tests.
Status StatusFromHttp(int http_status, std::string_view reason, std::string_view body);

}  // namespace jopay
