#include "daemon/scheduler/due_prefetch.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>
#include <future>
#include <thread>

#include "daemon/billing/subscription_rows.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

constexpr UnixSeconds kDue = 1700000000;

// A store holding `n` subscriptions all due at kDue (with their customer and plan, for the
// joins of LoadDue).
struct DueStore {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  explicit DueStore(int n) {
    auto opened = Store::Open(dir.file("jopay.db"));
    REQUIRE(opened.ok());
    store = std::move(*opened);
    store->writer().WatchTables(DueRowTables());
    REQUIRE(Run([n](Db& db) {
      db.Exec("INSERT INTO plans (id, livemode, name, amount, currency, interval, created_at, "
              "updated_at) VALUES ('plan_1', 0, 'P', 100, 'eur', 'month', 0, 0)");
      for (int i = 0; i < n; ++i) {
        db.Exec(fmt::format("INSERT INTO customers (id, livemode, email, created_at) VALUES "
                            "('cus_{0}', 0, 'u{0}@example.com', 0)", i));
        db.Exec(fmt::format(
            "INSERT INTO subscriptions (id, livemode, customer_id, plan_id, status, amount, "
            "currency, interval, interval_count, billing_anchor, period_index, "
            "current_period_start, current_period_end, next_action, next_action_at, created_at, "
            "updated_at) VALUES ('sub_{0}', 0, 'cus_{0}', 'plan_1', 'active', 100, 'eur', "
            "'month', 1, 0, 0, 0, {1}, 'renew', {1}, 0, 0)", i, kDue));
      }
    }).ok());
  }
  Status Run(std::function<void(Db&)> f) {
    return store->writer().Run([&](Db& db) {
      f(db);
      return Status::Ok();
    });
  }
  // Runs a "batch" job as the scheduler does: loads `limit` due rows, moves them out of the
  // window, starts the prefetch of the next rows. Returns the ids it ran.
  std::vector<std::string> RunBatch(DuePrefetch& prefetch, int limit, bool* from_prefetch) {
    std::vector<std::string> ids;
    REQUIRE(Run([&](Db& db) {
      store->writer().ExemptFromWatch();
      auto due = prefetch.Take();
      *from_prefetch = due.has_value();
      if (!due) due = LoadDue(db, kDue, limit);
      if (!due->empty()) prefetch.Start(kDue, *due->back().next_action_at, due->back().rowid, limit);
      for (const auto& s : *due) {
        db.Exec(fmt::format("UPDATE subscriptions SET next_action_at = {} WHERE rowid = {}",
                            kDue + 86400, s.rowid));
        ids.push_back(s.id);
      }
    }).ok());
    return ids;
  }
};

}  // namespace

TEST_CASE("DuePrefetch hands over the next batch when nothing ran in between") {
  DueStore t(10);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  std::vector<std::string> all;
  for (int batch = 0; batch < 3; ++batch) {
    auto ids = t.RunBatch(prefetch, 3, &ahead);
    CHECK(ahead == (batch > 0));
    all.insert(all.end(), ids.begin(), ids.end());
  }
  auto last = t.RunBatch(prefetch, 3, &ahead);  // the tenth row
  CHECK(ahead);
  all.insert(all.end(), last.begin(), last.end());
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) expected.push_back(fmt::format("sub_{}", i));
  CHECK(all == expected);  // each row once, in due order
}

TEST_CASE("DuePrefetch refuses a batch when another job changed a table it reads") {
  DueStore t(6);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  t.RunBatch(prefetch, 2, &ahead);
  // Another writer job (say, a cancel) changes a row the prefetch has already read.
  REQUIRE(t.Run([](Db& db) {
    db.Exec("UPDATE subscriptions SET next_action_at = NULL, status = 'canceled' "
            "WHERE id = 'sub_2'");
  }).ok());
  auto ids = t.RunBatch(prefetch, 2, &ahead);
  CHECK_FALSE(ahead);
  CHECK(ids == std::vector<std::string>{"sub_3", "sub_4"});  // sub_2 is no longer due
}

