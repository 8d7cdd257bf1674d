#include "daemon/store/store.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::TempDir;

using testing::Count;

}  // namespace

TEST_CASE("Migrate applies each migration once and records the version") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  std::string schema =
      "-- migration 1\nCREATE TABLE a (x INTEGER);\n-- migration 2\nCREATE TABLE b (y INTEGER);\n";
  auto v = Migrate(db, schema);
  REQUIRE(v.ok());
  CHECK(*v == 2);
  CHECK(Count(db, "PRAGMA user_version") == 2);
  CHECK(*Migrate(db, schema) == 2);  // a second start changes nothing
  auto bad = Migrate(db, schema + "-- migration 3\nCREATE TABLE a (x INTEGER);\n");
  CHECK_FALSE(bad.ok());
  CHECK(Count(db, "PRAGMA user_version") == 2);  // the failed migration left no trace
}

TEST_CASE("the store opens with WAL and the embedded schema") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  Db& r = (*store)->reader();
  Stmt mode(r.raw(), "PRAGMA journal_mode");
  mode.Step();
  CHECK(mode.Text(0) == "wal");
  CHECK(Count(r, "PRAGMA user_version") >= 1);
  CHECK(Count(r, "SELECT count(*) FROM sqlite_master WHERE name = 'subscriptions'") == 1);
}

TEST_CASE("a failing job is undone alone; the others in its commit stay") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  Writer& w = (*store)->writer();
  REQUIRE(w.Run([](Db& db) {
               db.Exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
               return Status::Ok();
             }).ok());
  // Queue many jobs at once so they share commits; every third fails after writing.
  std::atomic<int> ok_count = 0, failed = 0, done = 0;
  for (int i = 1; i <= 300; ++i) {
    w.Submit(
        [i](Db& db) {
          db.Cached("INSERT INTO t (x) VALUES (?)").Args(int64_t{i}).Exec();
          if (i % 3 == 0) return Status::Invalid("no multiples of three");
          return Status::Ok();
        },
        [&](Status st) {
          (st.ok() ? ok_count : failed)++;
          done++;
        });
  }
  while (done < 300) std::this_thread::yield();
  CHECK(ok_count == 200);
  CHECK(failed == 100);
  Db& r = (*store)->reader();
  CHECK(Count(r, "SELECT count(*) FROM t") == 200);
  CHECK(Count(r, "SELECT count(*) FROM t WHERE x % 3 = 0") == 0);
}

TEST_CASE("a job that throws a SQLite error reports it and changes nothing") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  Status st = (*store)->writer().Run([](Db& db) {
    db.Exec("INSERT INTO meta (key, value) VALUES ('k', 'v')");
    db.Exec("INSERT INTO meta (key, value) VALUES ('k', 'again')");  // primary key clash
    return Status::Ok();
  });
  CHECK(st.kind() == Status::Kind::kInternal);
  CHECK(Count((*store)->reader(), "SELECT count(*) FROM meta WHERE key = 'k'") == 0);
}

TEST_CASE("a charge attempt is recorded once") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  auto seed = [](Db& db) {
    db.Exec("INSERT INTO plans (id, livemode, name, description, amount, currency, interval, "
            "interval_count, trial_days, grace_days, active, created_at, updated_at) VALUES "
            "('plan_1', 0, 'P', '', 100, 'eur', 'month', 1, 0, 0, 1, 0, 0);"
            "INSERT INTO customers (id, livemode, email, name, created_at) VALUES "
            "('cus_1', 0, 'a@example.com', '', 0);"
            "INSERT INTO subscriptions (id, livemode, customer_id, plan_id, status, amount, "
            "currency, interval, interval_count, billing_anchor, period_index, "
            "current_period_start, current_period_end, created_at, updated_at) VALUES ('sub_1', "
            "0, 'cus_1', 'plan_1', 'active', 100, 'eur', 'month', 1, 0, 0, 0, 10, 0, 0);");
    return Status::Ok();
  };
  REQUIRE((*store)->writer().Run(seed).ok());
  auto pay = [](int attempt, const char* status) {
    return [=](Db& db) {
      db.Cached("INSERT INTO payments (id, livemode, subscription_id, customer_id, provider, "
                "amount, currency, status, attempt, period_start, idempotency_key, created_at) "
                "VALUES (?, 0, 'sub_1', 'cus_1', 'sandbox', 100, 'eur', ?, ?, 0, 'k', 0)")
          .Args("pay_" + std::to_string(attempt), status, int64_t{attempt})
          .Exec();
      return Status::Ok();
    };
  };
  CHECK((*store)->writer().Run(pay(1, "failed")).ok());
  CHECK((*store)->writer().Run(pay(2, "paid")).ok());
  CHECK_FALSE((*store)->writer().Run(pay(2, "failed")).ok());  // same attempt twice
  CHECK_FALSE((*store)->writer().Run(pay(1, "paid")).ok());
  CHECK(Count((*store)->reader(), "SELECT count(*) FROM payments") == 2);
}

