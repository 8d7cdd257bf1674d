#include "daemon/http/connection.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/ids.h"
#include "common/log.h"

namespace jopay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Upper bound on draining a client's unread input before closing after an error.
constexpr std::chrono::seconds kMaxLinger{5};
constexpr size_t kDrainChunk = 16 * 1024;
// A refused connection is answered and then held at most this long: a flood of them must not
// hold descriptors for the full kMaxLinger.
constexpr std::chrono::seconds kRefusedLinger{1};

bool IsMalformed(const beast::error_code& ec) {
  static const auto& http_category = bhttp::make_error_code(bhttp::error::bad_target).category();
  // A peer that hung up mid-message is gone, not malformed: nobody to answer.
  return ec.category() == http_category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

// Header names and values a handler supplies must not smuggle CR/LF into the head.
bool IsSafeHeader(std::string_view name, std::string_view value) {
  constexpr std::string_view kNameBreakers("\r\n\0 \t:", 6);
  constexpr std::string_view kValueBreakers("\r\n\0", 3);
  return !name.empty() && name.find_first_of(kNameBreakers) == std::string_view::npos &&
         value.find_first_of(kValueBreakers) == std::string_view::npos;
}

Request ToRequest(bhttp::request<bhttp::string_body>&& msg) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  return req;
}

Response InternalError() {
  return ErrorResponse(Status::Internal("internal error while handling the request"));
}

// The Respond a handler gets: the first call wins and is posted onto the
// connection's strand; dropping every copy without a call answers 500, so a
// buggy handler cannot leave a client (and a graceful stop) waiting forever.
// Until it is called it counts as outstanding work: while a handler waits on
// another thread no socket operation is pending, and after Stop() the
// io_context would otherwise run out of work and drop the response.
template <class Conn>
class Responder {
 public:
  Responder(std::shared_ptr<Conn> conn, std::shared_ptr<Request> req)
      : conn_(std::move(conn)), req_(std::move(req)), work_(conn_->executor()) {}
  ~Responder() {
    if (sent_.load()) return;
    conn_->state().ReportError(
        fmt::format("{} {}: handler dropped its response", req_->method, req_->path));
    Send(InternalError());
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void Send(Response r) {
    if (sent_.exchange(true)) return;
    r.headers.emplace_back("Request-Id", req_->id);
    if (const auto& on_answer = conn_->state().options().on_answer) {
      LogScope scope("request_id", req_->id);
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started_);
      on_answer(*req_, r.status, micros.count());
    }
    net::post(conn_->executor(),
              [conn = conn_, r = std::move(r)]() mutable { conn->Write(std::move(r)); });
    work_.reset();  // the posted write is work of its own
  }

 private:
  std::shared_ptr<Conn> conn_;
  std::shared_ptr<Request> req_;  // keeps the handler's Request alive while it may answer
  net::executor_work_guard<net::any_io_executor> work_;
  std::atomic<bool> sent_{false};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

template <class Protocol>
class StreamConnection final : public Connection {
 public:
  using Stream = beast::basic_stream<Protocol, net::any_io_executor, beast::unlimited_rate_policy>;
  using Socket = typename Protocol::socket;

  StreamConnection(Socket socket, std::shared_ptr<ServerState> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}
  ~StreamConnection() override { state_->Unregister(this, client_, admission_); }

  void Start() override {
    if constexpr (std::is_same_v<Protocol, net::ip::tcp>) {
      boost::system::error_code ec;
      auto peer = stream_.socket().remote_endpoint(ec);
      if (!ec) peer_address_ = peer.address().to_string();
    }
    client_ = ClientKey(peer_address_);
    admission_ = state_->Register(shared_from_this(), client_);
    switch (admission_) {
      case Admission::kServe:
        return net::dispatch(executor(),
                             beast::bind_front_handler(&StreamConnection::ReadHeader, self()));
      case Admission::kClientFull:
      case Admission::kServerFull:
        return net::dispatch(executor(), [self = self()] { self->Refuse(); });
      case Admission::kDrop:
        return;  // the socket closes with us
    }
  }

  void Shutdown() override {
    net::post(executor(), [self = self()] { self->OnShutdown(); });
  }

  // On the strand: answers the request in progress (or a request that could not be read).
  void Write(Response r) {
    bool close = close_ || !keep_alive_ || state_->stopping();
    try {
      res_ = BuildMessage(std::move(r), close);
    } catch (const std::exception& e) {
      state_->ReportError(fmt::format("cannot build response: {}", e.what()));
      res_ = BuildMessage(InternalError(), close);
    }
    phase_ = Phase::kWriting;
    stream_.expires_after(options().read_timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&StreamConnection::OnWrite, self(), close));
  }

