#include "daemon/auth/key_cache.h"

#include "common/crypto.h"

namespace jopay {

std::optional<ApiKey> ApiKeyCache::Find(Db& reader, const std::string& secret) {
  std::string hash = Sha256Hex(secret);
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    auto it = by_hash_.find(hash);
    if (it != by_hash_.end()) return it->second;
    generation = generation_;
  }
  std::optional<ApiKey> key = FindApiKeyByHash(reader, hash);
  if (key) {
    std::lock_guard lock(mu_);
    if (generation == generation_) by_hash_.emplace(hash, *key);
  }
  return key;
}

bool ApiKeyCache::ShouldRecordUse(const std::string& id, UnixSeconds now) {
  std::lock_guard lock(mu_);
  auto [it, first] = use_recorded_at_.try_emplace(id, now);
  if (first) return true;
  if (now >= it->second && now - it->second < kUseRecordSeconds) return false;
  it->second = now;
  return true;
}

void ApiKeyCache::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  by_hash_.clear();
}

}  // namespace jopay
