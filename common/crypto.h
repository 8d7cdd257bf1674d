// Crypto primitives over OpenSSL: SHA-256, HMAC-SHA256, hex and base64.
//
// Used for webhook signatures (X-JoPay-Signature, Standard Webhooks), for
// storing API keys as hashes, and for comparing secrets without leaking
// timing. Inputs and outputs are byte strings held in std::string.
#pragma once

#include <string>
#include <string_view>

namespace jopay {

// Lowercase hex of SHA-256(data): 64 characters.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256(key, data) as the raw 32-byte digest; hex or base64 it with the
// encoders below. Any key length, including empty, is accepted.
std::string HmacSha256(std::string_view key, std::string_view data);

// Lowercase hex, two characters per byte.
std::string HexEncode(std::string_view bytes);

// Standard base64 (RFC 4648 alphabet, "=" padding, no line breaks), as the
// Standard Webhooks signature uses.
std::string Base64Encode(std::string_view bytes);

// Decodes standard base64 (padding required, no whitespace); false on anything
// else, leaving `out` unspecified.
bool Base64Decode(std::string_view text, std::string& out);

// n bytes from the OS CSPRNG (OpenSSL RAND_bytes); aborts if it fails.
std::string RandomBytes(size_t n);

// a == b in time that depends only on the lengths, never on where the bytes
// differ. Different lengths compare unequal at once (lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace jopay
