#include "daemon/store/coalescing_vfs.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "daemon/store/db.h"
#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::Count;
using testing::TempDir;

// Rows big enough that a transaction of a few thousand spans many 64 KiB buffers, with a value
// that tells whether each one came back whole.
constexpr const char* kCreate = "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)";
constexpr const char* kInsertMany =
    "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 3000) "
    "INSERT INTO t (k, v) SELECT k, printf('%.1000c', char(65 + k % 26)) FROM n";
constexpr const char* kWholeRows = "SELECT count(*) FROM t WHERE v = printf('%.1000c', char(65 + k % 26))";

bool IntegrityOk(Db& db) {
  auto& check = db.Cached("PRAGMA integrity_check");
  bool ok = check.Step() && check.Text(0) == "ok";
  check.Reset();
  return ok;
}

// Write system calls this process has made so far (Linux: /proc/self/io "syscw").
long WriteCalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  return -1;
}

TEST_CASE("a WAL written through the coalescing VFS reads back whole on a plain connection") {
  TempDir dir;
  const std::string path = dir.file("c.db");
  Db writer(path, false);  // writing connections use the coalescing VFS
  writer.Exec(kCreate);
  // A tiny cache makes SQLite spill frames in the middle of transactions, and rewrite some of
  // them, so writes that do not continue the buffered run are exercised too.
  writer.Exec("PRAGMA cache_size = 20");
  writer.Exec("BEGIN");
  writer.Exec(kInsertMany);
  writer.Exec("ROLLBACK");  // its spilled frames are overwritten by what follows
  writer.Exec("BEGIN");
  writer.Exec(kInsertMany);
  writer.Exec("UPDATE t SET v = printf('%.1000c', char(65 + k % 26)) WHERE k % 7 = 0");
  writer.Exec("COMMIT");

  Db reader(path, true);  // the default VFS, reading the WAL through its own file handle
  CHECK(Count(reader, "SELECT count(*) FROM t") == 3000);
  CHECK(Count(reader, kWholeRows) == 3000);
  CHECK(IntegrityOk(reader));
}

TEST_CASE("every commit is readable by another connection at once, even without a sync") {
  TempDir dir;
  const std::string path = dir.file("c.db");
  Db writer(path, false);
  writer.Exec(kCreate);
  // NORMAL does not sync at commit: only the commit mark writes the buffer out.
  writer.Exec("PRAGMA synchronous = NORMAL");
  Db reader(path, true);
  for (int k = 1; k <= 40; ++k) {
    writer.Cached("INSERT INTO t (k, v) VALUES (?, printf('%.1000c', char(65 + ? % 26)))")
        .Args(int64_t{k}, int64_t{k})
        .Exec();
    CHECK(Count(reader, "SELECT count(*) FROM t") == k);
    CHECK(Count(reader, kWholeRows) == k);
  }
}

TEST_CASE("pages a checkpoint copies are readable from the database at once") {
  TempDir dir;
  const std::string path = dir.file("c.db");
  Db writer(path, false);
  writer.Exec(kCreate);
  writer.Exec(kInsertMany);
  // A reader holding this snapshot stops the next checkpoint short of the newest frames: a
  // partial checkpoint, which does not sync the database before readers use what it copied.
  Db old_snapshot(path, true);
  old_snapshot.Exec("BEGIN");
  CHECK(Count(old_snapshot, "SELECT count(*) FROM t") == 3000);
  writer.Exec("UPDATE t SET v = printf('%.1000c', char(65 + k % 26)) WHERE k % 3 = 0");
  writer.Exec("INSERT INTO t (k, v) SELECT k + 3000, v FROM t WHERE k <= 500");

  Db checkpointer(path, false);
  checkpointer.Exec("PRAGMA wal_checkpoint(PASSIVE)");
  Db fresh(path, true);
  CHECK(Count(fresh, kWholeRows) == 3000);
  CHECK(Count(fresh, "SELECT count(*) FROM t") == 3500);
  old_snapshot.Exec("COMMIT");

  checkpointer.Exec("PRAGMA wal_checkpoint(TRUNCATE)");  // now every page is in the database
  Db after(path, true);
  CHECK(Count(after, kWholeRows) == 3000);
  CHECK(Count(after, "SELECT count(*) FROM t") == 3500);
  CHECK(IntegrityOk(after));
}

TEST_CASE("WAL frames go to the file in a few large writes, not two per page") {
  TempDir dir;
  auto write_calls_of_a_commit = [&](const std::string& name, bool coalesce) {
    sqlite3* db = nullptr;
    const std::string path = dir.file(name);
    REQUIRE(RegisterCoalescingVfs().ok());
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            coalesce ? kCoalescingVfsName : nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, kCreate, nullptr, nullptr, nullptr) == SQLITE_OK);
    long before = WriteCalls();
    REQUIRE(sqlite3_exec(db, kInsertMany, nullptr, nullptr, nullptr) == SQLITE_OK);
    long calls = WriteCalls() - before;
    sqlite3_close(db);
    return calls;
  };
  long plain = write_calls_of_a_commit("plain.db", false);
  long coalesced = write_calls_of_a_commit("coalesced.db", true);
  // 3,000 rows of 1 KB are ~800 frames: ~1,600 writes plainly, ~50 gathered 64 KiB at a time.
  CHECK(plain > 1000);
  CHECK(coalesced * 10 < plain);
}

}  // namespace
}  // namespace jopay
