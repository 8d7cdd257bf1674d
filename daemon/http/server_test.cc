// The Server over real sockets: a Unix socket in a temporary directory and
// 127.0.0.1 on an ephemeral port, served by an io_context on two threads (as
// the daemon runs it) and driven by a synchronous Beast client.
#include "daemon/http/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace jopay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using LocalProtocol = net::local::stream_protocol;
using net::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;
using namespace std::chrono_literals;

// A fresh directory for socket files, removed afterwards.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/jopay-http-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Threads that answer requests later, the way the daemon's writer thread does.
class Workers {
 public:
  ~Workers() { Join(); }
  void Run(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    threads_.emplace_back(std::move(fn));
  }
  void Join() {
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

Response Json(json::value v) { return JsonResponse(200, v); }

// The routes every test serves.
void AddRoutes(Router& router, Workers& workers, std::promise<void>* slow_started) {
  router.Add("GET", "/v1/plans/{id}", [](Request& req, Respond respond) {
    respond(Json({{"id", req.params.at("id")}}));
  });
  router.Add("POST", "/v1/plans/{id}/archive", [](Request& req, Respond respond) {
    respond(JsonResponse(201, {{"archived", req.params.at("id")}}));
  });
  router.Add("GET", "/echo", [](Request& req, Respond respond) {
    json::object query;
    for (const auto& [k, v] : req.query) query[k] = v;
    respond(Json({{"path", req.path}, {"query", query}, {"mode", req.Header("jopay-mode")}}));
  });
  router.Add("POST", "/echo", [](Request& req, Respond respond) {
    respond(Json({{"bytes", req.body.size()}}));
  });
  router.Add("GET", "/slow", [&workers, slow_started](Request&, Respond respond) {
    if (slow_started != nullptr) slow_started->set_value();
    workers.Run([respond] {
      std::this_thread::sleep_for(300ms);
      respond(Json({{"slow", true}}));
    });
  });
  router.Add("GET", "/throw", [](Request&, Respond) { throw std::runtime_error("boom"); });
  router.Add("GET", "/drop", [](Request&, Respond) {});
}

// A router and a server on an io_context run by two threads, as in jopayd: no
// work guard, so run() returns only when the server has no work left, and the
// teardown (Stop, then join) proves that a stop drains.
struct Fixture {
  explicit Fixture(ServerOptions opts = {}, std::promise<void>* slow_started = nullptr) {
    opts.on_error = [this](const std::string& what) {
      std::lock_guard lock(mu);
      errors.push_back(what);
    };
    AddRoutes(router, workers, slow_started);
    server = std::make_unique<Server>(io, router, std::move(opts));
  }
  ~Fixture() {
    server->Stop();
    for (auto& t : threads) t.join();
    workers.Join();
  }
  // Starts the io threads; call after listening, or run() finds no work.
  void Run() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  void ListenBoth() {
    REQUIRE(server->ListenUnix(socket_path).ok());
    REQUIRE(server->ListenTcp("127.0.0.1", 0).ok());
    Run();
  }
  std::vector<std::string> Errors() {
    std::lock_guard lock(mu);
    return errors;
  }

  std::mutex mu;
  std::vector<std::string> errors;  // from on_error, guarded by mu
  TempDir dir;
  std::string socket_path = dir.Join("jopayd.sock");
  Router router;
  Workers workers;
  net::io_context io;
  std::unique_ptr<Server> server;
  std::vector<std::thread> threads;
};

// The test's side: synchronous, on its own io_context that nobody runs.
template <class Socket>
class Client {
 public:
  explicit Client(Socket socket) : socket_(std::move(socket)) {}

  Reply Send(bhttp::verb verb, const std::string& target, std::string body = "",
             bool close = false) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "localhost");
    if (close) req.set(bhttp::field::connection, "close");
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(socket_, req);
    return Read();
  }
  // A HEAD request; the parser is told no body follows the head.
  Reply Head(const std::string& target) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::head, target, 11};
    req.set(bhttp::field::host, "localhost");
    bhttp::write(socket_, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(true);
    bhttp::read(socket_, buffer_, parser);
    return parser.release();
  }
  void WriteRaw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }
  Reply Read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    bhttp::read(socket_, buffer_, parser);
    return parser.release();
  }
  // True once the server has closed its side and nothing more is coming.
  bool ServerClosed() {
    Reply ignored;
    beast::error_code ec;
    bhttp::read(socket_, buffer_, ignored, ec);
    return ec == bhttp::error::end_of_stream;
  }
  Socket& socket() { return socket_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  Socket socket_;
  beast::flat_buffer buffer_;
};

net::io_context client_io;

Client<LocalProtocol::socket> UnixClient(const std::string& path) {
  LocalProtocol::socket s(client_io);
  s.connect(LocalProtocol::endpoint(path));
  return Client<LocalProtocol::socket>(std::move(s));
}

