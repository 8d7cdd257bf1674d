// Connection: one accepted HTTP/1.1 stream, served one request at a time.
//
// Internal to daemon/http: the Server's listeners create connections; the
// ServerState they share outlives the Server while connections drain. Each
// connection runs on its own strand, so the io_context may run on any number
// of threads; only Shutdown() is called from outside that strand.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "daemon/http/connection_limits.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"

namespace jopay::http {

class Connection;

// What the Server, its listeners and its connections share.
class ServerState {
 public:
  ServerState(const Router& router, ServerOptions opts)
      : router_(router), opts_(std::move(opts)),
        limits_(opts_.max_connections, opts_.max_connections_per_client) {}

  const Router& router() const { return router_; }
  const ServerOptions& options() const { return opts_; }
  void ReportError(const std::string& what) const;

  // Counts a new connection from `client` (a ClientKey) against the limits and registers it
  // unless it is to be dropped; kDrop once stopping (the caller drops it). Every connection
  // Register saw is unregistered with the same client and admission.
  Admission Register(const std::shared_ptr<Connection>& c, const std::string& client);
  void Unregister(const Connection* c, const std::string& client, Admission admission);
  // Marks the state stopping and returns the live connections.
  std::vector<std::shared_ptr<Connection>> BeginStop();
  bool stopping() const { return stopping_.load(); }
  size_t size() const;

 private:
  const Router& router_;
  const ServerOptions opts_;
  ConnectionLimits limits_;
  mutable std::mutex mu_;
  std::atomic<bool> stopping_{false};
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> live_;  // guarded by mu_
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  // Starts serving (on the connection's strand), unless the server is stopping.
  virtual void Start() = 0;
  // From any thread: close now if idle between requests, otherwise close
  // after the response to the request in progress has been written.
  virtual void Shutdown() = 0;
};

std::shared_ptr<Connection> MakeConnection(boost::asio::ip::tcp::socket socket,
                                           std::shared_ptr<ServerState> state);
std::shared_ptr<Connection> MakeConnection(boost::asio::local::stream_protocol::socket socket,
                                           std::shared_ptr<ServerState> state);

}  // namespace jopay::http
