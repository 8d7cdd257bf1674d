#include "daemon/billing/plans.h"

#include <doctest/doctest.h>

#include "daemon/store/store.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

namespace json = boost::json;

Result<PlanFlags> Parse(std::string_view text) { return ParsePaymentMethods(json::parse(text)); }

TEST_CASE("plan methods: card is allow_stripe and the others their own column") {
  auto flags = Parse(R"(["paypal", "card"])");
  REQUIRE(flags.ok());
  CHECK(flags->allow_stripe);
  CHECK(flags->allow_paypal);
  CHECK_FALSE(flags->allow_lightning);
  CHECK_FALSE(flags->allow_onchain);
}

TEST_CASE("plan methods: views list them in the fixed order whatever the request's order") {
  auto flags = Parse(R"(["paypal", "onchain", "lightning", "card"])");
  REQUIRE(flags.ok());
  CHECK(PaymentMethodNames(*flags) == json::array{"card", "lightning", "onchain", "paypal"});
  CHECK(PaymentMethodNames(PlanFlags{}) == json::array{"card", "lightning"});  // the defaults
}

TEST_CASE("plan methods: anything but a non-empty list of distinct names fails on the param") {
  for (const char* bad : {R"([])", R"(["stripe"])", R"(["Card"])", R"(["card", "card"])",
                          R"("card")", R"([1])", R"([null])", R"({"card": true})"}) {
    CAPTURE(bad);
    auto flags = Parse(bad);
    REQUIRE_FALSE(flags.ok());
    CHECK(flags.status().param() == "payment_methods");
  }
  CHECK(Parse("[]").status().message().find("payable") != std::string::npos);
}

TEST_CASE("plan methods: an admin body sets them; without payment_methods they stay") {
  Plan plan;
  plan.methods.allow_onchain = true;
  REQUIRE(ApplyAdminPlanFields(json::parse(R"({"name": "Renamed"})").as_object(), false, plan)
              .ok());
  CHECK(PaymentMethodNames(plan.methods) == json::array{"card", "lightning", "onchain"});
  REQUIRE(ApplyAdminPlanFields(json::parse(R"({"payment_methods": ["onchain"]})").as_object(),
                               false, plan)
              .ok());
  CHECK(PaymentMethodNames(plan.methods) == json::array{"onchain"});
  CHECK(plan.name == "Renamed");
}

TEST_CASE("plan methods: a plan's methods survive the store, on insert and on update") {
  testing::TempDir dir;
  auto store = std::move(*Store::Open(dir.file("jopay.db")));
  Plan plan;
  plan.id = "plan_methods";
  plan.name = "Pro";
  plan.amount = 1000;
  plan.currency = "eur";
  plan.methods = {false, true, false, true};  // onchain + paypal
  auto run = [&](auto fn) {
    REQUIRE(store->writer().Run([&](Db& db) { fn(db); return Status::Ok(); }).ok());
  };
  run([&](Db& db) { InsertPlan(db, plan); });
  auto loaded = LoadPlan(store->reader(), plan.id, false);
  REQUIRE(loaded.ok());
  CHECK(PaymentMethodNames(loaded->methods) == json::array{"onchain", "paypal"});
  CHECK(PaymentMethodNames(LoadPlanFlags(store->reader(), plan.id)) ==
        json::array{"onchain", "paypal"});
  plan.methods = {true, false, true, false};
  run([&](Db& db) { UpdatePlan(db, plan); });
  CHECK(PaymentMethodNames(LoadPlan(store->reader(), plan.id, false)->methods) ==
        json::array{"card", "lightning"});
  store->Close();
}

}  // namespace
}  // namespace jopay
