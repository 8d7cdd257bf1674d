#include "daemon/providers/decimal.h"

#include <cstdlib>

namespace jopay::providers {

std::string MinorToDecimal(int64_t minor, int exponent) {
  // Unsigned magnitude: -INT64_MIN does not fit int64.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    size_t width = static_cast<size_t>(exponent) + 1;
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(exponent), 1, '.');
  }
  return minor < 0 ? "-" + digits : digits;
}

namespace {

// value * 10 + digit, false on overflow.
bool Push(int64_t& value, char digit) {
  return !__builtin_mul_overflow(value, 10, &value) &&
         !__builtin_add_overflow(value, digit - '0', &value);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<int64_t> DecimalToUnits(std::string_view text, int exponent, Rounding rounding) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? "" : text.substr(point + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : whole) {
    if (!IsDigit(c) || !Push(value, c)) return std::nullopt;
  }
  bool dropped = false;  // a non-zero digit beyond `exponent`
  for (size_t i = 0; i < fraction.size(); ++i) {
    char c = fraction[i];
    if (!IsDigit(c)) return std::nullopt;
    if (i < static_cast<size_t>(exponent)) {
      if (!Push(value, c)) return std::nullopt;
    } else {
      dropped |= c != '0';
    }
  }
  for (size_t i = fraction.size(); i < static_cast<size_t>(exponent); ++i) {
    if (!Push(value, '0')) return std::nullopt;
  }
  if (dropped && rounding == Rounding::kUp && __builtin_add_overflow(value, 1, &value)) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

}  // namespace jopay::providers
