#include "daemon/providers/stripe/form.h"

#include <doctest/doctest.h>

namespace jopay::stripe {

TEST_CASE("EncodeForm spells nested fields with encoded brackets and escapes every value") {
  Form form = {{"amount", "1499"},
               {"metadata[jopay_key]", "sub_1:1738317600:1"},
               {"description", "Pro plan & more / 100%"},
               {"expand[]", "payment_intent"},
               {"name", "Zoë"}};
  CHECK(EncodeForm(form) ==
        "amount=1499&metadata%5Bjopay_key%5D=sub_1%3A1738317600%3A1&"
        "description=Pro%20plan%20%26%20more%20%2F%20100%25&expand%5B%5D=payment_intent&"
        "name=Zo%C3%AB");
  CHECK(EncodeForm({}).empty());
  CHECK(PercentEncode("a-b_c.d~e") == "a-b_c.d~e");
}

}  // namespace jopay::stripe
