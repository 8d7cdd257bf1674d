#include "daemon/webhooks/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace jopay::webhooks {

namespace {
constexpr int64_t kDelays[] = {5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600,
                               10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600};
static_assert(std::size(kDelays) == kMaxAttempts - 1);
}  // namespace

std::optional<int64_t> RetryDelay(int attempts_made, double jitter) {
  if (attempts_made < 1 || attempts_made >= kMaxAttempts) return std::nullopt;
  int64_t base = kDelays[attempts_made - 1];
  jitter = std::clamp(jitter, 0.0, 0.999999);
  return base + static_cast<int64_t>(static_cast<double>(base) * 0.1 * jitter);
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, UnixSeconds now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
  } else {
    // An IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    std::tm tm{};
    std::string text(value);
    const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!rest || *rest != '\0') return std::nullopt;
    seconds = static_cast<int64_t>(timegm(&tm)) - now;
  }
  return std::clamp<int64_t>(seconds, 1, kMaxRetryAfterSeconds);
}

Outcome Classify(int http_status) {
  if (http_status >= 200 && http_status < 300) return Outcome::kDelivered;
  if (http_status == 410) return Outcome::kGone;
  return Outcome::kRetry;
}

}  // namespace jopay::webhooks