TEST_CASE("Backup writes a consistent copy while the writer runs") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  REQUIRE((*store)->writer().Run([](Db& db) {
    db.Exec("INSERT INTO meta (key, value) VALUES ('a', '1')");
    return Status::Ok();
  }).ok());
  std::string copy = dir.file("copy.db");
  auto bytes = (*store)->Backup(copy);
  REQUIRE(bytes.ok());
  CHECK(*bytes > 0);
  Db c(copy, true);
  CHECK(Count(c, "SELECT count(*) FROM meta WHERE key = 'a'") == 1);
  CHECK_FALSE((*store)->Backup("/nonexistent-dir/x.db").ok());
}

TEST_CASE("Migrate refuses a database newer than the schema it knows") {
  TempDir dir;
  Db db(dir.file("x.db"), false);
  db.Exec("PRAGMA user_version = 7");
  auto v = Migrate(db, "-- migration 1\nCREATE TABLE a (x INTEGER);\n");
  CHECK_FALSE(v.ok());
  CHECK(v.status().message().find("newer") != std::string::npos);
}

namespace {
// The embedded schema up to (not including) migration `n`.
std::string SchemaBefore(int n) {
  std::string all(kSchemaSql);
  return all.substr(0, all.find(fmt::format("-- migration {}\n", n)));
}

// The bytecode SQLite compiles `sql` to, as "Opcode Opcode ...".
std::string Opcodes(Db& db, const std::string& sql) {
  Stmt q(db.raw(), "EXPLAIN " + sql);
  std::string out;
  while (q.Step()) out += q.Text(1) + " ";
  return out;
}
}  // namespace

TEST_CASE("migration 5 turns IN-list CHECKs into OR chains that still refuse bad values") {
  TempDir dir;
  Db db(dir.file("jopay.db"), false);
  REQUIRE(Migrate(db, SchemaBefore(5)).ok());
  db.Exec("INSERT INTO plans (id, livemode, name, amount, currency, interval, created_at, "
          "updated_at) VALUES ('plan_1', 0, 'P', 100, 'eur', 'month', 0, 0)");
  REQUIRE(Migrate(db, std::string(kSchemaSql)).ok());  // a store made before migration 5

  // No write to a checked column builds a temporary b-tree (OpenEphemeral) any more.
  for (const char* write :
       {"UPDATE plans SET interval = 'day' WHERE rowid = 1", "UPDATE subscriptions SET status = 'active' WHERE rowid = 1",
        "UPDATE subscriptions SET next_action = 'renew' WHERE rowid = 1", "UPDATE payments SET status = 'paid' WHERE rowid = 1",
        "UPDATE checkout_sessions SET status = 'expired' WHERE rowid = 1",
        "UPDATE webhook_deliveries SET status = 'failed' WHERE rowid = 1",
        "UPDATE webhook_endpoints SET status = 'disabled' WHERE rowid = 1"}) {
    CAPTURE(write);
    CHECK(Opcodes(db, write).find("OpenEphemeral") == std::string::npos);
  }
  CHECK(Count(db, "SELECT count(*) FROM plans") == 1);
  Stmt check(db.raw(), "PRAGMA integrity_check");
  REQUIRE(check.Step());
  CHECK(check.Text(0) == "ok");
  check.Reset();

  CHECK_THROWS_AS(db.Exec("UPDATE plans SET interval = 'fortnight'"), DbError);
  db.Exec("UPDATE plans SET interval = 'year'");
  CHECK(Count(db, "SELECT count(*) FROM plans WHERE interval = 'year'") == 1);
  constexpr const char* insert_payment =
      "INSERT INTO payments (id, livemode, customer_id, provider, amount, currency, status, "
      "idempotency_key, created_at) VALUES ('pay_{}', 0, 'cus_1', 'sandbox', 1, 'eur', '{}', "
      "'k{}', 0)";
  db.Exec("PRAGMA foreign_keys = OFF");
  CHECK_THROWS_AS(db.Exec(fmt::format(insert_payment, 1, "lost", 1)), DbError);
  db.Exec(fmt::format(insert_payment, 2, "refunded", 2));
  CHECK(Count(db, "SELECT count(*) FROM payments") == 1);
}

}  // namespace jopay

