// Where an outgoing request may point (a webhook endpoint; a provider's API), and the rules
// that differ between test and live mode.
//
// Test mode (development): http or https, any host, 127.0.0.1 included. Live mode: https
// only, and never a host that resolves to a loopback, private, link-local or otherwise
// internal address (so an endpoint cannot be aimed at the operator's own network), unless the
// operator allows it (jopayd --webhooks-allow-private). Resolution is checked when an endpoint
// is added and again on every new connection (a name can change what it points at).
#pragma once

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jopay::http {

struct OutgoingUrl {
  bool https = false;
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" / "80" when the URL has none
  std::string target;  // path and query, at least "/"
  std::string host_header;  // host[:port] as the Host header shows it
};

// Parses an absolute http(s) URL without user info or fragment (Boost.URL).
Result<OutgoingUrl> ParseOutgoingUrl(std::string_view url);

// Mode rules that need no network: live mode wants https.
Status CheckScheme(const OutgoingUrl& url, bool live);

// Loopback, private (RFC 1918, fc00::/7), link-local, CGNAT, unspecified, multicast, and the
// IPv4-mapped forms of those.
bool IsInternalAddress(const boost::asio::ip::address& a);

// Live mode without allow_private: fails if any of `addresses` is internal.
Status CheckAddresses(const std::vector<boost::asio::ip::address>& addresses, bool live,
                      bool allow_private, std::string_view host);

// Resolves the host now (blocking) and applies CheckAddresses. Test mode skips it.
Status CheckResolvesOutside(const OutgoingUrl& url, bool live, bool allow_private);

}  // namespace jopay::http
