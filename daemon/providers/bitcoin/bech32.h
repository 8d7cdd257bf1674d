// Bech32 (BIP 173) as BOLT11 invoices and segwit v0 addresses spell it: a human-readable part,
// 5-bit groups of data and a 6-character checksum. jopayd writes these strings (the test-mode
// sandbox) and checks the ones providers hand it before showing them to a customer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jopay::bitcoin {

// Regroups bits: `from`-bit values into `to`-bit values, big-endian, zero-padding the last
// group when `pad` (8 -> 5 for data, 5 -> 8 when hashing an invoice's words).
std::vector<uint8_t> ConvertBits(const std::vector<uint8_t>& in, int from, int to, bool pad);
// hrp + "1" + data words in the bech32 alphabet + checksum. `hrp` is lowercase ASCII; there is
// no length limit (BOLT11 invoices exceed BIP 173's 90 characters).
std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& words);
struct Bech32 {
  std::string hrp;
  std::vector<uint8_t> words;  // without the checksum
};
// Decodes and checks a bech32 string (one case throughout; no length limit). False when it is
// not one: no separator, a character outside the alphabet, a bad checksum.
bool Bech32Decode(std::string_view text, Bech32* out);
// A segwit version 0 address (P2WPKH for a 20-byte program, P2WSH for 32) on network `hrp`
// ("bc", "tb", "bcrt").
std::string SegwitAddress(std::string_view hrp, const std::vector<uint8_t>& program);

}  // namespace jopay::bitcoin
