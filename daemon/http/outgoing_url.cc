#include "daemon/http/outgoing_url.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/url/parse.hpp>
#include <fmt/core.h>

namespace jopay::http {

namespace ip = boost::asio::ip;

Result<OutgoingUrl> ParseOutgoingUrl(std::string_view text) {
  auto bad = [&](std::string why) {
    return Status::Invalid(fmt::format("url '{}' {}", text, why), "url");
  };
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return bad("is not an absolute URL (like https://example.com/hooks)");
  const auto& u = *parsed;
  std::string scheme = u.scheme();
  if (scheme != "http" && scheme != "https") return bad("must start with http:// or https://");
  if (u.has_userinfo()) return bad("must not carry a user name or password");
  if (u.host().empty()) return bad("has no host");
  OutgoingUrl out;
  out.https = scheme == "https";
  if (u.host_type() == boost::urls::host_type::ipv6) {
    out.host = u.host_ipv6_address().to_string();
  } else {
    out.host = u.host();  // decoded
  }
  if (u.has_port()) {
    if (u.port_number() == 0) return bad("has an invalid port");
    out.port = std::to_string(u.port_number());
  } else {
    out.port = out.https ? "443" : "80";
  }
  out.host_header = std::string(u.encoded_host_and_port());
  out.target = std::string(u.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
  return out;
}

Status CheckScheme(const OutgoingUrl& url, bool live) {
  if (live && !url.https) {
    return Status::Invalid("live-mode endpoints must use https:// (http is for test mode)", "url");
  }
  return Status::Ok();
}

namespace {

bool InternalV4(const ip::address_v4& a) {
  uint32_t n = a.to_uint();
  auto in = [n](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (n & mask) == net;
  };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x7F000000, 8) || in(0x64400000, 10) ||
         in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0xC0000000, 24) ||
         in(0xC6120000, 15) || in(0xE0000000, 4) || in(0xF0000000, 4);
}

}  // namespace

bool IsInternalAddress(const ip::address& a) {
  if (a.is_v4()) return InternalV4(a.to_v4());
  const ip::address_v6 v6 = a.to_v6();
  if (v6.is_v4_mapped()) return InternalV4(ip::make_address_v4(ip::v4_mapped, v6));
  auto b = v6.to_bytes();
  bool unique_local = (b[0] & 0xFE) == 0xFC;  // fc00::/7
  return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_site_local() ||
         v6.is_multicast() || unique_local;
}

Status CheckAddresses(const std::vector<ip::address>& addresses, bool live, bool allow_private,
                      std::string_view host) {
  if (!live || allow_private) return Status::Ok();
  for (const auto& a : addresses) {
    if (IsInternalAddress(a)) {
      return Status::Invalid(
          fmt::format("live-mode endpoint host {} resolves to the internal address {}; set "
                      "webhooks_allow_private in jopayd's config to allow it",
                      host, a.to_string()),
          "url");
    }
  }
  return Status::Ok();
}

Status CheckResolvesOutside(const OutgoingUrl& url, bool live, bool allow_private) {
  if (!live || allow_private) return Status::Ok();
  boost::asio::io_context io;
  ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    return Status::Invalid(fmt::format("cannot resolve {}: {}", url.host, ec.message()), "url");
  }
  std::vector<ip::address> addresses;
  for (const auto& r : results) addresses.push_back(r.endpoint().address());
  return CheckAddresses(addresses, live, allow_private, url.host);
}

}  // namespace jopay::http