TEST_CASE("DuePrefetch refuses a batch when a customer of it changed") {
  DueStore t(6);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  t.RunBatch(prefetch, 2, &ahead);
  REQUIRE(t.Run([](Db& db) {
    db.Exec("UPDATE customers SET email = 'new@example.com' WHERE id = 'cus_2'");
  }).ok());
  auto ids = t.RunBatch(prefetch, 2, &ahead);
  CHECK_FALSE(ahead);
  CHECK(ids == std::vector<std::string>{"sub_2", "sub_3"});
}

TEST_CASE("DuePrefetch hands over a batch when the jobs in between touched other tables") {
  DueStore t(6);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  t.RunBatch(prefetch, 2, &ahead);
  // A request that writes elsewhere (a checkout session, a webhook delivery) leaves it good.
  REQUIRE(t.Run([](Db& db) {
    db.Exec("CREATE TABLE elsewhere (x INTEGER)");
    db.Exec("INSERT INTO elsewhere (x) VALUES (1)");
  }).ok());
  auto ids = t.RunBatch(prefetch, 2, &ahead);
  CHECK(ahead);
  CHECK(ids == std::vector<std::string>{"sub_2", "sub_3"});
}

TEST_CASE("DuePrefetch never misses a change committed with the batch that asked") {
  DueStore t(6);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  t.RunBatch(prefetch, 2, &ahead);
  // The change and the next batch share one transaction: the change runs first, the batch
  // starts the next load and then takes long enough that the loader's snapshot begins before
  // the commit. The snapshot cannot see the change, so that load must not be used.
  std::promise<void> release;
  auto gate = release.get_future().share();
  Writer& w = t.store->writer();
  w.Submit([gate](Db&) { gate.wait(); return Status::Ok(); }, [](Status) {});
  w.Submit([](Db& db) {
    db.Exec("UPDATE subscriptions SET next_action_at = NULL WHERE id = 'sub_4'");
    return Status::Ok();
  }, [](Status) {});
  std::promise<Status> batch_done;
  w.Submit([&](Db& db) {
    w.ExemptFromWatch();
    auto due = prefetch.Take();
    if (!due) due = LoadDue(db, kDue, 2);
    prefetch.Start(kDue, *due->back().next_action_at, due->back().rowid, 2);
    for (const auto& s : *due) {
      db.Exec(fmt::format("UPDATE subscriptions SET next_action_at = {} WHERE rowid = {}",
                          kDue + 86400, s.rowid));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return Status::Ok();
  }, [&](Status st) { batch_done.set_value(st); });
  release.set_value();
  REQUIRE(batch_done.get_future().get().ok());
  auto ids = t.RunBatch(prefetch, 2, &ahead);
  CHECK(ids == std::vector<std::string>{"sub_5"});  // sub_4 left the window; not run
}

TEST_CASE("DuePrefetch::Discard drops what was loaded") {
  DueStore t(4);
  DuePrefetch prefetch(*t.store);
  bool ahead = false;
  t.RunBatch(prefetch, 2, &ahead);
  prefetch.Discard();
  t.RunBatch(prefetch, 2, &ahead);
  CHECK_FALSE(ahead);
}

TEST_CASE("LoadDueAfter pages through rows due at the same second by rowid, then later ones") {
  DueStore t(5);
  REQUIRE(t.Run([](Db& db) {
    db.Exec(fmt::format("UPDATE subscriptions SET next_action_at = {} WHERE id = 'sub_1'", kDue - 5));
    db.Exec(fmt::format("UPDATE subscriptions SET next_action_at = {} WHERE id = 'sub_0'", kDue + 5));
  }).ok());
  Db& r = t.store->reader();
  auto first = LoadDueAfter(r, kDue + 10, INT64_MIN, INT64_MIN, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == "sub_1");
  CHECK(first[1].id == "sub_2");
  auto second = LoadDueAfter(r, kDue + 10, *first[1].next_action_at, first[1].rowid, 2);
  REQUIRE(second.size() == 2);
  CHECK(second[0].id == "sub_3");
  CHECK(second[1].id == "sub_4");
  auto third = LoadDueAfter(r, kDue + 10, *second[1].next_action_at, second[1].rowid, 2);
  REQUIRE(third.size() == 1);
  CHECK(third[0].id == "sub_0");
  CHECK(LoadDueAfter(r, kDue, *second[1].next_action_at, second[1].rowid, 2).empty());
}

}  // namespace jopay
