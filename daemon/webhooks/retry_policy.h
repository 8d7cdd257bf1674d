// When a failed delivery is tried again, and when an endpoint is given up on.
//
// Attempts: at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h (about
// 3 days and 3 hours in all), each delay stretched by a random 0..10 % so that many deliveries
// failing together do not all come back in the same second. After the 10th failure the
// delivery is failed. 429 and 503 answers with a Retry-After header are tried again when the
// receiver asked (at least 1 s, at most 24 h later), instead of the schedule's next delay.
// An endpoint whose every attempt has failed for 5 days is disabled.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/time.h"

namespace jopay::webhooks {

constexpr int kMaxAttempts = 10;
constexpr int64_t kDisableAfterFailingSeconds = 5 * 86400;
constexpr int64_t kMaxRetryAfterSeconds = 86400;

// The delay after `attempts_made` (1..kMaxAttempts-1) failed attempts; nullopt when no attempt
// is left. `jitter` in [0, 1) picks the stretch (0 = none, the schedule's exact delay).
std::optional<int64_t> RetryDelay(int attempts_made, double jitter);

// Retry-After as delta-seconds or an HTTP-date, as seconds from `now`, clamped to
// [1, kMaxRetryAfterSeconds]; nullopt when absent or unreadable.
std::optional<int64_t> ParseRetryAfter(std::string_view value, UnixSeconds now);

// What an answer means for the delivery.
enum class Outcome { kDelivered, kGone, kRetry };
Outcome Classify(int http_status);

}  // namespace jopay::webhooks
