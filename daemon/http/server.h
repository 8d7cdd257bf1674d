// Server: serves a Router over HTTP/1.1 on Unix and TCP sockets (Beast, async).
//
// Runs on the caller's io_context, which may be run by several threads: each
// connection has its own strand. Requests on a connection are handled one at
// a time; keep-alive is honoured (HTTP/1.1 default, "Connection: close"
// respected). A handler may answer later from any thread: its Respond posts
// the write back onto the connection's strand.
//
// Failures of the HTTP layer itself are JSON errors like every route's:
// malformed HTTP -> 400, body over body_limit -> 413, head over header_limit
// -> 431 (each then closes the connection), a handler that throws or drops
// its Respond -> 500. Every response carries Content-Type, Content-Length
// (except 204/304) and Server.
//
// The Router must outlive the Server and every connection it accepted, i.e.
// until the io_context has finished the server's work after Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/status.h"
#include "daemon/http/router.h"

namespace jopay::http {

struct ServerOptions {
  size_t body_limit = 1 << 20;            // larger bodies -> 413 JSON error, connection closed
  std::chrono::seconds read_timeout{30};  // expires_after on every read/write
  std::string server_header = "jopayd";
  uint32_t header_limit = 8 * 1024;       // larger request heads -> 431 JSON error, closed
  // Connections held at once (0 = no cap): overall, and per client (an IPv4 address or an
  // IPv6 /64; see ClientKey). Over them a new connection is answered 503 server_busy or 429
  // too_many_connections and closed (connection_limits.h).
  size_t max_connections = 0;
  size_t max_connections_per_client = 0;
  // Told (on an io thread) about failures the client only sees as a bare 500:
  // a handler that threw or dropped its Respond, an unsendable response header.
  // May be empty.
  std::function<void(const std::string&)> on_error;
  // Told (on the thread that answers) about every answered request: the request, its status
  // and the microseconds from the parsed request to the answer. May be empty (the default).
  std::function<void(const Request& req, int status, int64_t micros)> on_answer;
};

class ServerState;
class ListenerBase;

class Server {
 public:
  Server(boost::asio::io_context& io, const Router& router, ServerOptions opts = {});
  // Stops (see Stop); connections still draining keep what they need alive.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on the Unix socket `path`, chmod'ed to `mode` before it accepts.
  // If `path` exists and nothing answers a connect, it is a stale socket from
  // a crash: it is unlinked and replaced. If something answers, fails with
  // "another process is serving PATH". A `path` that is not a socket is never
  // removed: that fails too.
  Status ListenUnix(const std::string& path, unsigned mode = 0660);
  // Listens on `host` (an address or a name) and `port`; port 0 = ephemeral.
  Status ListenTcp(const std::string& host, unsigned short port);
  // The port of the last successful ListenTcp; 0 if none.
  unsigned short tcp_port() const;

  // Graceful stop, safe from any thread and idempotent; returns at once. Stops
  // accepting, closes idle keep-alive connections, lets requests already being
  // handled write their responses (with "Connection: close"), and unlinks the
  // Unix socket if it is still ours. The io_context runs out of server work
  // once those responses are written: a handler that has not answered yet
  // counts as work, so io_context::run() does not return under it.
  void Stop();
  // Connections accepted and not yet closed.
  size_t active_connections() const;

 private:
  struct UnixPath {
    std::string path;
    uint64_t dev = 0;
    uint64_t ino = 0;
  };

  // Keeps `listener` (and the socket file to unlink at Stop) and starts it,
  // unless Stop() came first.
  Status Adopt(std::shared_ptr<ListenerBase> listener, std::optional<UnixPath> unix_path);

  boost::asio::io_context& io_;
  std::shared_ptr<ServerState> state_;
  std::atomic<unsigned short> tcp_port_{0};
  mutable std::mutex mu_;
  bool stopped_ = false;                               // guarded by mu_
  std::vector<std::shared_ptr<ListenerBase>> listeners_;  // guarded by mu_
  std::vector<UnixPath> unix_paths_;                   // guarded by mu_
};

}  // namespace jopay::http
