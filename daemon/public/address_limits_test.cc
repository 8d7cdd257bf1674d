#include "daemon/public/address_limits.h"

#include <doctest/doctest.h>

namespace jopay::pub {

TEST_CASE("AddressLimits: a burst of per_minute, then one request per refill, per address") {
  AddressLimits limits(6);  // 6 a minute: one token every 10 s
  auto t0 = AddressLimits::Clock::time_point() + std::chrono::hours(1);
  int retry = 0;
  for (int i = 0; i < 6; ++i) CHECK(limits.Allow("10.0.0.1", t0, &retry));
  CHECK_FALSE(limits.Allow("10.0.0.1", t0, &retry));
  CHECK(retry == 10);
  CHECK(limits.Allow("10.0.0.2", t0, &retry));  // another address has its own bucket
  CHECK_FALSE(limits.Allow("10.0.0.1", t0 + std::chrono::seconds(9), &retry));
  CHECK(retry == 1);
  CHECK(limits.Allow("10.0.0.1", t0 + std::chrono::seconds(10), &retry));
  CHECK_FALSE(limits.Allow("10.0.0.1", t0 + std::chrono::seconds(10), &retry));
}

TEST_CASE("AddressLimits: 0 means no limit") {
  AddressLimits limits(0);
  int retry = 0;
  for (int i = 0; i < 1000; ++i) CHECK(limits.Allow("10.0.0.1", {}, &retry));
}

}  // namespace jopay::pub
