// The part of a payment or event id that spells its row's key, enciphered: ids are handed to
// customers (receipts, the portal, redirects) and must not tell how many payments or events
// a merchant has (issue 16, item 13), yet a row is still found from its id by its key, with no
// index on the id text (row_keys.h).
//
// A keyed permutation of [0, 62^8), the numbers 8 base62 characters spell: a balanced Feistel
// network of 8 rounds over 48 bits (SipHash-2-4 from libsodium as the round function), with
// cycle walking to stay inside the domain (62^8 is 78% of 2^48, so 1.3 rounds of the network
// per call on average). Each store has its own random key (meta 'row_id_key', made by
// migration 8), so ids of one store say nothing of another's.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string_view>

namespace jopay {

class RowIdCipher {
 public:
  static constexpr int64_t kDomain = 218'340'105'584'896;  // 62^8

  // `hex_key`: 32 hex digits. Throws std::invalid_argument otherwise.
  explicit RowIdCipher(std::string_view hex_key);

  // Requires 0 <= n < kDomain; the result is in the same range. Decrypt(Encrypt(n)) == n.
  int64_t Encrypt(int64_t n) const;
  int64_t Decrypt(int64_t n) const;

 private:
  uint32_t Round(uint32_t round, uint32_t half) const;
  int64_t Forward(int64_t n) const;
  int64_t Backward(int64_t n) const;

  unsigned char key_[crypto_shorthash_KEYBYTES];
};

}  // namespace jopay
