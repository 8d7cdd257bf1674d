#include "daemon/charges/token_bucket.h"

#include <doctest/doctest.h>

namespace jopay {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("a token bucket allows its burst at once, then its rate and no more") {
  auto t0 = TokenBucket::Clock::time_point();
  TokenBucket bucket(100, 100, t0);
  int taken = 0;
  while (bucket.TryTake(t0)) ++taken;
  CHECK(taken == 100);
  CHECK(bucket.WaitFor(t0) == microseconds(10000));  // one token every 10 ms
  // Over the next ten seconds, at most 100 a second.
  int later = 0;
  for (auto t = t0; t < t0 + seconds(10); t += microseconds(500)) later += bucket.TryTake(t);
  CHECK(later >= 999);
  CHECK(later <= 1000);
}

TEST_CASE("a token bucket never holds more than its burst after idling") {
  auto t0 = TokenBucket::Clock::time_point();
  TokenBucket bucket(10, 5, t0);
  auto t1 = t0 + seconds(60);
  int taken = 0;
  while (bucket.TryTake(t1)) ++taken;
  CHECK(taken == 5);
}

TEST_CASE("Pause holds every token back for the pause asked for") {
  auto t0 = TokenBucket::Clock::time_point();
  TokenBucket bucket(50, 50, t0);
  bucket.Pause(seconds(2), t0);
  CHECK_FALSE(bucket.TryTake(t0 + milliseconds(1990)));
  CHECK(bucket.TryTake(t0 + milliseconds(2030)));
}

}  // namespace jopay