Client<tcp::socket> TcpClient(unsigned short port) {
  tcp::socket s(client_io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  return Client<tcp::socket>(std::move(s));
}

json::value BodyOf(const Reply& r) { return json::parse(r.body()); }
std::string ErrorCode(const Reply& r) {
  return std::string(BodyOf(r).at("error").at("code").as_string());
}

// Every response, error or not, carries these.
void CheckStandardHeaders(const Reply& r) {
  CHECK(r[bhttp::field::content_type] == "application/json");
  CHECK(r[bhttp::field::content_length] == std::to_string(r.body().size()));
  CHECK(r[bhttp::field::server] == "jopayd");
}

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

TEST_CASE("routes with params answer on the unix socket and on TCP") {
  Fixture f;
  f.ListenBoth();
  auto unix_client = UnixClient(f.socket_path);
  Reply r = unix_client.Send(bhttp::verb::get, "/v1/plans/plan_123");
  CHECK(r.result_int() == 200);
  CHECK(BodyOf(r).at("id") == "plan_123");
  CheckStandardHeaders(r);

  auto tcp_client = TcpClient(f.server->tcp_port());
  r = tcp_client.Send(bhttp::verb::post, "/v1/plans/plan%2045/archive");
  CHECK(r.result_int() == 201);
  CHECK(BodyOf(r).at("archived") == "plan 45");
  CheckStandardHeaders(r);
}

TEST_CASE("query values are decoded: %20 and + are spaces, the last value wins") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  Reply r = client.Send(bhttp::verb::get, "/echo?q=a%20b&r=c+d&q=last&email=x%2By%40z.io");
  REQUIRE(r.result_int() == 200);
  auto query = BodyOf(r).at("query");
  CHECK(query.at("q") == "last");
  CHECK(query.at("r") == "c d");
  CHECK(query.at("email") == "x+y@z.io");
  CHECK(BodyOf(r).at("path") == "/echo");
}

TEST_CASE("unknown routes answer 404 and wrong methods 405, both as JSON") {
  Fixture f;
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  Reply r = client.Send(bhttp::verb::get, "/v1/nothing");
  CHECK(r.result_int() == 404);
  CHECK(ErrorCode(r) == "route_missing");
  CheckStandardHeaders(r);

  r = client.Send(bhttp::verb::delete_, "/v1/plans/plan_1");
  CHECK(r.result_int() == 405);
  CHECK(ErrorCode(r) == "method_not_allowed");
  CHECK(r[bhttp::field::allow] == "GET, HEAD");
  CheckStandardHeaders(r);
}

TEST_CASE("a 2 MiB body answers 413 as JSON and the connection is closed") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  Reply r = client.Send(bhttp::verb::post, "/echo", std::string(2 << 20, 'x'));
  CHECK(r.result_int() == 413);
  CHECK(ErrorCode(r) == "body_too_large");
  CheckStandardHeaders(r);
  CHECK(client.ServerClosed());

  // A body just under the limit is fine.
  auto next = UnixClient(f.socket_path);
  r = next.Send(bhttp::verb::post, "/echo", std::string((1 << 20) - 1, 'x'));
  CHECK(r.result_int() == 200);
  CHECK(BodyOf(r).at("bytes") == (1 << 20) - 1);
}

TEST_CASE("keep-alive serves several requests on one connection until Connection: close") {
  Fixture f;
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  for (int i = 0; i < 5; ++i) {
    Reply r = client.Send(bhttp::verb::get, "/v1/plans/plan_" + std::to_string(i));
    CHECK(r.result_int() == 200);
    CHECK(r.keep_alive());
    CHECK(BodyOf(r).at("id").as_string() == "plan_" + std::to_string(i));
  }
  CHECK(f.server->active_connections() == 1);
  Reply last = client.Send(bhttp::verb::get, "/v1/plans/last", "", /*close=*/true);
  CHECK(last.result_int() == 200);
  CHECK_FALSE(last.keep_alive());
  CHECK(client.ServerClosed());
  CHECK(WaitFor([&] { return f.server->active_connections() == 0; }));
}

TEST_CASE("HEAD answers a GET route's head with its Content-Length and no body") {
  Fixture f;
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  Reply full = client.Send(bhttp::verb::get, "/v1/plans/plan_7");
  Reply head = client.Head("/v1/plans/plan_7");
  CHECK(head.result_int() == 200);
  CHECK(head.body().empty());
  CHECK(head[bhttp::field::content_length] == std::to_string(full.body().size()));
  CHECK(head[bhttp::field::content_type] == "application/json");
  // The connection is still in step: the next request gets its own whole answer.
  Reply after = client.Send(bhttp::verb::get, "/v1/plans/plan_8");
  CHECK(BodyOf(after).at("id") == "plan_8");
  // HEAD on a path with no GET route is refused like any other method.
  Reply post_only = client.Head("/v1/plans/plan_8/archive");
  CHECK(post_only.result_int() == 405);
  CHECK(post_only.body().empty());
}

