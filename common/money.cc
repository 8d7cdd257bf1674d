#include "common/money.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

namespace jopay {
namespace {

// ISO 4217 list one: the currencies in circulation and fund codes, without
// precious metals, SDR, test and "no currency" codes (they have no minor
// unit), without withdrawn HRK (Croatia uses eur since 2023), with the 2024
// zwg and the 2025 xcg, and keeping ang/sll/zwl/cuc that are being phased out
// but still appear on older accounts. Sorted by code for binary search.
constexpr auto kCurrencies = std::to_array<Currency>({
    {"aed", 2}, {"afn", 2}, {"all", 2}, {"amd", 2}, {"ang", 2}, {"aoa", 2}, {"ars", 2},
    {"aud", 2}, {"awg", 2}, {"azn", 2}, {"bam", 2}, {"bbd", 2}, {"bdt", 2}, {"bgn", 2},
    {"bhd", 3}, {"bif", 0}, {"bmd", 2}, {"bnd", 2}, {"bob", 2}, {"bov", 2}, {"brl", 2},
    {"bsd", 2}, {"btn", 2}, {"bwp", 2}, {"byn", 2}, {"bzd", 2}, {"cad", 2}, {"cdf", 2},
    {"che", 2}, {"chf", 2}, {"chw", 2}, {"clf", 4}, {"clp", 0}, {"cny", 2}, {"cop", 2},
    {"cou", 2}, {"crc", 2}, {"cuc", 2}, {"cup", 2}, {"cve", 2}, {"czk", 2}, {"djf", 0},
    {"dkk", 2}, {"dop", 2}, {"dzd", 2}, {"egp", 2}, {"ern", 2}, {"etb", 2}, {"eur", 2},
    {"fjd", 2}, {"fkp", 2}, {"gbp", 2}, {"gel", 2}, {"ghs", 2}, {"gip", 2}, {"gmd", 2},
    {"gnf", 0}, {"gtq", 2}, {"gyd", 2}, {"hkd", 2}, {"hnl", 2}, {"htg", 2}, {"huf", 2},
    {"idr", 2}, {"ils", 2}, {"inr", 2}, {"iqd", 3}, {"irr", 2}, {"isk", 0}, {"jmd", 2},
    {"jod", 3}, {"jpy", 0}, {"kes", 2}, {"kgs", 2}, {"khr", 2}, {"kmf", 0}, {"kpw", 2},
    {"krw", 0}, {"kwd", 3}, {"kyd", 2}, {"kzt", 2}, {"lak", 2}, {"lbp", 2}, {"lkr", 2},
    {"lrd", 2}, {"lsl", 2}, {"lyd", 3}, {"mad", 2}, {"mdl", 2}, {"mga", 2}, {"mkd", 2},
    {"mmk", 2}, {"mnt", 2}, {"mop", 2}, {"mru", 2}, {"mur", 2}, {"mvr", 2}, {"mwk", 2},
    {"mxn", 2}, {"mxv", 2}, {"myr", 2}, {"mzn", 2}, {"nad", 2}, {"ngn", 2}, {"nio", 2},
    {"nok", 2}, {"npr", 2}, {"nzd", 2}, {"omr", 3}, {"pab", 2}, {"pen", 2}, {"pgk", 2},
    {"php", 2}, {"pkr", 2}, {"pln", 2}, {"pyg", 0}, {"qar", 2}, {"ron", 2}, {"rsd", 2},
    {"rub", 2}, {"rwf", 0}, {"sar", 2}, {"sat", 0}, {"sbd", 2}, {"scr", 2}, {"sdg", 2},
    {"sek", 2}, {"sgd", 2}, {"shp", 2}, {"sle", 2}, {"sll", 2}, {"sos", 2}, {"srd", 2},
    {"ssp", 2}, {"stn", 2}, {"svc", 2}, {"syp", 2}, {"szl", 2}, {"thb", 2}, {"tjs", 2},
    {"tmt", 2}, {"tnd", 3}, {"top", 2}, {"try", 2}, {"ttd", 2}, {"twd", 2}, {"tzs", 2},
    {"uah", 2}, {"ugx", 0}, {"usd", 2}, {"usn", 2}, {"uyi", 0}, {"uyu", 2}, {"uyw", 4},
    {"uzs", 2}, {"ved", 2}, {"ves", 2}, {"vnd", 0}, {"vuv", 0}, {"wst", 2}, {"xaf", 0},
    {"xcd", 2}, {"xcg", 2}, {"xof", 0}, {"xpf", 0}, {"yer", 2}, {"zar", 2}, {"zmw", 2},
    {"zwg", 2}, {"zwl", 2},
});

constexpr bool CodeLess(const Currency& a, const Currency& b) { return a.code < b.code; }
static_assert(std::is_sorted(kCurrencies.begin(), kCurrencies.end(), CodeLess),
              "kCurrencies must stay sorted for binary search");

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const Currency* FindCurrency(std::string_view code) {
  const std::string lower = AsciiLower(code);
  const Currency key{lower, 0};
  const auto it = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), key, CodeLess);
  if (it == kCurrencies.end() || it->code != lower) return nullptr;
  return &*it;
}

Result<std::string> NormalizeCurrency(std::string_view code) {
  const Currency* currency = FindCurrency(code);
  if (currency == nullptr) {
    return Status::Invalid(fmt::format("unknown currency \"{}\": expected an ISO 4217 code "
                                       "such as eur, usd, jpy, or sat",
                                       code),
                           "currency");
  }
  return std::string(currency->code);
}

Status ValidateAmount(int64_t amount, std::string_view param) {
  if (amount >= 1 && amount <= kMaxAmount) return Status::Ok();
  return Status::Invalid(fmt::format("{} must be a whole number of minor units between 1 and "
                                     "{}, got {}",
                                     param, kMaxAmount, amount),
                         std::string(param));
}

std::string FormatMoney(int64_t minor, std::string_view currency) {
  const Currency* c = FindCurrency(currency);
  const int exponent = c == nullptr ? 0 : c->exponent;
  const std::string unit = c != nullptr && c->code == "sat" ? "sat" : AsciiUpper(currency);
  // Unsigned magnitude so that INT64_MIN has one too.
  const uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor)
                                       : static_cast<uint64_t>(minor);
  const char* sign = minor < 0 ? "-" : "";
  if (exponent == 0) return fmt::format("{}{} {}", sign, magnitude, unit);
  uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  return fmt::format("{}{}.{:0{}} {}", sign, magnitude / scale, magnitude % scale, exponent,
                     unit);
}

}  // namespace jopay
