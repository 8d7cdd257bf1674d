#include "daemon/store/row_keys.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>
#include <string>

#include "common/ids.h"
#include "daemon/store/store.h"
#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::TempDir;

using testing::Count;

// The events table's spec, as its owner (events/outbox.cc) has it: these tests are of the keys
// and of migration 6, which the events table went through.
constexpr KeyedTable kEventsTable{
    1, "evt_", "SELECT IFNULL(MAX(pk), 0) + 1 FROM events",
    "SELECT pk FROM events WHERE pk = IFNULL((SELECT pk FROM legacy_ids WHERE id = ?1), ?2) "
    "AND id = ?1"};

std::string SchemaBefore(int n) {
  std::string all(kSchemaSql);
  return all.substr(0, all.find("-- migration " + std::to_string(n) + "\n"));
}

// A store at schema version 5 holding a payment, an event and a delivery of it, with the
// time-based ids rows had then.
const std::string kOldPayment = "pay_0VgZ1Abcdefghij012345678";
const std::string kOldEvent = "evt_0VgZ1Abcdefghij012345678";

void FillVersion5(Db& db) {
  REQUIRE(Migrate(db, SchemaBefore(6)).ok());
  db.Exec(
      "INSERT INTO customers (id, livemode, email, name, created_at) VALUES "
      "('cus_1', 0, 'a@example.com', '', 0);"
      "INSERT INTO payments (id, livemode, customer_id, provider, amount, currency, status, "
      "idempotency_key, created_at) VALUES ('" + kOldPayment + "', 0, 'cus_1', 'sandbox', 500, "
      "'eur', 'paid', 'k1', 0);"
      "INSERT INTO events (id, livemode, type, object_id, sequence, data, created_at) VALUES "
      "('evt_0VgZ1Aotherxxxxxxxxxxxxx', 0, 'x', 'sub_1', 1, '{}', 0), "
      "('" + kOldEvent + "', 0, 'subscription.renewed', 'sub_1', 2, '{}', 0);"
      "INSERT INTO webhook_endpoints (id, livemode, url, secret, status, created_at, updated_at) "
      "VALUES ('we_1', 0, 'http://127.0.0.1:1/', 'whsec_1', 'enabled', 0, 0);"
      "INSERT INTO webhook_deliveries (livemode, event_id, endpoint_id, status, created_at) "
      "VALUES (0, '" + kOldEvent + "', 'we_1', 'pending', 0);");
}

}  // namespace

TEST_CASE("migration 6 keeps every row's key and id, and old ids are still found") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  FillVersion5(db);
  REQUIRE(Migrate(db, SchemaBefore(7)).ok());  // migration 6 alone (7 adds indexes of its own)

  CHECK(Count(db, "SELECT pk FROM legacy_ids WHERE id = '" + kOldPayment + "'") == 1);
  CHECK(Count(db, "SELECT pk FROM legacy_ids WHERE id = '" + kOldEvent + "'") == 2);
  CHECK(Count(db, "SELECT event_pk FROM webhook_deliveries") == 2);
  CHECK(Count(db, "SELECT count(*) FROM events WHERE pk = 2 AND sequence = 2") == 1);
  // The id text indexes and the one-paid index are gone; the attempt key is not.
  CHECK(Count(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                  "tbl_name IN ('payments', 'events')") == 2);
  CHECK(Count(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                  "'payments_one_paid_per_period'") == 0);
  Stmt check(db.raw(), "PRAGMA integrity_check");
  REQUIRE(check.Step());
  CHECK(check.Text(0) == "ok");
  check.Reset();
  Stmt fk(db.raw(), "PRAGMA foreign_key_check");
  CHECK_FALSE(fk.Step());
  fk.Reset();

  // Then migration 8: new rows continue after the old keys; old ids are still found.
  REQUIRE(Migrate(db, std::string(kSchemaSql)).ok());
  CHECK(FindPk(db, kPaymentsTable, kOldPayment) == 1);
  CHECK(FindPk(db, kEventsTable, kOldEvent) == 2);
  RowKey next = NewRowKey(db, kEventsTable);
  CHECK(next.pk == 3);
}

