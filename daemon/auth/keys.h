// API keys for the public face. A key is shown once at creation and stored only as its
// SHA-256; lookups compare hashes in constant time. `sk_test_`/`sk_live_` keys have full
// access, `rk_test_`/`rk_live_` keys are read-only.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

struct ApiKey {
  std::string id;
  bool livemode = false;
  bool read_only = false;
  std::string prefix;  // "sk_test_"
  std::string last4;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> last_used_at;
  std::optional<UnixSeconds> revoked_at;
};

// Creates a key; `secret` receives the full key (the only time it exists outside the caller).
ApiKey CreateApiKey(Db& db, bool livemode, bool read_only, UnixSeconds now, std::string* secret);
std::vector<ApiKey> ListApiKeys(Db& db, bool livemode);
Status RevokeApiKey(Db& db, const std::string& id, bool livemode, UnixSeconds now, ApiKey* out);
// Stores when the key was last used (the public API calls this at most once a minute per key).
void RecordApiKeyUse(Db& db, const std::string& id, UnixSeconds when);
// The unrevoked key whose secret has this SHA-256 (hex), if any (key_cache.h remembers it).
std::optional<ApiKey> FindApiKeyByHash(Db& db, const std::string& hash);

boost::json::object ApiKeyView(const ApiKey& k);

}  // namespace jopay
