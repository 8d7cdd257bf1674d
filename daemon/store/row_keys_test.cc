#include "daemon/store/row_keys.h"

#include <doctest/doctest.h>

#include <cstdint>
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

  CHECK(FindPk(db, kPaymentsTable, kOldPayment) == 1);
  CHECK(FindPk(db, kEventsTable, kOldEvent) == 2);
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

  // New rows continue after the old keys, with ids that spell them.
  RowKey next = NewRowKey(db, kEventsTable);
  CHECK(next.pk == 3);
  CHECK(PkOfRowId(next.id, "evt_") == 3);
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
