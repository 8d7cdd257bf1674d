#include "cli/commands.h"

#include <doctest/doctest.h>

#include <set>

namespace jopay::cli {

TEST_CASE("commands: names are unique and every command has a handler") {
  std::set<std::string> names;
  for (const auto& c : Commands()) {
    CAPTURE(c.Name());
    CHECK(names.insert(c.Name()).second);
    CHECK(static_cast<bool>(c.handler));
    CHECK_FALSE(c.summary.empty());
  }
  CHECK(FindCommand("subscriptions import") != nullptr);
  CHECK(FindCommand("webhooks add") != nullptr);
  CHECK(FindCommand("webhooks frobnicate") == nullptr);
}

TEST_CASE("commands: every verb belongs to a known noun") {
  for (const auto& c : Commands()) {
    if (c.verb.empty()) continue;
    bool known = false;
    for (const auto& n : Nouns()) known = known || n.name == c.noun;
    CHECK_MESSAGE(known, c.Name());
  }
}

TEST_CASE("commands: lists get --limit and --starting-after, destructive ones --confirm") {
  auto has = [](const CommandSpec& c, const std::string& name) {
    for (const auto& o : c.options) {
      if (o.name == name) return true;
    }
    return false;
  };
  for (const auto& c : Commands()) {
    CAPTURE(c.Name());
    CHECK(has(c, "limit") == c.list);
    CHECK(has(c, "starting-after") == c.list);
    CHECK(has(c, "confirm") == c.destructive);
  }
  for (const char* name : {"subscriptions cancel", "subscriptions pause", "plans archive",
                           "keys revoke", "subscriptions import"}) {
    CHECK_MESSAGE(FindCommand(name)->destructive, name);
  }
}

TEST_CASE("commands: amounts and counts are integers") {
  for (const auto& c : Commands()) {
    for (const auto& o : c.options) {
      if (o.name == "amount" || o.name == "limit" || o.name.ends_with("-days")) {
        CAPTURE(o.name);
        CHECK_MESSAGE(o.kind == ValueKind::kInteger, c.Name());
      }
    }
  }
}

}  // namespace jopay::cli
