#include "daemon/providers/solana/base58.h"

#include <fmt/core.h>

#include <array>
#include <string>

namespace jopay::solana {

namespace {

constexpr std::string_view kAlphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t kMaxText = 128;

constexpr std::array<int8_t, 128> MakeDigits() {
  std::array<int8_t, 128> digits{};
  for (auto& d : digits) d = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    digits[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return digits;
}
constexpr std::array<int8_t, 128> kDigits = MakeDigits();

Status CheckBytes(std::string_view text, std::string_view param, size_t bytes, const char* what) {
  auto decoded = DecodeBase58(text);
  if (decoded && decoded->size() == bytes) return Status::Ok();
  return Status::Invalid(fmt::format("{} must be a base58 {} ({} bytes)", param, what, bytes),
                         std::string(param));
}

}  // namespace

std::optional<std::vector<uint8_t>> DecodeBase58(std::string_view text) {
  if (text.size() > kMaxText) return std::nullopt;
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // The number, big-endian, base 256: every digit multiplies it by 58 and adds itself.
  std::vector<uint8_t> number;
  for (size_t i = zeros; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    int digit = c < 128 ? kDigits[c] : -1;
    if (digit < 0) return std::nullopt;
    unsigned carry = static_cast<unsigned>(digit);
    for (auto it = number.rbegin(); it != number.rend(); ++it) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      number.insert(number.begin(), static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<uint8_t> out(zeros, 0);
  out.insert(out.end(), number.begin(), number.end());
  return out;
}

Status CheckPubkey(std::string_view text, std::string_view param) {
  return CheckBytes(text, param, 32, "account address");
}

Status CheckSignature(std::string_view text, std::string_view param) {
  return CheckBytes(text, param, 64, "transaction signature");
}

}  // namespace jopay::solana