  net::any_io_executor executor() { return stream_.get_executor(); }
  const ServerState& state() const { return *state_; }

 private:
  enum class Phase { kReading, kHandling, kWriting, kClosing };

  std::shared_ptr<StreamConnection> self() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }
  const ServerOptions& options() const { return state_->options(); }

  // The head first, so that "Expect: 100-continue" can be answered before the body.
  void ReadHeader() {
    phase_ = Phase::kReading;
    parser_.emplace();  // a fresh parser per request: no state leaks between requests
    parser_->body_limit(options().body_limit);
    parser_->header_limit(options().header_limit);
    stream_.expires_after(options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&StreamConnection::OnHeader, self()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return HandleRequest();
    if (ExpectsContinue()) return WriteContinue();
    ReadBody();
  }

  bool ExpectsContinue() {
    const auto& head = parser_->get();
    return head.version() >= 11 && beast::iequals(head[bhttp::field::expect], "100-continue");
  }

  void WriteContinue() {
    stream_.expires_after(options().read_timeout);
    bhttp::async_write(stream_, continue_,
                       [self = self()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
  }

  void ReadBody() {
    stream_.expires_after(options().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&StreamConnection::OnBody, self()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    HandleRequest();
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == bhttp::error::body_limit) {
      return WriteError(413, Status::Make(Status::Kind::kTooLarge, "body_too_large",
                                          fmt::format("request body exceeds {} bytes",
                                                      options().body_limit)));
    }
    if (ec == bhttp::error::header_limit) {
      return WriteError(431, Status::Make(Status::Kind::kTooLarge, "header_too_large",
                                          fmt::format("request head exceeds {} bytes",
                                                      options().header_limit)));
    }
    if (IsMalformed(ec)) {
      return WriteError(400, Status::Invalid("malformed HTTP request: " + ec.message(), "",
                                             "http_malformed"));
    }
    Close();  // end of stream, timeout, reset, or cancelled by Shutdown
  }

  // Answers a connection over a cap before reading anything, and closes it.
  void Refuse() {
    linger_for_ = kRefusedLinger;
    const ServerOptions& o = options();
    if (admission_ == Admission::kClientFull) {
      return WriteError(429, Status::Make(Status::Kind::kTooManyRequests, "too_many_connections",
                                          fmt::format("too many connections from your address "
                                                      "(at most {} at once)",
                                                      o.max_connections_per_client)),
                        {{"Retry-After", "1"}});
    }
    WriteError(503, Status::Make(Status::Kind::kUnavailable, "server_busy",
                                 fmt::format("the server holds its maximum of {} connections; "
                                             "try again shortly",
                                             o.max_connections)),
               {{"Retry-After", "1"}});
  }

  // Answers a request we could not read; the stream is out of step, so close after.
  void WriteError(int status, const Status& s,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response r = ErrorResponse(s);
    r.status = status;
    for (auto& h : headers) r.headers.push_back(std::move(h));
    head_ = false;  // the request could not be read: whatever it was, the error has a body
    close_ = true;
    linger_ = true;
    keep_alive_ = false;
    Write(std::move(r));
  }

  void HandleRequest() {
    phase_ = Phase::kHandling;
    keep_alive_ = parser_->get().keep_alive();
    version_ = parser_->get().version();
    head_ = parser_->get().method() == bhttp::verb::head;
    auto req = std::make_shared<Request>(ToRequest(parser_->release()));
    req->remote_address = peer_address_;
    req->id = NewId("req_");
    LogScope scope("request_id", req->id);  // what handling logs on this thread names it
    auto responder = std::make_shared<Responder<StreamConnection>>(self(), req);
    Respond respond = [responder](Response r) { responder->Send(std::move(r)); };
    Status target = ParseTarget(*req);
    if (!target.ok()) return respond(ErrorResponse(target));
    try {
      state_->router().Dispatch(*req, respond);
    } catch (const std::exception& e) {
      state_->ReportError(fmt::format("{} {}: handler threw: {}", req->method, req->path, e.what()));
      respond(InternalError());
    } catch (...) {
      state_->ReportError(fmt::format("{} {}: handler threw", req->method, req->path));
      respond(InternalError());
    }
  }

  bhttp::response<bhttp::string_body> BuildMessage(Response r, bool close) {
    bhttp::response<bhttp::string_body> res;
    res.version(version_);
    if (r.status < 200 || r.status > 599) {
      state_->ReportError(fmt::format("handler answered invalid status {}", r.status));
      r = InternalError();
    }
    res.result(static_cast<unsigned>(r.status));
    res.set(bhttp::field::server, options().server_header);
    res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) AddHeader(res, name, value);
    if (r.status == 204 || r.status == 304) r.body.clear();  // these must not carry a body
    res.body() = std::move(r.body);
    res.keep_alive(!close);
    res.prepare_payload();
    // A HEAD answer says what GET would send (Content-Length included) but sends no body.
    if (head_) res.body().clear();
    return res;
  }

  void AddHeader(bhttp::response<bhttp::string_body>& res, const std::string& name,
                 const std::string& value) {
    if (!IsSafeHeader(name, value)) {
      state_->ReportError(fmt::format("dropped unsafe response header \"{}\"", name));
      return;
    }
    switch (bhttp::string_to_field(name)) {
      case bhttp::field::content_length:
      case bhttp::field::transfer_encoding:
      case bhttp::field::connection:
        return;  // framing is the server's business
      case bhttp::field::content_type:
      case bhttp::field::server:
        res.set(name, value);
        return;
      default:
        res.insert(name, value);
    }
  }

  void OnWrite(bool close, beast::error_code ec, size_t) {
    res_ = {};  // an idle keep-alive connection should not hold the last body
    if (ec) return Close();
    if (close || close_ || state_->stopping()) return linger_ ? Linger() : Close();
    ReadHeader();
  }

  // After an error mid-request the client may still be sending; closing with
  // unread input makes the kernel reset the connection and the client would
  // lose our error response. So stop sending, then discard input until EOF,
  // under one deadline for the whole drain (per-read deadlines never end
  // against a steady trickle).
  void Linger() {
    phase_ = Phase::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(net::socket_base::shutdown_send, ignored);
    stream_.expires_after(std::min<std::chrono::seconds>(options().read_timeout, linger_for_));
    DrainSome();
  }

  void DrainSome() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kDrainChunk),
                            [self = self()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    phase_ = Phase::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(net::socket_base::shutdown_send, ignored);
    stream_.close();
  }

  // Idle means waiting for a request of which nothing has arrived yet.
  void OnShutdown() {
    close_ = true;
    bool idle = phase_ == Phase::kReading && buffer_.size() == 0 &&
                !(parser_ && parser_->got_some());
    if (idle) stream_.cancel();
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  std::string peer_address_;  // TCP: the client's IP address; Unix: ""
  std::string client_;        // what the limits count it under (ClientKey)
  Admission admission_ = Admission::kDrop;  // kDrop: not counted, nothing to release
  std::chrono::seconds linger_for_ = kMaxLinger;
  beast::flat_buffer buffer_;  // kept across requests: it may hold a pipelined next one
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  bhttp::response<bhttp::empty_body> continue_{bhttp::status::continue_, 11};
  Phase phase_ = Phase::kReading;
  unsigned version_ = 11;
  bool head_ = false;  // the request being answered is a HEAD
  bool keep_alive_ = true;
  bool close_ = false;   // close after the current response (Stop, or an unreadable request)
  bool linger_ = false;  // drain the client's input before closing
};

}  // namespace

