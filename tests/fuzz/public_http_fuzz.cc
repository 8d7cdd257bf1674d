// Fuzz target: the HTTP request path of the public face, from the bytes on the socket to the
// answer, for every public route (APIs, hosted pages, providers' callbacks).
//
// The input is what a client sends on one keep-alive connection: up to four pipelined
// requests. Each is framed by a fresh beast::http::request_parser with the server's limits, as
// daemon/http/connection.cc reads it (a framing error is where the connection answers 400, 413
// or 431 and closes; a request cut short is where it waits for more), turned into an
// http::Request, its placeholders replaced (face_fixture.h: valid keys, ids, tokens), and
// served by the face's router over a real store (Face::Serve). Every answer must satisfy
// CheckAnswer: no server error whatever was sent, JSON errors in the documented shape, UTF-8
// bodies, safe headers. Inputs also change the store (sessions created and paid,
// subscriptions canceled): the face starts over on a fresh store every kRunsPerStore inputs.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/http/server.h"
#include "tests/fuzz/face_fixture.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {
namespace {

namespace bhttp = boost::beast::http;
using Parser = bhttp::request_parser<bhttp::string_body>;

// A fresh store this often: state piles up slowly, and each store left behind keeps this
// thread's reader connection open (Store::reader never drops a closed store's readers: about
// 0.8 MB of RSS a store, measured over a 10-minute run that made ~1,000 of them).
constexpr int kRunsPerStore = 20000;
constexpr int kMaxRequests = 4;

// Feeds `in` to the parser as one read would deliver it; returns the bytes used.
size_t Feed(Parser& parser, std::string_view in, boost::beast::error_code& ec) {
  size_t used = 0;
  while (!parser.is_done() && used < in.size()) {
    size_t n = parser.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (n == 0) break;  // the rest is an incomplete part: more bytes would be needed
      continue;
    }
    if (ec) break;
  }
  return used;
}

// The http::Request connection.cc's ToRequest makes, then the placeholders replaced.
http::Request ToRequest(const Face& face, bhttp::request<bhttp::string_body>&& msg) {
  http::Request req;
  req.method = std::string(msg.method_string());
  req.target = face.Substitute(std::string(msg.target()));
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()),
                             face.Substitute(std::string(field.value())));
  }
  req.body = face.Substitute(std::move(msg.body()));
  req.remote_address = "203.0.113.7";
  return req;
}

}  // namespace
}  // namespace jopay::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jopay;
  using namespace jopay::fuzz;
  Face& face = CurrentFace(kRunsPerStore);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const http::ServerOptions limits;  // the limits jopayd's servers read with
  for (int i = 0; i < kMaxRequests && !in.empty(); ++i) {
    Parser parser;  // a fresh parser per request, as the connection makes
    parser.eager(true);
    parser.body_limit(limits.body_limit);
    parser.header_limit(limits.header_limit);
    boost::beast::error_code ec;
    in.remove_prefix(Feed(parser, in, ec));
    if (ec || !parser.is_done()) break;  // answered by the connection itself, or waiting
    bool keep_alive = parser.get().keep_alive();
    http::Request req = ToRequest(face, parser.release());
    http::Response answer = face.Serve(req);
    CheckAnswer(req, answer);
    if (!keep_alive) break;
  }
  return 0;
}
