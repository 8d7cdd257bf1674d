#include "daemon/billing/importer.h"

#include <doctest/doctest.h>

#include "daemon/billing/subscription_rows.h"
#include "daemon/providers/sandbox.h"
#include "daemon/store/store.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

using testing::TempDir;

constexpr UnixSeconds kNow = 1738317600;  // 2025-01-31T10:00:00Z

Providers SandboxOnly() {
  Providers p;
  p.sandbox = std::make_unique<SandboxProvider>();
  return p;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = std::move(*Store::Open(dir.file("jopay.db")));
  Engine engine{Policy{}, SandboxOnly()};
  Fixture() {
    Plan plan;
    plan.id = "plan_monthly";
    plan.name = "Pro";
    plan.amount = 1000;
    plan.currency = "eur";
    REQUIRE(store->writer()
                .Run([&](Db& db) {
                  InsertPlan(db, plan);
                  return Status::Ok();
                })
                .ok());
  }
  ~Fixture() { store->Close(); }

  // Imports `text` whole; the errors of its lines when any (nothing is committed then).
  std::vector<LineError> Import(const std::string& text) {
    ImportBatch batch(false);
    auto errors = batch.AddLines(store->reader(), engine, text, 1);
    if (!errors.empty()) return errors;
    REQUIRE(store->writer()
                .Run([&](Db& db) {
                  batch.Commit(db, engine.policy(), kNow);
                  return Status::Ok();
                })
                .ok());
    return {};
  }
  Subscription Only() {
    SubscriptionFilter all;
    auto subs = ListSubscriptions(store->reader(), all);
    REQUIRE(subs.size() == 1);
    return subs[0];
  }
};

}  // namespace

TEST_CASE("import: a trial that ended before the import starts at its end and is charged at once") {
  // Exported while trialing, imported after trial_end: the first charge is due now, and the
  // period does not start (at the import) after it ended (tests/fuzz/crashes/import_line/).
  Fixture f;
  REQUIRE(f.Import(R"({"email": "t@example.com", "plan": "plan_monthly", "status": "trialing",)"
                   R"( "trial_end": "2025-01-30T00:00:00Z"})")
              .empty());
  Subscription s = f.Only();
  CHECK(s.status == "trialing");
  CHECK(s.current_period_end == kNow - 86400 - 10 * 3600);
  CHECK(s.current_period_start == s.current_period_end);
  CHECK(s.trial_start == s.trial_end);
  CHECK(s.next_action == "renew");
  CHECK(s.next_action_at == s.current_period_end);
}

TEST_CASE("import: a running trial without a start starts at the import") {
  Fixture f;
  REQUIRE(f.Import(R"({"email": "t@example.com", "plan": "plan_monthly", "status": "trialing",)"
                   R"( "trial_end": "2025-02-14T00:00:00Z"})")
              .empty());
  Subscription s = f.Only();
  CHECK(s.current_period_start == kNow);
  CHECK(s.next_action == "trial_reminder");
}

TEST_CASE("import: a trialing line whose start is not before its trial_end is refused") {
  Fixture f;
  auto errors = f.Import(
      R"({"email": "t@example.com", "plan": "plan_monthly", "status": "trialing",)"
      R"( "current_period_start": "2025-02-14T00:00:00Z", "trial_end": "2025-02-14T00:00:00Z"})");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 1);
  CHECK(errors[0].param == "current_period_start");
  CHECK(errors[0].message == "current_period_start must be before trial_end");
  SubscriptionFilter all;
  CHECK(ListSubscriptions(f.store->reader(), all).empty());
}

}  // namespace jopay
