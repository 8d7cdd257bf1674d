#include "daemon/scheduler/scheduler.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "daemon/billing/plans.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/clock/manual_clock_store.h"
#include "daemon/providers/sandbox.h"
#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::Count;
using testing::TempDir;

Providers SandboxOnly() {
  Providers p;
  p.sandbox = std::make_unique<SandboxProvider>();
  return p;
}

constexpr UnixSeconds kJan31 = 1738317600;  // 2025-01-31T10:00:00Z
constexpr int64_t kDay = 86400;

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = std::move(*Store::Open(dir.file("jopay.db")));
  Engine engine{Policy{}, SandboxOnly()};
  Clock clock;
  Scheduler scheduler;

  explicit Fixture(Clock c = Clock::Manual(kJan31), int batch_size = 2)
      : clock(c), scheduler(*store, engine, clock, batch_size) {
    Plan plan;
    plan.id = "plan_test";
    plan.name = "Pro";
    plan.amount = 1000;
    plan.currency = "eur";
    REQUIRE(store->writer().Run([&](Db& db) {
      InsertPlan(db, plan);
      return Status::Ok();
    }).ok());
    scheduler.Start();
  }
  ~Fixture() {
    scheduler.Stop();
    store->Close();
  }
  void Subscribe(const std::string& email, const std::string& card) {
    NewSubscription req{"plan_test", email, "", card, std::nullopt, "{}"};
    Subscription out;
    Status payment;
    REQUIRE(store->writer().Run([&](Db& db) {
      return engine.Create(db, false, req, clock.Now(), &out, &payment);
    }).ok());
  }
  Result<Summary> Await(void (Scheduler::*call)(UnixSeconds, Scheduler::Done), UnixSeconds t) {
    std::promise<Result<Summary>> done;
    (scheduler.*call)(t, [&](Result<Summary> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }
  Result<Summary> Move(UnixSeconds t) { return Await(&Scheduler::MoveClock, t); }
  Result<Summary> Renew() {
    std::promise<Result<Summary>> done;
    scheduler.Renew(false, [&](Result<Summary> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }
  int64_t Rows(const std::string& sql) { return Count(store->reader(), sql); }
};

}  // namespace

TEST_CASE("moving the manual clock a year renews every period in order, in small batches") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.Subscribe(fmt::format("c{}@example.com", i), "4242424242424242");
  auto fired = f.Move(kJan31 + 365 * kDay);
  REQUIRE(fired.ok());
  CHECK(fired->renewed == 5 * 12);  // Feb 28 ... Jan 31 for each, batches of 2
  CHECK(f.Rows("SELECT count(*) FROM payments WHERE status='paid'") == 5 * 13);
  CHECK(f.Rows("SELECT count(DISTINCT subscription_id || period_start) FROM payments") == 5 * 13);
  CHECK(f.clock.Now() == kJan31 + 365 * kDay);
  CHECK(*LoadManualClock(f.store->reader(), "") == kJan31 + 365 * kDay);  // saved for a restart
}

TEST_CASE("the manual clock does not go back, and nothing changes when refused") {
  Fixture f;
  REQUIRE(f.Move(kJan31 + kDay).ok());
  auto refused = f.Move(kJan31);
  CHECK(refused.status().kind() == Status::Kind::kInvalid);
  CHECK(f.clock.Now() == kJan31 + kDay);
}

TEST_CASE("a system clock refuses to move") {
  Fixture f(Clock::System());
  CHECK(f.Move(SystemNow() + kDay).status().kind() == Status::Kind::kConflict);
}

TEST_CASE("renew twice at the same time does the due work once") {
  Fixture f;
  f.Subscribe("a@example.com", "4242424242424242");
  f.Subscribe("b@example.com", "4242424242424242");
  f.clock.Set(kJan31 + 28 * kDay);  // as if time passed without a move: work is due now
  auto first = f.Renew();
  REQUIRE(first.ok());
  CHECK(first->renewed == 2);
  auto second = f.Renew();
  REQUIRE(second.ok());
  CHECK(second->renewed + second->failed + second->expired == 0);
  CHECK(f.Rows("SELECT count(*) FROM payments") == 4);
}

TEST_CASE("EarliestDue names the next subscription action") {
  Fixture f;
  CHECK_FALSE(f.scheduler.EarliestDue().has_value());
  f.Subscribe("a@example.com", "4242424242424242");
  CHECK(f.scheduler.EarliestDue() == kJan31 + 28 * kDay);
}

TEST_CASE("a long due run gives way to queued requests; rows they change are not run stale") {
  Fixture f(Clock::Manual(kJan31), /*batch_size=*/10000);
  constexpr int kSubs = 4000;  // one batch, tens of milliseconds: many slices
  REQUIRE(f.store->writer().Run([&](Db& db) {
    for (int i = 0; i < kSubs; ++i) {
      NewSubscription req{"plan_test", fmt::format("c{}@example.com", i), "", "4242424242424242",
                          std::nullopt, "{}"};
      Subscription out;
      Status payment;
      Status st = f.engine.Create(db, false, req, f.clock.Now(), &out, &payment);
      if (!st.ok()) return st;
    }
    db.Exec("CREATE TABLE elsewhere (x INTEGER)");
    return Status::Ok();
  }).ok());
  const UnixSeconds due = kJan31 + 28 * kDay;
  f.clock.Set(due);
  // Requests while the run goes on: every other one cancels the last row still due (a row the
  // run has loaded and not reached yet), the others write elsewhere (a checkout session).
  std::atomic<bool> running{true};
  std::atomic<int> answered_during{0};
  std::set<std::string> canceled;
  std::thread requests([&] {
    for (int i = 0; running; ++i) {
      REQUIRE(f.store->writer().Run([&, i](Db& db) {
        if (i % 2) {
          db.Exec("INSERT INTO elsewhere (x) VALUES (1)");
          return Status::Ok();
        }
        auto& q = db.Cached(
            "UPDATE subscriptions SET status = 'canceled', next_action_at = NULL WHERE rowid = "
            "(SELECT max(rowid) FROM subscriptions WHERE next_action_at <= ?) RETURNING id");
        q.Args(due);
        if (q.Step()) canceled.insert(q.Text(0));
        q.Reset();
        return Status::Ok();
      }).ok());
      if (running) ++answered_during;
    }
  });
  auto run = f.Renew();
  running = false;
  requests.join();
  REQUIRE(run.ok());
  // Without giving way, no request would be answered until the one batch had committed.
  CHECK(answered_during >= 4);
  CHECK(canceled.size() >= 2);
  CHECK(run->renewed == kSubs - static_cast<int64_t>(canceled.size()));
  // Every row: its first payment, and one renewal unless it was canceled while still due.
  CHECK(f.Rows("SELECT count(*) FROM (SELECT subscription_id, count(*) AS n FROM payments "
               "GROUP BY subscription_id HAVING n != 2)") == static_cast<int64_t>(canceled.size()));
  for (const auto& id : canceled) {
    CHECK(f.Rows(fmt::format("SELECT count(*) FROM payments WHERE subscription_id = '{}'", id)) == 1);
  }
}

}  // namespace jopay
