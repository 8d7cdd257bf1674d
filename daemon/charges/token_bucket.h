// A token bucket: at most `rate` requests per second on average, bursts of up to `burst`. The
// charge sender keeps one per provider account so that jopayd never sends more than the
// account's rate limit allows (Stripe answers 429 beyond it). Not thread-safe: one owner.
#pragma once

#include <chrono>

namespace jopay {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full. burst >= 1.
  TokenBucket(double rate, double burst, Clock::time_point now = Clock::now());

  // Takes one token when there is one; otherwise returns false and leaves the bucket as it is.
  bool TryTake(Clock::time_point now = Clock::now());
  // How long until a token is there (zero when one is).
  std::chrono::microseconds WaitFor(Clock::time_point now = Clock::now());
  // After a 429: no token for `pause` (the provider asked to slow down).
  void Pause(std::chrono::microseconds pause, Clock::time_point now = Clock::now());

  double rate() const { return rate_; }

 private:
  void Refill(Clock::time_point now);

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace jopay
