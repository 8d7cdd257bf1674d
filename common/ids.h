// Ids: a type prefix ("sub_", "cus_", ...) plus 24 random base62 characters.
//
// 24 base62 characters carry ~143 bits from the OS CSPRNG, so ids are
// unguessable and never collide in practice; the prefix tells a reader (and
// the API) what kind of object an id names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jopay {

// Random characters in each id after its prefix.
constexpr size_t kIdRandomChars = 24;

// n characters drawn uniformly from [0-9A-Za-z] using OpenSSL's RAND_bytes.
// Bytes that would bias the draw are rejected, not folded by modulo. Aborts
// the process if the CSPRNG fails: no id is better than a predictable one.
std::string RandomBase62(size_t n);

// prefix + kIdRandomChars random base62 characters. The prefix includes its
// trailing underscore, e.g. NewId("sub_") -> "sub_4eC39HqLyjWDarjtT1zdp7dc".
std::string NewId(std::string_view prefix);

// True when id is exactly prefix followed by kIdRandomChars base62
// characters: the shape NewId(prefix) produces.
bool HasIdPrefix(std::string_view id, std::string_view prefix);

}  // namespace jopay
