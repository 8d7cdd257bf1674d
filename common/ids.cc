#include "common/ids.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
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

// Random bytes from OpenSSL's CSPRNG, drawn 4 KiB at a time per thread: one RAND_bytes call
// per id cost ~1 us (OpenSSL 3 looks up its DRBG per call), two ids per renewal.
class RandomPool {
 public:
  void Fill(unsigned char* out, size_t n) {
    while (n > 0) {
      if (used_ == sizeof pool_) Refill();
      size_t take = std::min(n, sizeof pool_ - used_);
      std::memcpy(out, pool_ + used_, take);
      std::memset(pool_ + used_, 0, take);  // handed-out bytes do not linger
      used_ += take;
      out += take;
      n -= take;
    }
  }

 private:
  void Refill() {
    if (RAND_bytes(pool_, sizeof pool_) != 1) {
      std::fputs("jopay: RAND_bytes failed; refusing to make predictable ids\n", stderr);
      std::abort();
    }
    used_ = 0;
  }
  unsigned char pool_[4096];
  size_t used_ = sizeof pool_;
};

void FillRandom(unsigned char* buf, size_t n) {
  thread_local RandomPool pool;
  pool.Fill(buf, n);
}

// Appends n random base62 characters to out.
void AppendRandomBase62(std::string& out, size_t n) {
  unsigned char buf[32];
  while (n > 0) {
    FillRandom(buf, sizeof buf);
    for (unsigned char b : buf) {
      if (b >= kAcceptBelow) continue;
      out.push_back(kBase62[b % 62]);
      if (--n == 0) break;
    }
  }
}

// Appends value as kIdTimeChars base62 digits, most significant first.
void AppendFixedBase62(std::string& out, int64_t value) {
  char digits[kIdTimeChars];
  for (size_t i = kIdTimeChars; i-- > 0; value /= 62) digits[i] = kBase62[value % 62];
  out.append(digits, kIdTimeChars);
}

// prefix + value in kIdTimeChars digits + random characters, built in one allocation: ids are
// made twice per renewal.
std::string IdOf(std::string_view prefix, int64_t value) {
  std::string id;
  id.reserve(prefix.size() + kIdRandomChars);
  id.append(prefix);
  AppendFixedBase62(id, value);
  AppendRandomBase62(id, kIdRandomChars - kIdTimeChars);
  return id;
}
}  // namespace

std::string RandomBase62(size_t n) {
  std::string out;
  out.reserve(n);
  AppendRandomBase62(out, n);
  return out;
}

std::string TimeBase62(int64_t millis) {
  std::string out;
  AppendFixedBase62(out, millis);
  return out;
}

std::string NewId(std::string_view prefix) {
  using namespace std::chrono;
  int64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return IdOf(prefix, ms);
}

std::string RowId(std::string_view prefix, int64_t number) {
  constexpr int64_t kLimit = 218'340'105'584'896;  // 62^8: more would not fit the digits
  if (number < 0 || number >= kLimit) {
    throw std::out_of_range("RowId: " + std::to_string(number) + " out of range");
  }
  return IdOf(prefix, number);
}

std::optional<int64_t> RowIdNumber(std::string_view id, std::string_view prefix) {
  if (!HasIdPrefix(id, prefix)) return std::nullopt;
  int64_t number = 0;
  for (char c : id.substr(prefix.size(), kIdTimeChars)) {
    number = number * 62 + static_cast<int64_t>(kBase62.find(c));
  }
  return number;
}

bool HasIdPrefix(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + kIdRandomChars || !id.starts_with(prefix)) return false;
  for (char c : id.substr(prefix.size())) {
    if (!IsBase62(c)) return false;
  }
  return true;
}

}  // namespace jopay
