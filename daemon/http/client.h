// The outgoing HTTP client (webhook deliveries, payment providers' APIs): Beast, asynchronous,
// on its own io thread.
//
// Requests are grouped in pools (one per webhook endpoint, one per provider account). A pool keeps its keep-alive connections
// and reuses them; at most `max_connections` requests of a pool are on the wire at once, the
// rest wait in the pool's queue. HTTPS is ssl::stream<beast::tcp_stream> with SNI, peer and
// host-name verification against the system CA store (set_default_verify_paths(), so
// SSL_CERT_FILE / SSL_CERT_DIR are honoured). Every request has one deadline (`timeout`)
// covering connect, TLS, write and read. A request that fails on a reused connection before
// any byte of an answer came back (the server closed an idle connection) is sent once more on
// a fresh one. New connections check the resolved addresses (endpoint_url.h rules).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/http/outgoing_url.h"

namespace jopay::http {

struct OutgoingRequest {
  std::string pool;  // the endpoint id, or the provider account
  std::string method = "POST";
  OutgoingUrl url;
  bool live = false;
  bool allow_private = false;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, Content-Length
  bool keep_body = false;  // the answer's whole body and headers are wanted (API calls)
};

struct OutgoingResult {
  int status = 0;          // 0: no HTTP answer (see error)
  int64_t latency_ms = 0;  // from the first byte sent (or connect) to the answer
  std::string error;       // empty when an HTTP answer came
  std::string excerpt;     // the first bytes of the answer's body, printable ASCII
  std::string retry_after; // the Retry-After header, if any
  // With keep_body: the answer's body (up to 1 MiB) and headers, as received.
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ClientOptions {
  int max_connections = 32;  // per pool
  std::chrono::milliseconds timeout{15000};
  size_t excerpt_bytes = 512;
  std::string thread_name = "hooks-http";  // its io thread's name (top -H, gdb)
};

class Client {
 public:
  using Callback = std::function<void(OutgoingResult)>;

  explicit Client(ClientOptions options = {});
  ~Client();  // Stop()
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues the request; `done` runs on the client's thread with the outcome. After Stop(),
  // `done` is not called.
  void Send(OutgoingRequest request, Callback done);
  // Closes a pool's idle connections (the endpoint changed or went away).
  void ForgetPool(const std::string& pool);
  // Requests on the wire or queued.
  size_t outstanding() const;
  // Cancels everything and ends the thread. Idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jopay::http
