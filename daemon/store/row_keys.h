// Payments and events are found by the primary key their ids spell (schema.sql, migration 6;
// common/ids.h RowId), not through an index on the id text: one b-tree insert fewer per row
// on the renewal path. The key is spelled enciphered (row_id_cipher.h, migration 8), so ids do
// not count rows. These helpers give a new row its key and id, and find a row's key from an
// id, including the ids rows had before migration 8 (the legacy_ids table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/store/db.h"

namespace jopay {

// A table whose rows are keyed this way, with the SQL that serves it.
struct KeyedTable {
  size_t slot;              // in Db::next_key
  std::string_view prefix;  // of its ids, e.g. "pay_"
  const char* next_pk_sql;  // the next free key
  const char* find_pk_sql;  // ?1 id, ?2 the key it spells -> the key of the row with that id
};

// Each table's own spec lives with the code that owns the table (events: events/outbox.cc).
inline constexpr KeyedTable kPaymentsTable{
    0, "pay_", "SELECT IFNULL(MAX(pk), 0) + 1 FROM payments",
    "SELECT pk FROM payments WHERE pk = IFNULL((SELECT pk FROM legacy_ids WHERE id = ?1), ?2) "
    "AND id = ?1"};

struct RowKey {
  int64_t pk = 0;
  std::string id;
};

// The key the next row of `t` takes and a fresh id spelling it. Writer only, inside the job
// that inserts the row. The first call on a connection reads the largest key; later ones count
// on from it in memory (a query per row was ~4% of a renewal). That is sound because this is
// the one connection that inserts into these tables, and only through this function; a
// rolled-back insert leaves a gap in the keys, never a key used twice.
RowKey NewRowKey(Db& db, const KeyedTable& t);

// The key of the row of `t` whose id is `id`; nullopt when there is none (or `id` is not even
// of the table's id shape). Two index lookups at most: legacy_ids, then the key.
std::optional<int64_t> FindPk(Db& db, const KeyedTable& t, const std::string& id);

// For a newest-first page of `t` that starts after the row `starting_after` names: rows with
// a key below the returned one belong to it. "" = from the newest row; an id no row has
// leaves nothing (0).
int64_t PageBelow(Db& db, const KeyedTable& t, const std::string& starting_after);

}  // namespace jopay
