// Base58 as Solana spells public keys and transaction signatures (the Bitcoin alphabet: no 0,
// O, I or l), and the two shapes jopayd accepts from a customer's wallet.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jopay::solana {

// The bytes `text` spells, or nullopt when a character is outside the alphabet. Each leading
// '1' is a leading zero byte. Text longer than 128 characters is refused (nullopt): nothing
// jopayd reads is longer, and decoding is quadratic in the length.
std::optional<std::vector<uint8_t>> DecodeBase58(std::string_view text);

// Ok when `text` is base58 of exactly 32 bytes (an account address: a wallet, a PDA);
// otherwise kInvalid naming `param` ("parameter_invalid").
Status CheckPubkey(std::string_view text, std::string_view param);
// Ok when `text` is base58 of exactly 64 bytes (an ed25519 transaction signature).
Status CheckSignature(std::string_view text, std::string_view param);

}  // namespace jopay::solana
