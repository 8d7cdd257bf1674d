#include "daemon/providers/decimal.h"

#include <doctest/doctest.h>

#include <cstdint>

namespace jopay::providers {

TEST_SUITE("push providers") {

TEST_CASE("minor units become major-unit text with exactly the currency's digits") {
  CHECK(MinorToDecimal(1499, 2) == "14.99");
  CHECK(MinorToDecimal(1490, 2) == "14.90");
  CHECK(MinorToDecimal(5, 2) == "0.05");
  CHECK(MinorToDecimal(-5, 2) == "-0.05");
  CHECK(MinorToDecimal(500, 0) == "500");
  CHECK(MinorToDecimal(1000, 3) == "1.000");
  CHECK(MinorToDecimal(0, 2) == "0.00");
  CHECK(MinorToDecimal(999'999'999'999, 2) == "9999999999.99");
  CHECK(MinorToDecimal(INT64_MIN, 0) == "-9223372036854775808");
}

TEST_CASE("BTC text becomes satoshis exactly, extra digits rounded the way asked") {
  CHECK(DecimalToUnits("0.00015000", 8, Rounding::kDown) == 15000);
  CHECK(DecimalToUnits("0.00015", 8, Rounding::kDown) == 15000);
  CHECK(DecimalToUnits("1", 8, Rounding::kDown) == 100'000'000);
  CHECK(DecimalToUnits("21000000.00000000", 8, Rounding::kDown) == 2'100'000'000'000'000);
  CHECK(DecimalToUnits(".5", 8, Rounding::kDown) == 50'000'000);
  CHECK(DecimalToUnits("12.", 0, Rounding::kDown) == 12);
  CHECK(DecimalToUnits("-0.00000001", 8, Rounding::kDown) == -1);
  // Lightning amounts carry millisatoshis: asked-for rounds up, received rounds down.
  CHECK(DecimalToUnits("0.00015000001", 8, Rounding::kUp) == 15001);
  CHECK(DecimalToUnits("0.00015000001", 8, Rounding::kDown) == 15000);
  CHECK(DecimalToUnits("0.00015000000", 8, Rounding::kUp) == 15000);
}

TEST_CASE("text that is not a plain decimal is refused, not guessed") {
  for (const char* bad : {"", ".", "-", "1e3", " 1", "1 ", "0x10", "1.2.3", "+1", "1,5",
                          "99999999999999999999", "92233720368.54775808"}) {
    CHECK_MESSAGE(!DecimalToUnits(bad, 8, Rounding::kDown), bad);
  }
}

}  // TEST_SUITE

}  // namespace jopay::providers
