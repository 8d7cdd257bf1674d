#include "daemon/charges/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace jopay {

TokenBucket::TokenBucket(double rate, double burst, Clock::time_point now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(Clock::time_point now) {
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::chrono::microseconds TokenBucket::WaitFor(Clock::time_point now) {
  Refill(now);
  if (tokens_ >= 1.0) return std::chrono::microseconds(0);
  double seconds = (1.0 - tokens_) / rate_;
  return std::chrono::microseconds(static_cast<int64_t>(std::ceil(seconds * 1e6)));
}

void TokenBucket::Pause(std::chrono::microseconds pause, Clock::time_point now) {
  Refill(now);
  // Debt: the tokens that `pause` worth of refilling will pay back before one is there.
  tokens_ = std::min(tokens_, 0.0) - std::chrono::duration<double>(pause).count() * rate_;
}

}  // namespace jopay
