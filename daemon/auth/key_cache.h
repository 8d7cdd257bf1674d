// The public API's key lookups, remembered: every request authenticates, and reading the
// key from the store each time cost a read transaction per request (measured ~5% of
// jopayd's CPU per checkout session). Only keys that exist are remembered (an unknown secret
// is looked up each time, so guessing cannot grow the cache), by their SHA-256, never the
// secret.
//
// Contract: whoever commits a change to a key (revoke) calls Invalidate() after the commit.
// A lookup that read the store before that Invalidate() does not fill the cache (the
// generation moved), so a revoked key is refused from the moment Invalidate() returns.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/auth/keys.h"
#include "daemon/store/db.h"

namespace jopay {

class ApiKeyCache {
 public:
  // The unrevoked key with this secret (FindApiKeyByHash of its SHA-256), from memory when it
  // was seen since the last Invalidate().
  std::optional<ApiKey> Find(Db& reader, const std::string& secret);
  // Forgets every key; call after committing any change to api_keys.
  void Invalidate();
  // True when key `id`, used at `now`, has not had its use recorded for kUseRecordSeconds:
  // last_used_at is kept to the minute, so a busy key costs one write a minute, not one a
  // request. The caller then stores `now` as its last_used_at.
  bool ShouldRecordUse(const std::string& id, UnixSeconds now);
  static constexpr UnixSeconds kUseRecordSeconds = 60;

 private:
  std::mutex mu_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, ApiKey> by_hash_;
  std::unordered_map<std::string, UnixSeconds> use_recorded_at_;  // by key id
};

}  // namespace jopay