TEST_CASE("pipelined requests are answered in order") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  client.WriteRaw(
      "GET /v1/plans/a HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/plans/b HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(BodyOf(client.Read()).at("id") == "a");
  CHECK(BodyOf(client.Read()).at("id") == "b");
}

TEST_CASE("a handler may respond later from another thread") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  auto start = std::chrono::steady_clock::now();
  Reply r = client.Send(bhttp::verb::get, "/slow");
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(r.result_int() == 200);
  CHECK(BodyOf(r).at("slow") == true);
  // The connection stays usable afterwards.
  CHECK(client.Send(bhttp::verb::get, "/v1/plans/p").result_int() == 200);
}

TEST_CASE("a handler that throws or drops its Respond answers 500 and the server lives on") {
  Fixture f;
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  Reply r = client.Send(bhttp::verb::get, "/throw");
  CHECK(r.result_int() == 500);
  CHECK(ErrorCode(r) == "internal_error");
  CheckStandardHeaders(r);
  r = client.Send(bhttp::verb::get, "/drop");
  CHECK(r.result_int() == 500);
  CHECK(client.Send(bhttp::verb::get, "/v1/plans/p").result_int() == 200);
  auto errors = f.Errors();
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("boom") != std::string::npos);
  CHECK(errors[1].find("dropped") != std::string::npos);
}

TEST_CASE("malformed HTTP answers 400 as JSON and closes") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  client.WriteRaw("GET /v1/plans/p HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  Reply r = client.Read();
  CHECK(r.result_int() == 400);
  CHECK(ErrorCode(r) == "http_malformed");
  CheckStandardHeaders(r);
  CHECK(client.ServerClosed());
}

TEST_CASE("an oversized request head answers 431 as JSON and closes") {
  Fixture f;
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  client.WriteRaw("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') +
                  "\r\n\r\n");
  Reply r = client.Read();
  CHECK(r.result_int() == 431);
  CHECK(ErrorCode(r) == "header_too_large");
  CheckStandardHeaders(r);
  CHECK(client.ServerClosed());
}

TEST_CASE("Expect: 100-continue gets an interim 100 before the body is sent") {
  Fixture f;
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  client.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                  "Expect: 100-continue\r\n\r\n");
  std::string interim;
  net::read_until(client.socket(), net::dynamic_buffer(interim), "\r\n\r\n");
  CHECK(interim.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  client.WriteRaw("hello");
  Reply r = client.Read();
  CHECK(r.result_int() == 200);
  CHECK(BodyOf(r).at("bytes") == 5);
}

TEST_CASE("a connection that sends nothing is closed after read_timeout") {
  ServerOptions opts;
  opts.read_timeout = 1s;
  Fixture f(opts);
  f.ListenBoth();
  auto client = UnixClient(f.socket_path);
  auto start = std::chrono::steady_clock::now();
  CHECK(client.ServerClosed());
  CHECK(std::chrono::steady_clock::now() - start >= 900ms);
}

