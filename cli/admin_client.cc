#include "cli/admin_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url.hpp>
#include <sys/un.h>

namespace jopay {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using Local = asio::local::stream_protocol;

namespace {

// Largest answer accepted: a page of 1000 subscriptions fits easily.
constexpr std::uint64_t kMaxResponseBytes = 64 * 1024 * 1024;

std::string Strict(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string UserAgent() { return std::string("jopayctl/") + JOPAY_VERSION; }

}  // namespace

RequestBody RequestBody::Json(const json::value& v) {
  return {"application/json", json::serialize(v)};
}

std::string Target(const std::vector<std::string>& segments, const QueryParams& query) {
  boost::urls::url u;
  u.set_path_absolute(true);
  for (const auto& s : segments) u.segments().push_back(s);
  for (const auto& [k, v] : query) {
    u.encoded_params().append({Strict(k), Strict(v)});
  }
  return std::string(u.buffer());
}

Status StatusFromHttp(int http_status, std::string_view reason, std::string_view body) {
  Status::Kind kind = Status::KindForHttp(http_status);
  if (kind == Status::Kind::kOk) return Status::Ok();
  std::string code = "http_" + std::to_string(http_status);
  std::string message = "jopayd answered " + std::to_string(http_status);
  if (!reason.empty()) message += " " + std::string(reason);
  std::string param;
  json::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* err = nullptr;
  if (!ec && v.is_object()) {
    if (auto* e = v.as_object().if_contains("error"); e && e->is_object()) err = &e->as_object();
  }
  auto str = [&](const char* key, std::string& out) {
    if (!err) return;
    if (auto* f = err->if_contains(key); f && f->is_string()) out = std::string(f->as_string());
  };
  str("code", code);
  str("message", message);
  str("param", param);
  return Status::Make(kind, code, message, param);
}

struct AdminClient::Connection {
  asio::io_context io;
  Local::socket socket{io};
  beast::flat_buffer buffer;
};

AdminClient::AdminClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}
AdminClient::~AdminClient() = default;

Status AdminClient::Connect() {
  conn_ = std::make_unique<Connection>();
  boost::system::error_code ec;
  if (socket_path_.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::Unavailable("socket path is too long: " + socket_path_);
  }
  conn_->socket.connect(Local::endpoint(socket_path_), ec);
  if (!ec) return Status::Ok();
  conn_.reset();
  std::string why = "cannot reach jopayd at " + socket_path_ + ": " + ec.message();
  if (ec == boost::system::errc::permission_denied) {
    return Status::Make(Status::Kind::kForbidden, "socket_permission_denied",
                        why + " (check the socket's owner, group and mode)");
  }
  return Status::Unavailable(why + " (is it running?)");
}

namespace {

struct Exchange {
  boost::system::error_code ec;
  bool got_bytes = false;  // whether any part of an answer arrived
  http::response<http::string_body> response;
};

Exchange RoundTrip(Local::socket& socket, beast::flat_buffer& buffer,
                   const http::request<http::string_body>& request) {
  Exchange x;
  http::write(socket, request, x.ec);
  if (x.ec) return x;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  http::read(socket, buffer, parser, x.ec);
  x.got_bytes = parser.got_some();
  if (!x.ec) x.response = parser.release();
  return x;
}

http::request<http::string_body> MakeRequest(std::string_view method, std::string_view target,
                                              const RequestBody& body, bool live) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "jopayd");
  req.set(http::field::user_agent, UserAgent());
  req.set(http::field::accept, "application/json");
  if (live) req.set("JoPay-Mode", "live");
  if (!body.content_type.empty()) {
    req.set(http::field::content_type, body.content_type);
    req.body() = body.bytes;
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

Result<json::value> ParseAnswer(const http::response<http::string_body>& res) {
  int code = static_cast<int>(res.result_int());
  Status st = StatusFromHttp(code, res.reason(), res.body());
  if (!st.ok()) return st;
  if (res.body().empty()) return json::value(nullptr);
  // A file (an invoice's PDF): its bytes, as they came, for the caller to write out.
  if (res[http::field::content_type] == "application/pdf") return json::value(res.body());
  json::error_code ec;
  json::value v = json::parse(res.body(), ec);
  if (ec) return Status::Internal("jopayd sent an answer that is not JSON: " + ec.message());
  return v;
}

}  // namespace

Result<json::value> AdminClient::Call(std::string_view method, std::string_view target,
                                      const RequestBody& body, bool live) {
  const auto request = MakeRequest(method, target, body, live);
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = conn_ != nullptr;
    if (!conn_) JOPAY_RETURN_IF_ERROR(Connect());
    Exchange x = RoundTrip(conn_->socket, conn_->buffer, request);
    if (x.ec) {
      conn_.reset();
      // A kept connection the daemon closed while idle: retry once, fresh.
      if (reused && !x.got_bytes) continue;
      return Status::Unavailable("lost the connection to jopayd at " + socket_path_ + ": " +
                                 x.ec.message());
    }
    if (!x.response.keep_alive()) conn_.reset();
    return ParseAnswer(x.response);
  }
  return Status::Unavailable("lost the connection to jopayd at " + socket_path_);
}

}  // namespace jopay
