#include "daemon/store/row_keys.h"

#include <cstdint>

#include "common/ids.h"

namespace jopay {

RowKey NewRowKey(Db& db, const KeyedTable& t) {
  int64_t& next = db.next_key(t.slot);
  if (next == 0) {
    auto& q = db.Cached(t.next_pk_sql);
    q.Step();
    next = q.Int(0);
    q.Reset();
  }
  RowKey key{next++, {}};
  key.id = RowId(t.prefix, key.pk);
  return key;
}

std::optional<int64_t> FindPk(Db& db, const KeyedTable& t, const std::string& id) {
  std::optional<int64_t> spelled = PkOfRowId(id, t.prefix);
  if (!spelled) return std::nullopt;
  auto& q = db.Cached(t.find_pk_sql);
  q.Args(id, *spelled);
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
