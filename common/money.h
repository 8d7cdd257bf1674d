// Money: int64 amounts in minor units plus a lowercase currency code.
//
// Codes are the ISO 4217 currencies in circulation (and the fund codes of
// list one), spelled lowercase as the store and API spell them, plus "sat"
// (satoshi, exponent 0) for Lightning. The exponent says how many minor units
// make a major one: eur 2 (cents), jpy 0, kwd 3.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jopay {

struct Currency {
  std::string_view code;  // lowercase
  int exponent;           // digits after the decimal point
};

// The currency for `code`, compared case-insensitively ("EUR", "eur");
// nullptr when the code is unknown or withdrawn. The result points into a
// static table and lives forever.
const Currency* FindCurrency(std::string_view code);

// The lowercase form of a known code; otherwise Status::Invalid with param
// "currency".
Result<std::string> NormalizeCurrency(std::string_view code);

// The largest amount accepted anywhere: a million of them still sum well
// inside int64, so totals never need overflow checks.
constexpr int64_t kMaxAmount = 999'999'999'999;

// Ok when 1 <= amount <= kMaxAmount; otherwise Status::Invalid naming
// `param`.
Status ValidateAmount(int64_t amount, std::string_view param = "amount");

// Human form for messages and tables: "14.99 EUR", "500 JPY", "1.000 KWD",
// "-0.05 USD", "10000 sat" (the unit stays lowercase, it is not ISO). An
// unknown code is shown uppercased with the raw minor units, since guessing
// an exponent could misstate the amount by a factor of 100.
std::string FormatMoney(int64_t minor, std::string_view currency);

}  // namespace jopay
