#include "daemon/http/outgoing_url.h"

#include <doctest/doctest.h>

namespace jopay::http {
namespace {

namespace ip = boost::asio::ip;

TEST_CASE("ParseOutgoingUrl takes http(s) URLs and fills port, target and Host") {
  auto u = ParseOutgoingUrl("https://hooks.example.com/in?x=1");
  REQUIRE(u.ok());
  CHECK(u->https);
  CHECK(u->host == "hooks.example.com");
  CHECK(u->port == "443");
  CHECK(u->target == "/in?x=1");
  CHECK(u->host_header == "hooks.example.com");
  auto v = ParseOutgoingUrl("http://127.0.0.1:8080");
  REQUIRE(v.ok());
  CHECK((v->port == "8080" && v->target == "/" && v->host_header == "127.0.0.1:8080"));
  auto six = ParseOutgoingUrl("https://[::1]:9443/h");
  REQUIRE(six.ok());
  CHECK(six->host == "::1");
  for (const char* bad : {"", "hooks.example.com/x", "ftp://x/y", "https://user:pw@x/y",
                          "http:///nohost", "https://x:0/"}) {
    CAPTURE(bad);
    auto r = ParseOutgoingUrl(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().param() == "url");
  }
}

TEST_CASE("Live mode wants https; test mode takes http") {
  auto http = *ParseOutgoingUrl("http://127.0.0.1/");
  CHECK(CheckScheme(http, false).ok());
  CHECK_FALSE(CheckScheme(http, true).ok());
  CHECK(CheckScheme(*ParseOutgoingUrl("https://x.example/"), true).ok());
}

TEST_CASE("IsInternalAddress: loopback, private, link-local, CGNAT, mapped; not public") {
  for (const char* a : {"127.0.0.1", "10.2.3.4", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                        "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::",
                        "fe80::1", "fc00::1", "fd12::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    CAPTURE(a);
    CHECK(IsInternalAddress(ip::make_address(a)));
  }
  for (const char* a : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1", "1.1.1.1",
                        "2606:4700::1111", "::ffff:8.8.8.8"}) {
    CAPTURE(a);
    CHECK_FALSE(IsInternalAddress(ip::make_address(a)));
  }
}

TEST_CASE("CheckAddresses refuses internal addresses in live mode unless allowed") {
  std::vector<ip::address> mixed{ip::make_address("8.8.8.8"), ip::make_address("10.0.0.1")};
  CHECK(CheckAddresses(mixed, false, false, "h").ok());  // test mode
  CHECK(CheckAddresses(mixed, true, true, "h").ok());    // allowed by the operator
  Status st = CheckAddresses(mixed, true, false, "h");
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("10.0.0.1") != std::string::npos);
  CHECK(CheckAddresses({ip::make_address("8.8.8.8")}, true, false, "h").ok());
}

}  // namespace
}  // namespace jopay::http
