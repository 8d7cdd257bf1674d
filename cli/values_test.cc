#include "cli/values.h"

#include <doctest/doctest.h>

namespace jopay::cli {

TEST_CASE("metadata: k=v entries become a JSON object of strings") {
  auto m = ParseKeyValues({"team=blue", "note=a=b", "empty="});
  REQUIRE(m.ok());
  CHECK(m->at("team") == "blue");
  CHECK(m->at("note") == "a=b");  // only the first '=' splits
  CHECK(m->at("empty") == "");
}

TEST_CASE("metadata: bad forms are rejected naming the metadata param") {
  for (const char* bad : {"novalue", "=v", ""}) {
    auto m = ParseKeyValues({bad});
    CHECK_FALSE(m.ok());
    CHECK(m.status().param() == "metadata");
  }
  auto twice = ParseKeyValues({"a=1", "a=2"});
  CHECK_FALSE(twice.ok());
  CHECK(twice.status().message().find("given twice") != std::string::npos);
}

TEST_CASE("values: integers are whole numbers only") {
  CHECK(CheckValue(ValueKind::kInteger, "1499").empty());
  CHECK(CheckValue(ValueKind::kInteger, "-5").empty());
  for (const char* bad : {"14.99", "", "12abc", "1e3", "99999999999999999999"}) {
    CHECK_FALSE(CheckValue(ValueKind::kInteger, bad).empty());
  }
}

TEST_CASE("values: times and durations are checked with common/time") {
  CHECK(CheckValue(ValueKind::kTime, "2025-01-31T10:00:00Z").empty());
  CHECK_FALSE(CheckValue(ValueKind::kTime, "tomorrow").empty());
  CHECK(CheckValue(ValueKind::kDuration, "4d").empty());
  CHECK_FALSE(CheckValue(ValueKind::kDuration, "4 days").empty());
}

TEST_CASE("values: backup paths are made absolute against the cwd") {
  CHECK(AbsolutePath("b.db", "/home/op") == "/home/op/b.db");
  CHECK(AbsolutePath("../x/./b.db", "/home/op") == "/home/x/b.db");
  CHECK(AbsolutePath("/tmp/b.db", "/home/op") == "/tmp/b.db");
}

TEST_CASE("values: a comma list of choices keeps the order given and tolerates spaces") {
  const std::vector<std::string> methods = {"card", "lightning", "onchain", "paypal"};
  auto list = ParseChoiceList("onchain, card,", methods, "payment-methods");
  REQUIRE(list.ok());
  CHECK(*list == boost::json::array{"onchain", "card"});
}

TEST_CASE("values: a comma list refuses unknown, repeated and missing entries as usage errors") {
  const std::vector<std::string> methods = {"card", "lightning"};
  for (const char* bad : {"card,bitcoin", "Card", "card,card", "", " , "}) {
    auto list = ParseChoiceList(bad, methods, "payment-methods");
    REQUIRE_FALSE(list.ok());
    CHECK(list.status().code() == "usage");
    CHECK(list.status().message().find("--payment-methods") != std::string::npos);
  }
}

TEST_CASE("values: currency codes are lowercased") { CHECK(Lowercase("EUR") == "eur"); }

}  // namespace jopay::cli
