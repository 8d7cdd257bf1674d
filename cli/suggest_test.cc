#include "cli/suggest.h"

#include <doctest/doctest.h>

namespace jopay::cli {

TEST_CASE("EditDistance counts insertions, deletions, substitutions and swaps") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("list", "list") == 0);
  CHECK(EditDistance("lst", "list") == 1);
  CHECK(EditDistance("lisst", "list") == 1);
  CHECK(EditDistance("lisk", "list") == 1);
  CHECK(EditDistance("subscriptoins", "subscriptions") == 1);  // one swap
  CHECK(EditDistance("abc", "") == 3);
}

TEST_CASE("ClosestWord suggests the one close command, and nothing when unsure") {
  std::vector<std::string> nouns = {"plans", "customers", "subscriptions", "payments", "sessions",
                                    "webhooks", "events", "keys", "clock", "status", "renew"};
  CHECK(ClosestWord("subscriptoins", nouns) == "subscriptions");
  CHECK(ClosestWord("subscription", nouns) == "subscriptions");
  CHECK(ClosestWord("paymnets", nouns) == "payments");
  CHECK(ClosestWord("plan", nouns) == "plans");
  CHECK(ClosestWord("xyz", nouns) == std::nullopt);
  CHECK(ClosestWord("invoices", nouns) == std::nullopt);
  CHECK(ClosestWord("get", {"set", "get"}) == "get");
  CHECK(ClosestWord("bet", {"set", "get"}) == std::nullopt);  // two equally close
}

}  // namespace jopay::cli
