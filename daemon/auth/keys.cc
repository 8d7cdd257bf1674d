#include "daemon/auth/keys.h"

#include <fmt/core.h>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/json_fields.h"

namespace jopay {

namespace json = boost::json;

namespace {
constexpr const char* kColumns =
    "id, livemode, read_only, prefix, last4, created_at, last_used_at, revoked_at, secret_hash";

ApiKey Read(const Stmt& q) {
  return {q.Text(0), q.Int(1) != 0, q.Int(2) != 0, q.Text(3),
          q.Text(4), q.Int(5),      q.OptInt(6),   q.OptInt(7)};
}

}  // namespace

ApiKey CreateApiKey(Db& db, bool livemode, bool read_only, UnixSeconds now, std::string* secret) {
  ApiKey k;
  k.id = NewId("key_");
  k.livemode = livemode;
  k.read_only = read_only;
  k.prefix = fmt::format("{}_{}_", read_only ? "rk" : "sk", livemode ? "live" : "test");
  *secret = k.prefix + RandomBase62(32);
  k.last4 = secret->substr(secret->size() - 4);
  k.created_at = now;
  db.Cached("INSERT INTO api_keys (id, livemode, read_only, secret_hash, prefix, last4, "
            "created_at) VALUES (?,?,?,?,?,?,?)")
      .Args(k.id, int64_t{livemode}, int64_t{read_only}, Sha256Hex(*secret), k.prefix, k.last4,
            now)
      .Exec();
  return k;
}

std::vector<ApiKey> ListApiKeys(Db& db, bool livemode) {
  auto& q = db.Cached(
      fmt::format("SELECT {} FROM api_keys WHERE livemode=? ORDER BY rowid DESC", kColumns));
  q.Args(int64_t{livemode});
  std::vector<ApiKey> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

Status RevokeApiKey(Db& db, const std::string& id, bool livemode, UnixSeconds now, ApiKey* out) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM api_keys WHERE id=? AND livemode=?", kColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such API key: {}", id), "id");
  ApiKey k = Read(q);
  q.Reset();
  if (k.revoked_at) return Status::Conflict("The API key is already revoked.", "already_revoked");
  db.Cached("UPDATE api_keys SET revoked_at=? WHERE id=?").Args(now, id).Exec();
  k.revoked_at = now;
  *out = k;
  return Status::Ok();
}

void RecordApiKeyUse(Db& db, const std::string& id, UnixSeconds when) {
  db.Cached("UPDATE api_keys SET last_used_at=? WHERE id=?").Args(when, id).Exec();
}

std::optional<ApiKey> FindApiKeyByHash(Db& db, const std::string& hash) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM api_keys WHERE secret_hash=? AND revoked_at IS NULL", kColumns));
  q.Args(hash);
  std::optional<ApiKey> found;
  // The index finds the row by hash; the compare below is the constant-time check.
  if (q.Step() && ConstantTimeEquals(q.Text(8), hash)) found = Read(q);
  q.Reset();
  return found;
}

json::object ApiKeyView(const ApiKey& k) {
  return {{"id", k.id},
          {"object", "api_key"},
          {"livemode", k.livemode},
          {"read_only", k.read_only},
          {"prefix", k.prefix},
          {"last4", k.last4},
          {"created_at", FormatRfc3339(k.created_at)},
          {"last_used_at", TimeOrNull(k.last_used_at)},
          {"revoked_at", TimeOrNull(k.revoked_at)}};
}

}  // namespace jopay