TEST_CASE("migration 8: ids stop spelling their keys, and ids handed out before still work") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  REQUIRE(Migrate(db, SchemaBefore(8)).ok());
  db.Exec("PRAGMA foreign_keys = OFF");
  auto insert = [&db](int64_t pk, const std::string& id) {
    Stmt q(db.raw(), "INSERT INTO payments (pk, id, livemode, customer_id, provider, amount, "
                     "currency, status, idempotency_key, created_at) VALUES (?, ?, 0, 'cus_1', "
                     "'sandbox', 1, 'eur', 'paid', ?, 0)");
    q.Args(pk, id, id).Exec();
  };
  // Before migration 8 an id spelled its key in plain: pay_00000001..., pay_00000002...
  const std::string old1 = RowId("pay_", 1), old2 = RowId("pay_", 2);
  insert(1, old1);
  insert(2, old2);
  REQUIRE(Migrate(db, std::string(kSchemaSql)).ok());
  CHECK(FindPk(db, kPaymentsTable, old1) == 1);
  CHECK(FindPk(db, kPaymentsTable, old2) == 2);

  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    RowKey key = NewRowKey(db, kPaymentsTable);
    CHECK(key.pk == 3 + i);
    CHECK(RowIdNumber(key.id, "pay_") != key.pk);
    insert(key.pk, key.id);
    ids.push_back(key.id);
  }
  CHECK_FALSE(std::is_sorted(ids.begin(), ids.end()));  // no count to read from their order
  for (int i = 0; i < 200; ++i) CHECK(FindPk(db, kPaymentsTable, ids[i]) == 3 + i);
  // The key is the store's own: a second store spells its first payment otherwise.
  TempDir other_dir;
  Db other(other_dir.file("jopay.db"), false);
  REQUIRE(Migrate(other, std::string(kSchemaSql)).ok());
  auto key_of = [](Db& d) {
    Stmt q(d.raw(), "SELECT value FROM meta WHERE key = 'row_id_key'");
    REQUIRE(q.Step());
    return q.Text(0);
  };
  CHECK(key_of(db).size() == 32);
  CHECK(key_of(db) != key_of(other));
  RowKey first_there = NewRowKey(other, kPaymentsTable);
  CHECK(first_there.pk == 1);
  CHECK(RowIdNumber(first_there.id, "pay_") != RowIdCipher(key_of(db)).Encrypt(1));
}

TEST_CASE("FindPk finds a row by the key its id spells, and only with the whole id") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  REQUIRE(Migrate(db, std::string(kSchemaSql)).ok());
  RowKey key = NewRowKey(db, kEventsTable);
  CHECK(key.pk == 1);
  Stmt insert(db.raw(), "INSERT INTO events (pk, id, livemode, type, object_id, sequence, data, "
                        "created_at) VALUES (?, ?, 0, 'x', 'sub_1', 1, '{}', 0)");
  insert.Args(key.pk, key.id).Exec();
  CHECK(FindPk(db, kEventsTable, key.id) == 1);
  CHECK(NewRowKey(db, kEventsTable).pk == 2);

  std::string forged = key.id;  // the right key with other random characters
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  CHECK_FALSE(FindPk(db, kEventsTable, forged));
  CHECK_FALSE(FindPk(db, kEventsTable, RowId("evt_", 2)));   // no such row yet
  CHECK_FALSE(FindPk(db, kPaymentsTable, key.id));           // another table's prefix
  CHECK_FALSE(FindPk(db, kEventsTable, "evt_1"));            // not an id at all

  CHECK(PageBelow(db, kEventsTable, "") == INT64_MAX);
  CHECK(PageBelow(db, kEventsTable, key.id) == 1);
  CHECK(PageBelow(db, kEventsTable, forged) == 0);
}

TEST_CASE("NewRowKey never hands out a key twice, even past a rolled-back insert") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  REQUIRE(Migrate(db, std::string(kSchemaSql)).ok());
  auto insert = [&db](const RowKey& key) {
    Stmt q(db.raw(), "INSERT INTO payments (pk, id, livemode, customer_id, provider, amount, "
                     "currency, status, idempotency_key, created_at) VALUES (?, ?, 0, 'cus_1', "
                     "'sandbox', 1, 'eur', 'paid', ?, 0)");
    q.Args(key.pk, key.id, key.id).Exec();
  };
  db.Exec("PRAGMA foreign_keys = OFF");
  insert(NewRowKey(db, kPaymentsTable));
  db.Exec("BEGIN");
  RowKey lost = NewRowKey(db, kPaymentsTable);
  insert(lost);
  db.Exec("ROLLBACK");
  RowKey next = NewRowKey(db, kPaymentsTable);
  CHECK(lost.pk == 2);
  CHECK(next.pk == 3);  // a gap where the rolled-back row was
  insert(next);
  CHECK(Count(db, "SELECT count(*) FROM payments") == 2);
  // A new connection reads the largest key again.
  Db other(dir.file("jopay.db"), false);
  CHECK(NewRowKey(other, kPaymentsTable).pk == 4);
}

}  // namespace jopay