namespace jopay {

TEST_CASE("a WAL grown past 64 MiB by a large job is cut back once checkpointed and reset") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  auto write = [&](int megabytes) {
    return (*store)->writer().Run([megabytes](Db& db) {
      db.Exec(fmt::format("INSERT INTO meta (key, value) WITH RECURSIVE n(i) AS (SELECT 1 UNION "
                          "ALL SELECT i + 1 FROM n WHERE i < {}) SELECT 'blob' || i || "
                          "hex(randomblob(8)), hex(randomblob(512)) FROM n",
                          megabytes * 1024));
      return Status::Ok();
    });
  };
  auto wal_size = [&] { return std::filesystem::file_size(dir.file("jopay.db-wal")); };
  REQUIRE(write(80).ok());  // ~80k rows of 1 KiB: the WAL passes 64 MiB
  CHECK(wal_size() > 64u << 20);
  // The checkpointer runs every 200 ms; after it has copied everything back, the next write
  // starts the WAL over and truncates the file.
  bool cut = false;
  for (int i = 0; i < 100 && !cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(write(0).ok());
    cut = wal_size() <= 64u << 20;
  }
  CHECK(cut);
}

TEST_CASE("checkpoints wait while a hold lives and catch up when it ends") {
  TempDir dir;
  auto store = Store::Open(dir.file("jopay.db"));
  REQUIRE(store.ok());
  auto db_size = [&] { return std::filesystem::file_size(dir.file("jopay.db")); };
  auto write_4mb = [&] {
    return (*store)->writer().Run([](Db& db) {
      db.Exec("INSERT INTO meta (key, value) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
              "SELECT i + 1 FROM n WHERE i < 4096) SELECT 'hold' || i || hex(randomblob(8)), "
              "hex(randomblob(512)) FROM n");
      return Status::Ok();
    });
  };
  // Pages reach the database file only through checkpoints (the writer commits to the WAL).
  auto wait_for_db_size_above = [&](uintmax_t bytes) {
    for (int i = 0; i < 100 && db_size() <= bytes; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return db_size() > bytes;
  };
  REQUIRE(write_4mb().ok());
  REQUIRE(wait_for_db_size_above(4u << 20));  // checkpointed while nothing holds it
  uintmax_t before = 0;  // once that checkpoint has finished: no growth for 300 ms
  for (int i = 0; i < 100 && db_size() != before; ++i) {
    before = db_size();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  REQUIRE(db_size() == before);
  {
    Store::CheckpointHold hold(**store);
    REQUIRE(write_4mb().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // 3 rounds of the checkpointer
    CHECK(db_size() == before);
  }
  CHECK(wait_for_db_size_above(before + (3u << 20)));  // caught up once the hold ended
}

TEST_CASE("a thread's readers of a closed store are closed when it next asks for a reader") {
  TempDir dir;
  // The descriptors this process holds on `path` (the database file itself).
  auto open_on = [](const std::string& path) {
    int n = 0;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      if (std::filesystem::read_symlink(fd.path(), ec) == path) ++n;
    }
    return n;
  };
  std::string first = dir.file("first.db");
  {
    auto a = Store::Open(first);
    REQUIRE(a.ok());
    CHECK(Count((*a)->reader(), "SELECT count(*) FROM plans") == 0);
  }
  CHECK(open_on(first) > 0);  // the reader of the closed store is still this thread's
  auto b = Store::Open(dir.file("second.db"));
  REQUIRE(b.ok());
  CHECK(Count((*b)->reader(), "SELECT count(*) FROM plans") == 0);
  CHECK(open_on(first) == 0);
}

}  // namespace jopay
