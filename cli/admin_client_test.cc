#include "cli/admin_client.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <thread>
#include <unistd.h>

namespace jopay {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Local = asio::local::stream_protocol;

TEST_CASE("admin client: targets are percent-encoded, '+' included") {
  CHECK(Target({"v1", "plans"}) == "/v1/plans");
  CHECK(Target({"v1", "customers", "a b/c@x.io"}) == "/v1/customers/a%20b%2Fc@x.io");
  CHECK(Target({"v1", "subscriptions"}, {{"email", "a+b@x.io"}, {"status", "past_due"}}) ==
        "/v1/subscriptions?email=a%2Bb%40x.io&status=past_due");
  CHECK(Target({"v1", "events"}, {{"type", "a&b=c d"}}) == "/v1/events?type=a%26b%3Dc%20d");
}

TEST_CASE("admin client: an error body gives code, message and param; kind from the status") {
  Status st = StatusFromHttp(409, "Conflict", R"({"error": {"code": "invalid_state",
      "message": "already canceled", "param": null}})");
  CHECK(st.kind() == Status::Kind::kConflict);
  CHECK(st.code() == "invalid_state");
  CHECK(st.message() == "already canceled");
  CHECK(st.param().empty());
  Status p = StatusFromHttp(400, "", R"({"error": {"code": "parameter_invalid",
      "message": "bad", "param": "amount"}})");
  CHECK(p.param() == "amount");
  Status bare = StatusFromHttp(502, "Bad Gateway", "<html>");
  CHECK(bare.kind() == Status::Kind::kInternal);
  CHECK(bare.message() == "jopayd answered 502 Bad Gateway");
  CHECK(StatusFromHttp(200, "OK", "{}").ok());
}

TEST_CASE("admin client: a missing socket is Unavailable with a helpful message") {
  AdminClient client("/nonexistent/dir/jopayd.sock");
  auto r = client.Call("GET", "/v1/status");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().kind() == Status::Kind::kUnavailable);
  CHECK(r.status().message() ==
        "cannot reach jopayd at /nonexistent/dir/jopayd.sock: No such file or directory "
        "(is it running?)");
}

// A one-connection server: answers each request with the handler's response.
struct TinyServer {
  std::string path;
  asio::io_context io;
  Local::acceptor acceptor;
  std::thread thread;
  int connections = 0;
  std::vector<http::request<http::string_body>> requests;

  explicit TinyServer(int answers)
      : path((std::filesystem::temp_directory_path() /
              ("jopay_ac_test_" + std::to_string(getpid()) + ".sock")).string()),
        acceptor(io) {
    std::filesystem::remove(path);
    acceptor.open();
    acceptor.bind(Local::endpoint(path));
    acceptor.listen();
    thread = std::thread([this, answers] { Serve(answers); });
  }
  ~TinyServer() {
    thread.join();
    std::filesystem::remove(path);
  }
  void Serve(int answers) {
    Local::socket s(io);
    acceptor.accept(s);
    ++connections;
    boost::beast::flat_buffer buf;
    for (int i = 0; i < answers; ++i) {
      http::request<http::string_body> req;
      http::read(s, buf, req);
      requests.push_back(req);
      http::response<http::string_body> res;
      res.version(11);
      res.keep_alive(true);
      res.set(http::field::content_type, "application/json");
      if (req.target() == "/v1/missing") {
        res.result(404);
        res.body() = R"({"error": {"code": "resource_missing", "message": "no such plan",
                        "param": "id"}})";
      } else {
        res.result(200);
        res.body() = R"({"ok": true})";
      }
      res.prepare_payload();
      http::write(s, res);
    }
  }
};

TEST_CASE("admin client: one connection serves several calls; live mode sends the header") {
  TinyServer server(3);
  AdminClient client(server.path);
  auto a = client.Call("GET", "/v1/status");
  REQUIRE(a.ok());
  CHECK(*a == boost::json::parse(R"({"ok": true})"));
  auto b = client.Call("POST", "/v1/imports/imp_1/lines?first_line=1",
                       RequestBody::Ndjson("{}\n{}\n"), true);
  CHECK(b.ok());
  auto c = client.Call("GET", "/v1/missing");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().kind() == Status::Kind::kNotFound);
  CHECK(c.status().message() == "no such plan");
  CHECK(c.status().param() == "id");

  CHECK(server.connections == 1);
  REQUIRE(server.requests.size() == 3);
  CHECK(server.requests[0].find("JoPay-Mode") == server.requests[0].end());
  CHECK(server.requests[1]["JoPay-Mode"] == "live");
  CHECK(server.requests[1][http::field::content_type] == "application/x-ndjson");
  CHECK(server.requests[1].body() == "{}\n{}\n");
  CHECK(server.requests[1].method() == http::verb::post);
}

}  // namespace jopay
