#include "common/money.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

namespace jopay {
namespace {

int ExponentOf(std::string_view code) {
  const Currency* c = FindCurrency(code);
  REQUIRE_MESSAGE(c != nullptr, code);
  return c->exponent;
}

TEST_CASE("FindCurrency is case-insensitive and returns the lowercase code") {
  const Currency* eur = FindCurrency("EUR");
  REQUIRE(eur != nullptr);
  CHECK(eur->code == "eur");
  CHECK(eur->exponent == 2);
  CHECK(FindCurrency("eur") == eur);
  CHECK(FindCurrency("Eur") == eur);
}

TEST_CASE("FindCurrency knows the exponents that differ from two") {
  for (const char* code : {"bif", "clp", "djf", "gnf", "isk", "jpy", "kmf", "krw", "pyg", "rwf",
                           "ugx", "uyi", "vnd", "vuv", "xaf", "xof", "xpf", "sat"}) {
    CHECK_MESSAGE(ExponentOf(code) == 0, code);
  }
  for (const char* code : {"bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"}) {
    CHECK_MESSAGE(ExponentOf(code) == 3, code);
  }
  CHECK(ExponentOf("clf") == 4);
  CHECK(ExponentOf("uyw") == 4);
  for (const char* code : {"usd", "gbp", "chf", "sek", "inr", "brl", "huf", "mga", "twd"}) {
    CHECK_MESSAGE(ExponentOf(code) == 2, code);
  }
}

TEST_CASE("FindCurrency finds the first, last and new codes of the table") {
  CHECK(FindCurrency("aed") != nullptr);
  CHECK(FindCurrency("zwl") != nullptr);
  CHECK(FindCurrency("zwg") != nullptr);
  CHECK(FindCurrency("xcg") != nullptr);
}

TEST_CASE("FindCurrency returns nullptr for unknown, withdrawn and non-money codes") {
  for (const char* code : {"", "e", "eu", "euro", "xyz", "hrk", "dem", "xau", "xxx", "xts",
                           "btc", "sats", " eur", "eur "}) {
    CHECK_MESSAGE(FindCurrency(code) == nullptr, code);
  }
}

TEST_CASE("NormalizeCurrency lowercases known codes and rejects the rest") {
  CHECK(*NormalizeCurrency("USD") == "usd");
  CHECK(*NormalizeCurrency("jpy") == "jpy");
  CHECK(*NormalizeCurrency("SAT") == "sat");
  const auto bad = NormalizeCurrency("ABC");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().kind() == Status::Kind::kInvalid);
  CHECK(bad.status().param() == "currency");
  CHECK(bad.status().message().find("ABC") != std::string::npos);
}

TEST_CASE("ValidateAmount accepts 1 through kMaxAmount") {
  CHECK(ValidateAmount(1).ok());
  CHECK(ValidateAmount(1499).ok());
  CHECK(ValidateAmount(kMaxAmount).ok());
}

TEST_CASE("ValidateAmount rejects zero, negatives and too much, naming the param") {
  for (int64_t bad : {int64_t{0}, int64_t{-1}, kMaxAmount + 1,
                      std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    const Status st = ValidateAmount(bad);
    CHECK_FALSE(st.ok());
    CHECK(st.kind() == Status::Kind::kInvalid);
    CHECK(st.param() == "amount");
  }
  CHECK(ValidateAmount(0, "unit_amount").param() == "unit_amount");
}

TEST_CASE("a million maximal amounts sum inside int64") {
  CHECK(kMaxAmount <= std::numeric_limits<int64_t>::max() / 1'000'000);
}

TEST_CASE("FormatMoney places the decimal point by exponent") {
  CHECK(FormatMoney(1499, "eur") == "14.99 EUR");
  CHECK(FormatMoney(1499, "EUR") == "14.99 EUR");
  CHECK(FormatMoney(5, "usd") == "0.05 USD");
  CHECK(FormatMoney(100, "usd") == "1.00 USD");
  CHECK(FormatMoney(0, "usd") == "0.00 USD");
  CHECK(FormatMoney(500, "jpy") == "500 JPY");
  CHECK(FormatMoney(1000, "kwd") == "1.000 KWD");
  CHECK(FormatMoney(12345, "clf") == "1.2345 CLF");
  CHECK(FormatMoney(10000, "sat") == "10000 sat");
}

TEST_CASE("FormatMoney handles negative amounts") {
  CHECK(FormatMoney(-1499, "eur") == "-14.99 EUR");
  CHECK(FormatMoney(-5, "usd") == "-0.05 USD");
  CHECK(FormatMoney(-500, "jpy") == "-500 JPY");
  CHECK(FormatMoney(std::numeric_limits<int64_t>::min(), "usd") ==
        "-92233720368547758.08 USD");
}

TEST_CASE("FormatMoney shows raw minor units for an unknown code") {
  CHECK(FormatMoney(1499, "xyz") == "1499 XYZ");
}

}  // namespace
}  // namespace jopay
