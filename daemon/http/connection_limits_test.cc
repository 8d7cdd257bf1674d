#include "daemon/http/connection_limits.h"

#include <doctest/doctest.h>

namespace jopay::http {
namespace {

TEST_CASE("a client over its cap is refused while others are served, until one closes") {
  ConnectionLimits limits(10, 2);
  CHECK(limits.Admit("10.0.0.1") == Admission::kServe);
  CHECK(limits.Admit("10.0.0.1") == Admission::kServe);
  CHECK(limits.Admit("10.0.0.1") == Admission::kClientFull);
  CHECK(limits.Admit("10.0.0.2") == Admission::kServe);
  CHECK(limits.serving() == 3);
  limits.Release("10.0.0.1", Admission::kClientFull);  // the refused one held no place
  CHECK(limits.serving() == 3);
  limits.Release("10.0.0.1", Admission::kServe);
  CHECK(limits.Admit("10.0.0.1") == Admission::kServe);
}

TEST_CASE("a full server refuses everyone, then serves again when a place frees") {
  ConnectionLimits limits(2, 0);
  CHECK(limits.Admit("a") == Admission::kServe);
  CHECK(limits.Admit("b") == Admission::kServe);
  CHECK(limits.Admit("c") == Admission::kServerFull);
  limits.Release("c", Admission::kServerFull);
  limits.Release("a", Admission::kServe);
  CHECK(limits.Admit("c") == Admission::kServe);
}

TEST_CASE("beyond max_refusing refusals at once, connections are dropped unanswered") {
  ConnectionLimits limits(1, 0, 2);
  CHECK(limits.Admit("a") == Admission::kServe);
  CHECK(limits.Admit("b") == Admission::kServerFull);
  CHECK(limits.Admit("c") == Admission::kServerFull);
  CHECK(limits.Admit("d") == Admission::kDrop);
  limits.Release("d", Admission::kDrop);
  limits.Release("b", Admission::kServerFull);
  CHECK(limits.Admit("e") == Admission::kServerFull);
}

TEST_CASE("peers without an address (Unix sockets) are under the total cap only") {
  ConnectionLimits limits(3, 1);
  CHECK(limits.Admit("") == Admission::kServe);
  CHECK(limits.Admit("") == Admission::kServe);
  CHECK(limits.Admit("") == Admission::kServe);
  CHECK(limits.Admit("") == Admission::kServerFull);
}

TEST_CASE("no caps: everyone is served") {
  ConnectionLimits limits(0, 0);
  for (int i = 0; i < 1000; ++i) REQUIRE(limits.Admit("a") == Admission::kServe);
  CHECK(limits.serving() == 1000);
}

TEST_CASE("clients are counted by IPv4 address and by IPv6 /64") {
  CHECK(ClientKey("192.0.2.7") == "192.0.2.7");
  CHECK(ClientKey("::ffff:192.0.2.7") == "192.0.2.7");
  CHECK(ClientKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(ClientKey("2001:db8:1:2:bbbb::9") == ClientKey("2001:db8:1:2::1"));
  CHECK(ClientKey("2001:db8:1:3::1") != ClientKey("2001:db8:1:2::1"));
  CHECK(ClientKey("") == "");
}

}  // namespace
}  // namespace jopay::http
