#include "daemon/store/row_id_cipher.h"

#include <stdexcept>
#include <string>

namespace jopay {

namespace {
constexpr int kRounds = 8;
constexpr uint32_t kHalfMask = (1u << 24) - 1;  // two halves of 24 bits: 48 bits in all

void Check(int64_t n) {
  if (n < 0 || n >= RowIdCipher::kDomain) {
    throw std::out_of_range("RowIdCipher: " + std::to_string(n) + " is outside [0, 62^8)");
  }
}
}  // namespace

RowIdCipher::RowIdCipher(std::string_view hex_key) {
  if (sodium_init() < 0) throw std::runtime_error("RowIdCipher: libsodium failed to start");
  size_t bin_len = 0;
  if (hex_key.size() != 2 * sizeof key_ ||
      sodium_hex2bin(key_, sizeof key_, hex_key.data(), hex_key.size(), nullptr, &bin_len,
                     nullptr) != 0 ||
      bin_len != sizeof key_) {
    throw std::invalid_argument("RowIdCipher: the key must be 32 hex digits");
  }
}

uint32_t RowIdCipher::Round(uint32_t round, uint32_t half) const {
  const unsigned char in[4] = {static_cast<unsigned char>(round),
                               static_cast<unsigned char>(half),
                               static_cast<unsigned char>(half >> 8),
                               static_cast<unsigned char>(half >> 16)};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, in, sizeof in, key_);
  return (out[0] | out[1] << 8 | out[2] << 16) & kHalfMask;
}

int64_t RowIdCipher::Forward(int64_t n) const {
  uint32_t left = static_cast<uint32_t>(n >> 24) & kHalfMask;
  uint32_t right = static_cast<uint32_t>(n) & kHalfMask;
  for (uint32_t r = 0; r < kRounds; ++r) {
    uint32_t next = left ^ Round(r, right);
    left = right;
    right = next;
  }
  return static_cast<int64_t>(left) << 24 | right;
}

int64_t RowIdCipher::Backward(int64_t n) const {
  uint32_t left = static_cast<uint32_t>(n >> 24) & kHalfMask;
  uint32_t right = static_cast<uint32_t>(n) & kHalfMask;
  for (uint32_t r = kRounds; r-- > 0;) {
    uint32_t prev = right ^ Round(r, left);
    right = left;
    left = prev;
  }
  return static_cast<int64_t>(left) << 24 | right;
}

// Cycle walking: the network permutes [0, 2^48); applying it again until the result falls in
// [0, kDomain) permutes [0, kDomain), and walking backwards the same way undoes it.
int64_t RowIdCipher::Encrypt(int64_t n) const {
  Check(n);
  do n = Forward(n); while (n >= kDomain);
  return n;
}

int64_t RowIdCipher::Decrypt(int64_t n) const {
  Check(n);
  do n = Backward(n); while (n >= kDomain);
  return n;
}

}  // namespace jopay
