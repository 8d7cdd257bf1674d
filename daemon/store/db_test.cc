#include "daemon/store/db.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::Count;
using testing::TempDir;

TEST_CASE("ExecWith binds its arguments for one run and leaves nothing bound") {
  TempDir dir;
  Db db(dir.file("d.db"), false);
  db.Exec("CREATE TABLE t (a TEXT, b INTEGER, c TEXT)");
  auto& insert = db.Cached("INSERT INTO t (a, b, c) VALUES (?, ?, ?)");
  {
    std::string lent = "lent text";
    insert.ExecWith(lent, int64_t{7}, std::string("a temporary"));
    lent.assign(lent.size(), 'x');  // SQLite must have used the text before the call returned
  }
  CHECK(Count(db, "SELECT count(*) FROM t WHERE a = 'lent text' AND b = 7 AND c = 'a temporary'") == 1);

  insert.Exec();  // run again with no arguments: every parameter is NULL once more
  CHECK(Count(db, "SELECT count(*) FROM t WHERE a IS NULL AND b IS NULL AND c IS NULL") == 1);
}

TEST_CASE("Args binds NULL past its last argument; Reset keeps the bindings") {
  TempDir dir;
  Db db(dir.file("d.db"), false);
  db.Exec("CREATE TABLE t (a TEXT, b TEXT)");
  auto& insert = db.Cached("INSERT INTO t (a, b) VALUES (?, ?)");
  insert.Args("x", "y").Exec();
  insert.Args("z").Exec();  // b was "y" in the previous run
  CHECK(Count(db, "SELECT count(*) FROM t WHERE a = 'z' AND b IS NULL") == 1);

  auto& query = db.Cached("SELECT count(*) FROM t WHERE a = ?");
  query.Args(std::string("x"));  // copied: the temporary is gone when the query steps
  REQUIRE(query.Step());
  CHECK(query.Int(0) == 1);
  query.Reset();
  REQUIRE(query.Step());  // the same binding again after a reset
  CHECK(query.Int(0) == 1);
  query.Reset();
}

TEST_CASE("a statement slot is prepared once per connection and found by its index") {
  TempDir dir;
  static const SqlSlot count_rows("SELECT count(*) FROM t");
  static const SqlSlot insert_row("INSERT INTO t (a) VALUES (?)");
  CHECK(count_rows.index() != insert_row.index());
  Db one(dir.file("d.db"), false);
  one.Exec("CREATE TABLE t (a TEXT)");
  one.Cached(insert_row).ExecWith(std::string("x"));
  CHECK(&one.Cached(insert_row) == &one.Cached(insert_row));
  CHECK(&one.Cached(count_rows) != &one.Cached(insert_row));
  Db other(dir.file("d.db"), true);
  CHECK(&other.Cached(count_rows) != &one.Cached(count_rows));  // each connection its own
  auto& q = other.Cached(count_rows);
  REQUIRE(q.Step());
  CHECK(q.Int(0) == 1);
  q.Reset();
}

TEST_CASE("a failing ExecWith unbinds too") {
  TempDir dir;
  Db db(dir.file("d.db"), false);
  db.Exec("CREATE TABLE t (a TEXT UNIQUE)");
  auto& insert = db.Cached("INSERT INTO t (a) VALUES (?)");
  insert.ExecWith(std::string("once"));
  CHECK_THROWS_AS(insert.ExecWith(std::string("once")), DbError);
  insert.Exec();  // NULL, not a dangling "once" (which would break the UNIQUE constraint)
  CHECK(Count(db, "SELECT count(*) FROM t WHERE a IS NULL") == 1);
}

}  // namespace
}  // namespace jopay
