#include "daemon/store/row_keys.h"

#include <cstdint>

#include "common/ids.h"

namespace jopay {

namespace {
// The store's cipher (migration 8 made its key), read once per connection.
const RowIdCipher& CipherOf(Db& db) {
  std::optional<RowIdCipher>& cipher = db.row_id_cipher();
  if (!cipher) {
    auto& q = db.Cached("SELECT value FROM meta WHERE key = 'row_id_key'");
    if (!q.Step()) throw DbError(SQLITE_ERROR, "the store has no row id key (meta 'row_id_key')");
    cipher.emplace(q.Text(0));
    q.Reset();
  }
  return *cipher;
}
}  // namespace

RowKey NewRowKey(Db& db, const KeyedTable& t) {
  int64_t& next = db.next_key(t.slot);
  if (next == 0) {
    auto& q = db.Cached(t.next_pk_sql);
    q.Step();
    next = q.Int(0);
    q.Reset();
  }
  RowKey key{next++, {}};
  key.id = RowId(t.prefix, CipherOf(db).Encrypt(key.pk));
  return key;
}

std::optional<int64_t> FindPk(Db& db, const KeyedTable& t, const std::string& id) {
  std::optional<int64_t> spelled = RowIdNumber(id, t.prefix);
  if (!spelled) return std::nullopt;
  auto& q = db.Cached(t.find_pk_sql);
  q.Args(id, CipherOf(db).Decrypt(*spelled));
  std::optional<int64_t> pk;
  if (q.Step()) pk = q.Int(0);
  q.Reset();
  return pk;
}

int64_t PageBelow(Db& db, const KeyedTable& t, const std::string& starting_after) {
  if (starting_after.empty()) return INT64_MAX;
  return FindPk(db, t, starting_after).value_or(0);
}

}  // namespace jopay
