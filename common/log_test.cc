#include "common/log.h"

#include <doctest/doctest.h>

#include "common/ids.h"

namespace jopay {

TEST_CASE("secret keys, webhook secrets and card numbers never reach a record") {
  CHECK(RedactSecrets("key sk_live_51Habc9XYZ rejected") == "key [redacted] rejected");
  CHECK(RedactSecrets("rk_test_abc, whsec_Zm9vYmFy.") == "[redacted], [redacted].");
  CHECK(RedactSecrets("card 4242424242424242 declined") == "card [redacted] declined");
  CHECK(RedactSecrets("card 4242 4242 4242 4242!") == "card [redacted]!");
  CHECK(RedactSecrets("card 4000-0000-0000-0341") == "card [redacted]");
  // What must stay: times, amounts, ids with digits in them, a word that merely contains sk_.
  CHECK(RedactSecrets("2025-01-31T10:00:00Z 1499 eur at 1738317600") ==
        "2025-01-31T10:00:00Z 1499 eur at 1738317600");
  CHECK(RedactSecrets("task_live_x risk_test_y") == "task_live_x risk_test_y");
  CHECK(RedactSecrets("sub_1234567890123456789012ab") == "sub_1234567890123456789012ab");
  CHECK(RedactSecrets("12345678901234567890") == "12345678901234567890");  // 20 digits
}

TEST_CASE("the ids a message names become fields, by their prefix") {
  std::string sub = NewId("sub_"), pay = NewId("pay_");
  auto ids = IdsIn("charge " + pay + " of " + sub + " failed; sub_short is no id");
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] == std::pair<std::string, std::string>{"payment_id", pay});
  CHECK(ids[1] == std::pair<std::string, std::string>{"subscription_id", sub});
  CHECK(IdsIn("x" + sub).empty());        // inside a word: not an id
  CHECK(IdsIn(sub + "X").empty());        // longer than an id
}

}  // namespace jopay
