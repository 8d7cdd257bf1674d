// Exact decimal text for the push providers' APIs, which speak in major units ("14.99" EUR,
// "0.00015" BTC) while jopayd keeps integers of minor units (cents, satoshis). Nothing here
// goes through a double: an amount must never be off by one unit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jopay::providers {

// `minor` units of a currency with `exponent` digits after the point, as decimal text with
// exactly that many digits: (1499, 2) -> "14.99", (500, 0) -> "500", (5, 3) -> "0.005",
// (-5, 2) -> "-0.05".
std::string MinorToDecimal(int64_t minor, int exponent);

enum class Rounding { kDown, kUp };

// Decimal text ("0.00015000", "1500", "-0.5", "12.") as an integer of units with `exponent`
// digits after the point (BTC text with exponent 8 gives satoshis). Digits beyond `exponent`
// round toward zero (kDown) or away from zero (kUp): what a customer is asked to pay rounds
// up, what came in rounds down. nullopt for anything else (exponents, spaces, overflow).
std::optional<int64_t> DecimalToUnits(std::string_view text, int exponent, Rounding rounding);

}  // namespace jopay::providers
