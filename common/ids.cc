#include "common/ids.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace jopay {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// The largest multiple of 62 that fits in a byte: bytes at or above it are
// redrawn, so each of the 62 characters is exactly equally likely.
constexpr unsigned kAcceptBelow = 62 * 4;  // 248

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void FillRandom(unsigned char* buf, size_t n) {
  if (RAND_bytes(buf, static_cast<int>(n)) != 1) {
    std::fputs("jopay: RAND_bytes failed; refusing to make predictable ids\n", stderr);
    std::abort();
  }
}

}  // namespace

std::string RandomBase62(size_t n) {
  std::string out;
  out.reserve(n);
  unsigned char buf[64];
  while (out.size() < n) {
    FillRandom(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= kAcceptBelow) continue;
      out.push_back(kBase62[b % 62]);
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string TimeBase62(int64_t millis) {
  std::string out(kIdTimeChars, '0');
  for (size_t i = kIdTimeChars; i-- > 0 && millis > 0; millis /= 62) out[i] = kBase62[millis % 62];
  return out;
}

std::string NewId(std::string_view prefix) {
  using namespace std::chrono;
  int64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string id(prefix);
  id += TimeBase62(ms);
  id += RandomBase62(kIdRandomChars - kIdTimeChars);
  return id;
}

bool HasIdPrefix(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + kIdRandomChars || !id.starts_with(prefix)) return false;
  for (char c : id.substr(prefix.size())) {
    if (!IsBase62(c)) return false;
  }
  return true;
}

}  // namespace jopay