void ServerState::ReportError(const std::string& what) const {
  if (opts_.on_error) opts_.on_error(what);
}

Admission ServerState::Register(const std::shared_ptr<Connection>& c, const std::string& client) {
  std::lock_guard lock(mu_);
  if (stopping_.load()) return Admission::kDrop;
  Admission admission = limits_.Admit(client);
  if (admission != Admission::kDrop) live_[c.get()] = c;
  return admission;
}

void ServerState::Unregister(const Connection* c, const std::string& client,
                             Admission admission) {
  limits_.Release(client, admission);
  std::lock_guard lock(mu_);
  live_.erase(c);
}

std::vector<std::shared_ptr<Connection>> ServerState::BeginStop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  std::vector<std::shared_ptr<Connection>> live;
  for (const auto& [ptr, weak] : live_) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  return live;
}

size_t ServerState::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

std::shared_ptr<Connection> MakeConnection(net::ip::tcp::socket socket,
                                           std::shared_ptr<ServerState> state) {
  return std::make_shared<StreamConnection<net::ip::tcp>>(std::move(socket), std::move(state));
}

std::shared_ptr<Connection> MakeConnection(net::local::stream_protocol::socket socket,
                                           std::shared_ptr<ServerState> state) {
  return std::make_shared<StreamConnection<net::local::stream_protocol>>(std::move(socket),
                                                                        std::move(state));
}

}  // namespace jopay::http
