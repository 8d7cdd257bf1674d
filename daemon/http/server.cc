#include "daemon/http/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>

#include "daemon/http/connection.h"

namespace jopay::http {

// Accepts connections on one socket and hands each to a Connection.
class ListenerBase {
 public:
  virtual ~ListenerBase() = default;
  virtual void Start() = 0;
  // From any thread: stop accepting (the acceptor is closed on its strand).
  virtual void Close() = 0;
};

namespace {

namespace net = boost::asio;
using boost::system::error_code;
using LocalProtocol = net::local::stream_protocol;
using net::ip::tcp;

// Pause after a failed accept (e.g. out of descriptors) so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetry{100};

template <class Protocol>
class Listener final : public ListenerBase,
                       public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  using Acceptor = typename Protocol::acceptor;

  Listener(net::io_context& io, Acceptor acceptor, std::shared_ptr<ServerState> state)
      : io_(io), acceptor_(std::move(acceptor)), retry_(acceptor_.get_executor()),
        state_(std::move(state)) {}

  void Start() override {
    net::dispatch(acceptor_.get_executor(), [self = this->shared_from_this()] { self->Accept(); });
  }

  void Close() override {
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
  }

 private:
  void Accept() {
    // Each connection gets its own strand: the io_context may run on several threads.
    acceptor_.async_accept(net::make_strand(io_),
                           boost::beast::bind_front_handler(&Listener::OnAccept,
                                                            this->shared_from_this()));
  }

  void OnAccept(error_code ec, typename Protocol::socket socket) {
    if (!acceptor_.is_open()) return;  // closed by Stop
    if (ec) {
      retry_.expires_after(kAcceptRetry);
      retry_.async_wait([self = this->shared_from_this()](error_code wait_ec) {
        if (!wait_ec && self->acceptor_.is_open()) self->Accept();
      });
      return;
    }
    MakeConnection(std::move(socket), state_)->Start();
    Accept();
  }

  net::io_context& io_;
  Acceptor acceptor_;
  net::steady_timer retry_;
  std::shared_ptr<ServerState> state_;
};

Status InUse(const std::string& path) {
  return Status::Make(Status::Kind::kConflict, "address_in_use",
                      fmt::format("another process is serving {}", path));
}

Status ListenFailed(const std::string& where, const std::string& why) {
  return Status::Make(Status::Kind::kUnavailable, "listen_failed",
                      fmt::format("cannot listen on {}: {}", where, why));
}

// A socket file nobody accepts on is left over from a crash: remove it. One
// that answers belongs to a live process; anything else is not ours to delete.
Status RemoveStaleSocket(net::io_context& io, const std::string& path,
                         const LocalProtocol::endpoint& endpoint) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ListenFailed(path, std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status::Make(Status::Kind::kConflict, "address_in_use",
                        fmt::format("{} exists and is not a socket; not replacing it", path));
  }
  LocalProtocol::socket probe(io);
  error_code ec;
  probe.connect(endpoint, ec);
  if (!ec) return InUse(path);
  if (ec != net::error::connection_refused) {
    return ListenFailed(path, "cannot probe the existing socket: " + ec.message());
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ListenFailed(path, fmt::format("cannot remove stale socket: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace

Server::Server(net::io_context& io, const Router& router, ServerOptions opts)
    : io_(io), state_(std::make_shared<ServerState>(router, std::move(opts))) {}

Server::~Server() { Stop(); }

Status Server::ListenUnix(const std::string& path, unsigned mode) {
  LocalProtocol::endpoint endpoint;
  try {
    endpoint = LocalProtocol::endpoint(path);
  } catch (const std::exception& e) {  // longer than sun_path
    return ListenFailed(path, e.what());
  }
  JOPAY_RETURN_IF_ERROR(RemoveStaleSocket(io_, path, endpoint));

  LocalProtocol::acceptor acceptor(net::make_strand(io_));
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec == net::error::address_in_use) return InUse(path);  // bound since the probe
  if (ec) return ListenFailed(path, ec.message());
  // chmod before listen(): until listen() every connect is refused, so no
  // client can slip in while the socket still has the umask's mode.
  if (::chmod(path.c_str(), mode) != 0) {
    ec.assign(errno, boost::system::system_category());
  } else {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  struct stat st {};
  if (!ec && ::stat(path.c_str(), &st) != 0) ec.assign(errno, boost::system::system_category());
  if (ec) {
    ::unlink(path.c_str());
    return ListenFailed(path, ec.message());
  }
  auto listener = std::make_shared<Listener<LocalProtocol>>(io_, std::move(acceptor), state_);
  Status adopted = Adopt(std::move(listener), UnixPath{path, st.st_dev, st.st_ino});
  if (!adopted.ok()) ::unlink(path.c_str());
  return adopted;
}

Status Server::ListenTcp(const std::string& host, unsigned short port) {
  std::string where = fmt::format("{}:{}", host, port);
  tcp::resolver resolver(io_);
  error_code ec;
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) return ListenFailed(where, ec.message());
  if (results.empty()) return ListenFailed(where, "no address");
  tcp::endpoint endpoint = results.begin()->endpoint();

  tcp::acceptor acceptor(net::make_strand(io_));
  acceptor.open(endpoint.protocol(), ec);
  // A restarted daemon must rebind while its old connections sit in TIME_WAIT.
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  unsigned short bound = ec ? 0 : acceptor.local_endpoint(ec).port();
  if (ec) return ListenFailed(where, ec.message());

  auto listener = std::make_shared<Listener<tcp>>(io_, std::move(acceptor), state_);
  JOPAY_RETURN_IF_ERROR(Adopt(std::move(listener), std::nullopt));
  tcp_port_ = bound;
  return Status::Ok();
}

Status Server::Adopt(std::shared_ptr<ListenerBase> listener, std::optional<UnixPath> unix_path) {
  std::lock_guard lock(mu_);
  if (stopped_) return Status::Unavailable("the server is stopped");
  if (unix_path) unix_paths_.push_back(std::move(*unix_path));
  listener->Start();
  listeners_.push_back(std::move(listener));
  return Status::Ok();
}

unsigned short Server::tcp_port() const { return tcp_port_.load(); }

void Server::Stop() {
  std::vector<std::shared_ptr<ListenerBase>> listeners;
  std::vector<UnixPath> paths;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    listeners = listeners_;
    paths.swap(unix_paths_);
  }
  for (const auto& listener : listeners) listener->Close();
  for (const auto& connection : state_->BeginStop()) connection->Shutdown();
  // Only unlink the file we created: a successor may already have replaced it.
  for (const auto& p : paths) {
    struct stat st {};
    if (::lstat(p.path.c_str(), &st) == 0 && st.st_dev == p.dev && st.st_ino == p.ino) {
      ::unlink(p.path.c_str());
    }
  }
}

size_t Server::active_connections() const { return state_->size(); }

}  // namespace jopay::http
