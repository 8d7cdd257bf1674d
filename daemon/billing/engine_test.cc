#include "daemon/billing/engine.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include "daemon/billing/payments.h"
#include "daemon/billing/plans.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/events/outbox.h"
#include "daemon/providers/sandbox.h"
#include "daemon/store/store.h"
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
  Plan plan;

  Fixture() {
    plan.id = "plan_test";
    plan.name = "Pro";
    plan.amount = 1499;
    plan.currency = "eur";
    plan.interval = Interval::kMonth;
    plan.interval_count = 1;
    plan.active = true;
    Run([&](Db& db) {
      InsertPlan(db, plan);
      return Status::Ok();
    });
  }
  ~Fixture() { store->Close(); }
  template <class F>
  Status Run(F f) {
    return store->writer().Run(f);
  }
  Subscription Create(const std::string& email, const std::string& card, Status* payment) {
    Subscription sub;
    NewSubscription req{plan.id, email, "", card, std::nullopt, "{}"};
    REQUIRE(Run([&](Db& db) { return engine.Create(db, false, req, kJan31, &sub, payment); })
                .ok());
    return sub;
  }
  int64_t Rows(const std::string& sql) { return Count(store->reader(), sql); }
};

}  // namespace

TEST_CASE("Create charges the first period and writes the payment and the event with it") {
  Fixture f;
  Status payment;
  Subscription sub = f.Create("ada@example.com", "4242424242424242", &payment);
  CHECK(payment.ok());
  CHECK(sub.status == "active");
  CHECK(sub.next_action_at == kJan31 + 28 * kDay);  // Feb 28
  CHECK(f.Rows("SELECT count(*) FROM payments WHERE status='paid' AND amount=1499") == 1);
  auto events = ListEvents(f.store->reader(), false, "", sub.id, 0, 10, "");
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "subscription.created");
}

TEST_CASE("a declined first charge keeps the incomplete subscription and its failed payment") {
  Fixture f;
  Status payment;
  Subscription sub = f.Create("bob@example.com", "4000000000000341", &payment);
  CHECK(payment.kind() == Status::Kind::kPaymentFailed);
  CHECK(sub.status == "incomplete");
  CHECK(f.Rows("SELECT count(*) FROM payments WHERE status='failed'") == 1);
  CHECK(ListEvents(f.store->reader(), false, "", sub.id, 0, 10, "").empty());  // unannounced
}

TEST_CASE("RunDueRows renews a due period once; running the same rows again charges nothing") {
  Fixture f;
  Status payment;
  Subscription sub = f.Create("cy@example.com", "4242424242424242", &payment);
  UnixSeconds due = *sub.next_action_at;
  for (int run = 0; run < 2; ++run) {
    Summary summary;
    REQUIRE(f.Run([&](Db& db) {
               auto rows = LoadDue(db, due, 100);
               f.engine.RunDueRows(db, rows, due, false, due, summary);
               return Status::Ok();
             }).ok());
    CHECK(summary.renewed == (run == 0 ? 1 : 0));
  }
  CHECK(f.Rows("SELECT count(*) FROM payments WHERE status='paid'") == 2);
  auto s = LoadSubscription(f.store->reader(), sub.id, false);
  CHECK(s->current_period_start == due);
}

TEST_CASE("RunDueRows runs overdue rows at the window's start and counts them caught up") {
  Fixture f;
  Status payment;
  Subscription sub = f.Create("dee@example.com", "4242424242424242", &payment);
  UnixSeconds start = *sub.next_action_at + 5 * kDay;  // five days late
  Summary summary;
  REQUIRE(f.Run([&](Db& db) {
             auto rows = LoadDue(db, start, 100);
             f.engine.RunDueRows(db, rows, start, true, start, summary);
             return Status::Ok();
           }).ok());
  CHECK(summary.renewed == 1);
  CHECK(summary.work["caught_up"] == 1);
  CHECK(f.Rows(fmt::format("SELECT count(*) FROM payments WHERE created_at={}", start)) == 1);
}

TEST_CASE("Pause then Resume inside a paid period writes no payment") {
  Fixture f;
  Status payment;
  Subscription sub = f.Create("eve@example.com", "4242424242424242", &payment);
  Subscription out;
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(f.Run([&](Db& db) { return f.engine.Pause(db, false, sub.id, kJan31 + i, &out); })
                .ok());
    REQUIRE(f.Run([&](Db& db) { return f.engine.Resume(db, false, sub.id, kJan31 + i, &out); })
                .ok());
  }
  CHECK(out.status == "active");
  CHECK(f.Rows("SELECT count(*) FROM payments") == 1);
}

}  // namespace jopay
