// Ids: a type prefix ("sub_", "cus_", ...) plus 24 random base62 characters.
//
// 24 base62 characters carry ~143 bits from the OS CSPRNG, so ids are
// unguessable and never collide in practice; the prefix tells a reader (and
// the API) what kind of object an id names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jopay {

// Characters in each id after its prefix: kIdTimeChars of creation time, then random ones.
constexpr size_t kIdRandomChars = 24;
// The first 8 characters encode the creation time in milliseconds (base62, fixed width, so
// ids sort by creation). New rows then land at the right edge of every id index instead of on
// a random page: a renewal run writes far fewer pages. The other 16 characters (~95 bits)
// are random, so ids stay unguessable.
constexpr size_t kIdTimeChars = 8;

// n characters drawn uniformly from [0-9A-Za-z] using OpenSSL's RAND_bytes.
// Bytes that would bias the draw are rejected, not folded by modulo. Aborts
// the process if the CSPRNG fails: no id is better than a predictable one.
std::string RandomBase62(size_t n);

// prefix + 8 time characters + 16 random base62 characters. The prefix includes its
// trailing underscore, e.g. NewId("sub_") -> "sub_0TRh6qV24eC39HqLyjWDarjt".
std::string NewId(std::string_view prefix);

// millis as kIdTimeChars base62 digits, most significant first.
std::string TimeBase62(int64_t millis);

// The id of a row that is found by its primary key (payments and events: schema.sql,
// migrations 6 and 8): prefix + `number` as kIdTimeChars base62 digits + 16 random base62
// characters. Same shape as NewId's, so HasIdPrefix accepts both; still unguessable (~95
// random bits). `number` is the row's key enciphered (daemon/store/row_keys.h), so that ids do
// not tell how many rows there are. Requires 0 <= number < 62^8.
std::string RowId(std::string_view prefix, int64_t number);

// The number a RowId(prefix, number) id spells: its first kIdTimeChars characters after the
// prefix read as base62. Nullopt when `id` is not of the prefix's id shape. Any id of the shape
// decodes (an older one to its creation time or plain key), so a caller must check the row's id.
std::optional<int64_t> RowIdNumber(std::string_view id, std::string_view prefix);

// True when id is exactly prefix followed by kIdRandomChars base62
// characters: the shape NewId(prefix) produces.
bool HasIdPrefix(std::string_view id, std::string_view prefix);

}  // namespace jopay
