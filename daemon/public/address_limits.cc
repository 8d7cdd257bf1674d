#include "daemon/public/address_limits.h"

#include <algorithm>
#include <cmath>

namespace jopay::pub {

namespace {
constexpr size_t kPruneAbove = 10000;  // addresses remembered before full buckets are dropped
}

bool AddressLimits::Allow(const std::string& address, Clock::time_point now, int* retry_after) {
  if (per_minute_ <= 0) return true;
  const double capacity = per_minute_;
  const double per_second = per_minute_ / 60.0;
  std::lock_guard lock(mu_);
  if (buckets_.size() > kPruneAbove) Prune(now);
  auto [it, fresh] = buckets_.try_emplace(address, Bucket{capacity, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(capacity, b.tokens + elapsed * per_second);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / per_second)));
  return false;
}

void AddressLimits::Prune(Clock::time_point now) {
  const double per_second = per_minute_ / 60.0;
  std::erase_if(buckets_, [&](const auto& entry) {
    double elapsed = std::chrono::duration<double>(now - entry.second.at).count();
    return entry.second.tokens + elapsed * per_second >= per_minute_;
  });
}

}  // namespace jopay::pub
