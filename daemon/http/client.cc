#include "daemon/http/client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/core.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/thread_name.h"

namespace jopay::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kResponseBodyLimit = 1 << 20;

struct Pending {
  OutgoingRequest request;
  Client::Callback done;
};

std::string Printable(std::string_view bytes, size_t max) {
  std::string out;
  for (char c : bytes.substr(0, max)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back((u >= 0x20 && u < 0x7F) || c == '\n' || c == '\t' ? c : '?');
  }
  return out;
}

// One connection to one endpoint: resolve, connect, TLS, then request after request.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `self` is the connection when it may be reused, else null. (Not captured by the pool's
  // callback: a connection holding a callback that holds it would never be freed.)
  using FinishFn = std::function<void(OutgoingResult, std::shared_ptr<Connection> self)>;

  Connection(asio::io_context& io, ssl::context& tls_context, const ClientOptions& options)
      : io_(io), tls_context_(tls_context), options_(options), resolver_(io) {}

  void Run(std::shared_ptr<Pending> p, FinishFn finish) {
    pending_ = std::move(p);
    finish_ = std::move(finish);
    start_ = SteadyClock::now();
    deadline_ = start_ + options_.timeout;
    retried_ = false;
    BuildRequest();
    if (connected_) {
      Write();
    } else {
      Resolve();
    }
  }

 private:
  const OutgoingUrl& url() const { return pending_->request.url; }

  beast::tcp_stream& Lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  template <class F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void BuildRequest() {
    OutgoingRequest& r = pending_->request;
    req_ = {};
    req_.method(bhttp::string_to_verb(r.method));
    req_.target(r.url.target);
    req_.version(11);
    req_.set(bhttp::field::host, r.url.host_header);
    for (const auto& [name, value] : r.headers) req_.set(name, value);
    req_.keep_alive(true);
    req_.body() = std::move(r.body);  // req_ keeps it for a resend on a fresh connection
    req_.prepare_payload();
  }

  void Resolve() {
    resolver_.async_resolve(url().host, url().port,
                            beast::bind_front_handler(&Connection::OnResolve, shared_from_this()));
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(fmt::format("cannot resolve {}: {}", url().host, ec.message()));
    std::vector<asio::ip::address> addresses;
    for (const auto& r : results) addresses.push_back(r.endpoint().address());
    Status allowed = CheckAddresses(addresses, pending_->request.live,
                                    pending_->request.allow_private, url().host);
    if (!allowed.ok()) return Fail(allowed.message());
    plain_.reset();
    tls_.reset();
    if (url().https) {
      tls_.emplace(io_, tls_context_);
      // SNI, and the certificate must name the host we asked for.
      if (!SSL_set_tlsext_host_name(tls_->native_handle(), url().host.c_str())) {
        return Fail("cannot set the TLS server name");
      }
      tls_->set_verify_mode(ssl::verify_peer);
      tls_->set_verify_callback(ssl::host_name_verification(url().host));
    } else {
      plain_.emplace(io_);
    }
    Lowest().expires_at(deadline_);
    Lowest().async_connect(results,
                           beast::bind_front_handler(&Connection::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return FailIo(ec, fmt::format("connect to {}:{}", url().host, url().port));
    if (!tls_) {
      connected_ = true;
      return Write();
    }
    tls_->async_handshake(ssl::stream_base::client,
                          beast::bind_front_handler(&Connection::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return FailIo(ec, fmt::format("TLS handshake with {}", url().host));
    connected_ = true;
    Write();
  }

  void Write() {
    Lowest().expires_at(deadline_);
    WithStream([this](auto& stream) {
      bhttp::async_write(stream, req_,
                         beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
    });
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return FailIo(ec, "send");
    parser_.emplace();
    parser_->body_limit(kResponseBodyLimit);
    WithStream([this](auto& stream) {
      bhttp::async_read(stream, buffer_, *parser_,
                        beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
    });
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return FailIo(ec, "read the answer");
    auto& res = parser_->get();
    OutgoingResult r;
    r.status = static_cast<int>(res.result_int());
    r.latency_ms = ElapsedMs();
    r.excerpt = Printable(res.body(), options_.excerpt_bytes);
    if (auto it = res.find(bhttp::field::retry_after); it != res.end()) {
      r.retry_after = std::string(it->value());
    }
    if (pending_->request.keep_body) {
      for (const auto& field : res) {
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      r.body = std::move(res.body());
    }
    bool reusable = res.keep_alive() && !res.need_eof();
    used_ = true;
    if (!reusable) Close();
    Lowest().expires_never();
    Complete(std::move(r), reusable);
  }

  // An I/O failure: on a reused connection, before any answer, the server most likely closed
  // it while idle; send once more on a fresh connection.
  void FailIo(beast::error_code ec, const std::string& what) {
    bool answered = parser_ && parser_->got_some();
    if (used_ && !retried_ && !answered && ec != beast::error::timeout &&
        SteadyClock::now() < deadline_) {
      retried_ = true;
      Close();
      buffer_.clear();
      parser_.reset();
      return Resolve();
    }
    if (ec == beast::error::timeout) {
      return Fail(fmt::format("timed out after {} s ({})",
                              options_.timeout.count() / 1000, what));
    }
    Fail(fmt::format("{}: {}", what, ec.message()));
  }

  void Fail(std::string error) {
    Close();
    OutgoingResult r;
    r.latency_ms = ElapsedMs();
    r.error = std::move(error);
    Complete(std::move(r), false);
  }

  void Close() {
    connected_ = false;
    beast::error_code ignored;
    if (plain_) plain_->socket().close(ignored);
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
  }

  void Complete(OutgoingResult r, bool reusable) {
    auto finish = std::move(finish_);
    pending_.reset();
    parser_.reset();
    finish(std::move(r), reusable ? shared_from_this() : nullptr);
  }

  int64_t ElapsedMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start_)
        .count();
  }

  asio::io_context& io_;
  ssl::context& tls_context_;
  const ClientOptions& options_;
  tcp::resolver resolver_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<ssl::stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> req_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Pending> pending_;
  FinishFn finish_;
  SteadyClock::time_point start_;
  SteadyClock::time_point deadline_;
  bool connected_ = false;
  bool used_ = false;
  bool retried_ = false;
};

}  // namespace

class Client::Impl {
 public:
  explicit Impl(ClientOptions options)
      : options_(options), tls_context_(ssl::context::tls_client),
        work_(asio::make_work_guard(io_)) {  // members in declaration order
    tls_context_.set_default_verify_paths();  // honours SSL_CERT_FILE and SSL_CERT_DIR
    tls_context_.set_verify_mode(ssl::verify_peer);
  }

  void Start() {
    thread_ = std::thread([this] {
      NameThisThread(options_.thread_name.c_str());
      io_.run();
    });
  }

  void Send(OutgoingRequest request, Callback done) {
    if (stopped_) return;
    ++outstanding_;
    auto p = std::make_shared<Pending>(Pending{std::move(request), std::move(done)});
    {
      // One post carries every request queued meanwhile: the io thread is woken once per
      // batch, not once per request.
      std::lock_guard lock(inbox_mu_);
      bool first = inbox_.empty();
      inbox_.push_back(std::move(p));
      if (!first) return;
    }
    asio::post(io_, [this] {
      std::vector<std::shared_ptr<Pending>> batch;
      {
        std::lock_guard lock(inbox_mu_);
        batch.swap(inbox_);
      }
      std::vector<std::string> touched;
      for (auto& p : batch) {
        auto& pool = pools_[p->request.pool];
        if (pool.queue.empty()) touched.push_back(p->request.pool);
        pool.queue.push_back(std::move(p));
      }
      for (const auto& name : touched) Pump(name);
    });
  }

  void ForgetPool(const std::string& name) {
    asio::post(io_, [this, name] {
      auto it = pools_.find(name);
      if (it != pools_.end()) it->second.idle.clear();
    });
  }

  size_t outstanding() const { return outstanding_.load(); }

  void Stop() {
    if (stopped_.exchange(true)) return;
    work_.reset();
    io_.stop();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  ~Impl() {
    Stop();
    pools_.clear();
  }

 private:
  struct Pool {
    std::deque<std::shared_ptr<Pending>> queue;
    std::vector<std::shared_ptr<Connection>> idle;
    int busy = 0;
  };

  void Pump(const std::string& name) {
    Pool& pool = pools_[name];
    while (!pool.queue.empty()) {
      std::shared_ptr<Connection> conn;
      if (!pool.idle.empty()) {
        conn = std::move(pool.idle.back());
        pool.idle.pop_back();
      } else if (pool.busy < options_.max_connections) {
        conn = std::make_shared<Connection>(io_, tls_context_, options_);
      } else {
        break;
      }
      ++pool.busy;
      auto p = std::move(pool.queue.front());
      pool.queue.pop_front();
      auto done = p->done;
      conn->Run(std::move(p), [this, name, done](OutgoingResult r,
                                                 std::shared_ptr<Connection> reusable) {
        Pool& pool = pools_[name];
        --pool.busy;
        if (reusable && !stopped_) pool.idle.push_back(std::move(reusable));
        --outstanding_;
        if (!stopped_) done(std::move(r));
        Pump(name);
      });
    }
  }

  ClientOptions options_;
  ssl::context tls_context_;  // outlives io_ and the connections its pending handlers hold
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unordered_map<std::string, Pool> pools_;
  std::atomic<size_t> outstanding_{0};
  std::mutex inbox_mu_;
  std::vector<std::shared_ptr<Pending>> inbox_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

Client::Client(ClientOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  impl_->Start();
}

Client::~Client() { Stop(); }

void Client::Send(OutgoingRequest request, Callback done) {
  impl_->Send(std::move(request), std::move(done));
}

void Client::ForgetPool(const std::string& pool) { impl_->ForgetPool(pool); }

size_t Client::outstanding() const { return impl_->outstanding(); }

void Client::Stop() { impl_->Stop(); }

}  // namespace jopay::http
