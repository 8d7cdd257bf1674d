// What the fuzz targets share: how a broken invariant stops the run, and small independent
// checks (UTF-8, RFC 3339 shape) that do not reuse the code under test.
//
// A failed FUZZ_CHECK prints what did not hold and aborts: libFuzzer keeps the input as a
// crash, and the replay binary (replay_main.cc) stops with the file's name.
#pragma once

#include <fmt/core.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace jopay::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* what,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %s\n", file, line, what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Well-formed UTF-8 (RFC 3629): no stray continuation bytes, no overlong forms, no
// surrogates, nothing above U+10FFFF. Written here again on purpose: the targets check the
// daemon's own IsValidUtf8 with it.
inline bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;  // continuation bytes
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0)
      n = 1, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
      n = 2, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
      n = 3, cp = c & 0x07;
    else
      return false;
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// The input's fields: the text between `sep` bytes, at most `max` of them (the last takes
// the rest). Text fields keep the seeds readable and let the fuzzer splice them.
inline std::vector<std::string_view> Fields(std::string_view in, char sep, size_t max) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max) {
    size_t at = in.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(in.substr(0, at));
    in.remove_prefix(at + 1);
  }
  out.push_back(in);
  out.resize(max);
  return out;
}

}  // namespace jopay::fuzz

#define FUZZ_CHECK(cond, ...)                                                              \
  do {                                                                                     \
    if (!(cond)) ::jopay::fuzz::Fail(__FILE__, __LINE__, #cond, fmt::format(__VA_ARGS__)); \
  } while (0)
