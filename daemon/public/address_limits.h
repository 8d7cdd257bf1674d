// Per-address rate limits for the anonymous routes that write (POST /public/subscribe): a
// token bucket per client IP address, so one address cannot fill the store with customers and
// subscriptions. Time is the machine's steady clock, never the billing clock: a limit is a
// defence, not business time.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace jopay::pub {

class AddressLimits {
 public:
  using Clock = std::chrono::steady_clock;

  // `per_minute` requests a minute per address, in bursts of up to that many; 0 = no limit.
  explicit AddressLimits(int per_minute) : per_minute_(per_minute) {}

  // Takes one request's token for `address`. False when the bucket is empty; then
  // *retry_after is the whole seconds until the next token. Thread-safe.
  bool Allow(const std::string& address, Clock::time_point now, int* retry_after);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  void Prune(Clock::time_point now);  // forgets full buckets when many addresses are known

  const int per_minute_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace jopay::pub