TEST_CASE("a client trickling its head is closed after read_timeout however long it keeps on") {
  ServerOptions opts;
  opts.read_timeout = 1s;
  Fixture f(opts);
  f.ListenBoth();
  auto client = TcpClient(f.server->tcp_port());
  auto start = std::chrono::steady_clock::now();
  beast::error_code ec;
  for (int i = 0; i < 40 && !ec; ++i) {  // one byte every 100 ms: never a whole head
    net::write(client.socket(), net::buffer("X", 1), ec);
    std::this_thread::sleep_for(100ms);
  }
  CHECK(client.ServerClosed());
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

Client<tcp::socket> TcpClientFrom(const std::string& source, unsigned short port) {
  tcp::socket s(client_io);
  s.open(tcp::v4());
  s.bind({net::ip::make_address(source), 0});
  s.connect({net::ip::make_address("127.0.0.1"), port});
  return Client<tcp::socket>(std::move(s));
}

TEST_CASE("a client over its connection cap is answered 429 and closed; others are served") {
  ServerOptions opts;
  opts.max_connections_per_client = 2;
  Fixture f(opts);
  f.ListenBoth();
  const unsigned short port = f.server->tcp_port();
  auto first = TcpClient(port);
  auto second = TcpClient(port);
  REQUIRE(WaitFor([&] { return f.server->active_connections() == 2; }));
  auto third = TcpClient(port);
  Reply refused = third.Read();
  CHECK(refused.result_int() == 429);
  CHECK(ErrorCode(refused) == "too_many_connections");
  CHECK(refused[bhttp::field::retry_after] == "1");
  CheckStandardHeaders(refused);
  CHECK(third.ServerClosed());
  // Another address and the Unix socket are not this client.
  CHECK(TcpClientFrom("127.0.0.2", port).Send(bhttp::verb::get, "/v1/plans/a").result_int() == 200);
  CHECK(UnixClient(f.socket_path).Send(bhttp::verb::get, "/v1/plans/a").result_int() == 200);
  // The two held connections still work, and once one closes the client may open another.
  CHECK(first.Send(bhttp::verb::get, "/v1/plans/b").result_int() == 200);
  first.socket().close();
  REQUIRE(WaitFor([&] { return f.server->active_connections() == 1; }));
  CHECK(TcpClient(port).Send(bhttp::verb::get, "/v1/plans/c").result_int() == 200);
  CHECK(second.Send(bhttp::verb::get, "/v1/plans/d").result_int() == 200);
}

TEST_CASE("a full server answers 503 server_busy until a connection closes") {
  ServerOptions opts;
  opts.max_connections = 2;
  Fixture f(opts);
  f.ListenBoth();
  const unsigned short port = f.server->tcp_port();
  auto first = TcpClient(port);
  auto second = TcpClientFrom("127.0.0.2", port);
  REQUIRE(WaitFor([&] { return f.server->active_connections() == 2; }));
  auto third = TcpClientFrom("127.0.0.3", port);
  Reply refused = third.Read();
  CHECK(refused.result_int() == 503);
  CHECK(ErrorCode(refused) == "server_busy");
  CHECK(third.ServerClosed());
  second.socket().close();
  REQUIRE(WaitFor([&] { return f.server->active_connections() == 1; }));
  CHECK(TcpClientFrom("127.0.0.3", port).Send(bhttp::verb::get, "/v1/plans/a").result_int() ==
        200);
}

TEST_CASE("the unix socket gets the requested mode") {
  Fixture f;
  REQUIRE(f.server->ListenUnix(f.socket_path, 0600).ok());
  struct stat st {};
  REQUIRE(::stat(f.socket_path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a stale socket file left by a crash is replaced") {
  Fixture f;
  {
    // Bound and closed without unlinking: what a killed daemon leaves behind.
    LocalProtocol::acceptor dead(client_io, LocalProtocol::endpoint(f.socket_path));
  }
  REQUIRE(std::filesystem::exists(f.socket_path));
  Status s = f.server->ListenUnix(f.socket_path);
  REQUIRE_MESSAGE(s.ok(), s.message());
  f.Run();
  auto client = UnixClient(f.socket_path);
  CHECK(client.Send(bhttp::verb::get, "/v1/plans/p").result_int() == 200);
}

TEST_CASE("a socket another process is serving is refused and left alone") {
  Fixture f;
  f.ListenBoth();
  Server second(f.io, f.router);
  Status s = second.ListenUnix(f.socket_path);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "another process is serving " + f.socket_path);
  second.Stop();
  auto client = UnixClient(f.socket_path);
  CHECK(client.Send(bhttp::verb::get, "/v1/plans/p").result_int() == 200);
}

TEST_CASE("a path that is not a socket is never removed") {
  Fixture f;
  std::ofstream(f.socket_path) << "precious";
  Status s = f.server->ListenUnix(f.socket_path);
  CHECK_FALSE(s.ok());
  CHECK(std::filesystem::is_regular_file(f.socket_path));
}

TEST_CASE("Stop lets an in-flight delayed response finish and closes idle connections") {
  std::promise<void> slow_started;
  Fixture f({}, &slow_started);
  f.ListenBoth();
  unsigned short port = f.server->tcp_port();

  auto idle = UnixClient(f.socket_path);
  CHECK(idle.Send(bhttp::verb::get, "/v1/plans/p").result_int() == 200);
  auto busy = TcpClient(port);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/slow", 11};
  bhttp::write(busy.socket(), req);
  slow_started.get_future().wait();

  f.server->Stop();
  CHECK(idle.ServerClosed());
  CHECK_FALSE(std::filesystem::exists(f.socket_path));
  CHECK(WaitFor([&] {  // the acceptor closes on its strand, soon after Stop returns
    tcp::socket probe(client_io);
    beast::error_code ec;
    probe.connect({net::ip::make_address("127.0.0.1"), port}, ec);
    return ec == net::error::connection_refused;
  }));

  Reply r = busy.Read();
  CHECK(r.result_int() == 200);
  CHECK(BodyOf(r).at("slow") == true);
  CHECK_FALSE(r.keep_alive());
  CHECK(busy.ServerClosed());
  CHECK(WaitFor([&] { return f.server->active_connections() == 0; }));
}

}  // namespace
}  // namespace jopay::http
