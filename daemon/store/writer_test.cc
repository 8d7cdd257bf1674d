#include "daemon/store/writer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "daemon/store/store.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = std::move(*Store::Open(dir.file("jopay.db")));
  Writer& w = store->writer();
  // Holds the writer in a job until Release(), so that what is submitted meanwhile queues.
  std::promise<void> gate;
  void Hold() {
    auto open = gate.get_future().share();
    uint64_t before = w.JobsStarted();
    w.Submit([open](Db&) { open.wait(); return Status::Ok(); }, [](Status) {});
    while (w.JobsStarted() == before) std::this_thread::yield();  // it runs; the rest queue
  }
  void Release() { gate.set_value(); }
  void Exec(const char* sql) {
    REQUIRE(w.Run([sql](Db& db) { db.Exec(sql); return Status::Ok(); }).ok());
  }
};

}  // namespace

TEST_CASE("a long job heads its own transaction and the jobs waiting behind it join its commit") {
  Fixture f;
  // Each job notes its number; each completion notes the last job its commit settled. Jobs
  // that share a transaction all settle at the number of the last of them.
  struct Seen { uint64_t number = 0, settled = 0; };
  std::vector<Seen> seen(5);
  std::vector<std::promise<void>> done(5);
  auto job = [&](int i) {
    return [&, i](Db&) { seen[i].number = f.w.JobsStarted(); return Status::Ok(); };
  };
  auto note = [&](int i) {
    return [&, i](Status) { seen[i].settled = f.w.JobsSettled(); done[i].set_value(); };
  };
  f.Hold();
  f.w.Submit(job(0), note(0));
  f.w.Submit(job(1), note(1));
  f.w.SubmitLong(job(2), note(2));
  f.w.Submit(job(3), note(3));
  f.w.SubmitLong(job(4), note(4));
  f.Release();
  for (auto& d : done) d.get_future().wait();
  CHECK(seen[0].settled == seen[1].number);  // 0 and 1 share a commit, without 2
  CHECK(seen[2].number == seen[1].number + 1);
  CHECK(seen[3].number == seen[2].number + 1);
  CHECK(seen[2].settled == seen[3].number);  // 3 waited behind 2 and joined its commit
  CHECK(seen[3].settled == seen[3].number);
  CHECK(seen[4].settled == seen[4].number);  // another long job heads a transaction of its own
  CHECK(seen[4].number == seen[3].number + 1);
}

TEST_CASE("a job that joins a failed long job's transaction is not undone with it") {
  Fixture f;
  f.Exec("CREATE TABLE t (x INTEGER)");
  std::promise<void> queued, started;
  auto queued_f = queued.get_future().share();
  std::promise<Status> long_done, joined_done;
  f.w.SubmitLong([&](Db& db) {
    db.Exec("INSERT INTO t (x) VALUES (1)");
    started.set_value();
    queued_f.wait();
    return Status::Internal("the long job fails");
  }, [&](Status st) { long_done.set_value(st); });
  started.get_future().wait();
  f.w.Submit([](Db& db) { db.Exec("INSERT INTO t (x) VALUES (2)"); return Status::Ok(); },
             [&](Status st) { joined_done.set_value(st); });
  while (!f.w.Waiting()) std::this_thread::yield();
  queued.set_value();
  CHECK_FALSE(long_done.get_future().get().ok());
  CHECK(joined_done.get_future().get().ok());
  std::vector<int64_t> rows;
  REQUIRE(f.w.Run([&](Db& db) {
    Stmt q(db.raw(), "SELECT x FROM t ORDER BY x");
    while (q.Step()) rows.push_back(q.Int(0));
    return Status::Ok();
  }).ok());
  CHECK(rows == std::vector<int64_t>{2});
}

TEST_CASE("Waiting() tells a running job that others are queued behind it") {
  Fixture f;
  std::promise<void> queued, started;
  auto queued_f = queued.get_future().share();
  bool before = true, after = false;
  std::promise<Status> first;
  f.w.Submit([&](Db&) {
    before = f.w.Waiting();
    started.set_value();
    queued_f.wait();
    after = f.w.Waiting();
    return Status::Ok();
  }, [&](Status st) { first.set_value(st); });
  std::promise<Status> second;
  started.get_future().wait();  // the second is queued while the first runs
  f.w.Submit([](Db&) { return Status::Ok(); }, [&](Status st) { second.set_value(st); });
  queued.set_value();
  CHECK(first.get_future().get().ok());
  CHECK(second.get_future().get().ok());
  CHECK_FALSE(before);
  CHECK(after);
  CHECK_FALSE(f.w.Waiting());
}

TEST_CASE("WatchTables records changes to watched tables by jobs that are not exempt") {
  Fixture f;
  f.Exec("CREATE TABLE watched (x INTEGER); CREATE TABLE other (x INTEGER)");
  f.w.WatchTables({"watched"});
  CHECK(f.w.LastWatchedChange() == 0);
  f.Exec("INSERT INTO other (x) VALUES (1)");
  CHECK(f.w.LastWatchedChange() == 0);
  uint64_t number = 0;
  REQUIRE(f.w.Run([&](Db& db) {
    number = f.w.JobsStarted();
    db.Exec("INSERT INTO watched (x) VALUES (1)");
    return Status::Ok();
  }).ok());
  CHECK(f.w.LastWatchedChange() == number);
  REQUIRE(f.w.Run([&](Db& db) {
    f.w.ExemptFromWatch();
    db.Exec("UPDATE watched SET x = 2; DELETE FROM watched WHERE x = 2");
    return Status::Ok();
  }).ok());
  CHECK(f.w.LastWatchedChange() == number);
  f.Exec("INSERT INTO watched (x) VALUES (3)");  // exempt was for that one job only
  CHECK(f.w.LastWatchedChange() > number);
}

TEST_CASE("AfterCommit runs once the job's transaction commits, and never for a failed job") {
  Fixture f;
  std::atomic<int> kept{0}, dropped{0};
  // Alone: a failed job rolls back the whole transaction.
  CHECK(!f.w.Run([&](Db& db) {
               db.AfterCommit([&] { ++dropped; });
               return Status::Invalid("no");
             }).ok());
  CHECK(f.w.Run([&](Db& db) {
               db.AfterCommit([&] { ++kept; });
               return Status::Ok();
             }).ok());
  // Sharing a transaction: the failed job's savepoint is undone, its neighbours' are kept.
  f.Hold();
  std::vector<std::future<Status>> results;
  for (int i = 0; i < 4; ++i) {
    auto p = std::make_shared<std::promise<Status>>();
    results.push_back(p->get_future());
    f.w.Submit(
        [&, i](Db& db) {
          db.AfterCommit([&, i] { i == 2 ? ++dropped : ++kept; });
          return i == 2 ? Status::Invalid("no") : Status::Ok();
        },
        [p](Status s) { p->set_value(s); });
  }
  f.Release();
  for (auto& r : results) r.wait();
  CHECK(f.w.Run([](Db&) { return Status::Ok(); }).ok());  // every earlier commit is done
  CHECK(kept.load() == 4);
  CHECK(dropped.load() == 0);
}

}  // namespace jopay
