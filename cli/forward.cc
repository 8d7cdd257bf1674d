#include "cli/forward.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

namespace jopay::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  bool https = false;
  std::string host, port, target, host_header;
};

Result<Target> Parse(const std::string& url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty()) {
    return Status::Invalid("--forward-to must be an http:// or https:// URL, e.g. "
                           "http://localhost:3000/webhooks", "forward-to");
  }
  Target t;
  t.https = u->scheme() == "https";
  t.host = u->host_type() == boost::urls::host_type::ipv6 ? u->host_ipv6_address().to_string()
                                                          : std::string(u->host());
  t.port = u->has_port() ? std::string(u->port()) : (t.https ? "443" : "80");
  t.target = std::string(u->encoded_path());
  if (t.target.empty()) t.target = "/";
  if (u->has_query()) t.target += "?" + std::string(u->encoded_query());
  t.host_header = std::string(u->encoded_host_and_port());
  return t;
}

template <class Stream>
int Exchange(Stream& stream, const Target& t, const std::string& body,
             const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, t.target, 11};
  req.set(bhttp::field::host, t.host_header);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  bhttp::read(stream, buffer, parser);
  return static_cast<int>(parser.get().result_int());
}

}  // namespace

Status CheckForwardUrl(const std::string& url) { return Parse(url).status(); }

ForwardAnswer PostTo(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  auto t = Parse(url);
  if (!t.ok()) return {0, t.status().message()};
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(t->host, t->port);
    if (!t->https) {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::seconds(15));
      stream.connect(results);
      return {Exchange(stream, *t, body, headers), ""};
    }
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<beast::tcp_stream> stream(io, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), t->host.c_str());
    stream.set_verify_callback(ssl::host_name_verification(t->host));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(stream).connect(results);
    stream.handshake(ssl::stream_base::client);
    return {Exchange(stream, *t, body, headers), ""};
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

}  // namespace jopay::cli
