#include "common/json_stringify.h"

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace jopay {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxSafeInteger = 9007199254740992;  // 2^53: every integer up to it is exact

bool IsArrayIndex(std::string_view key, uint64_t& index) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n >= 4294967295ULL) return false;  // 2^32 - 1 is not an index
  index = n;
  return true;
}

void Write(const json::value& v, std::string& out);

// A string as Boost.JSON escapes it (the same as JavaScript), appended without a temporary.
void WriteString(json::string_view text, std::string& out) {
  thread_local json::serializer sr;
  char buf[512];
  sr.reset(text);
  while (!sr.done()) out.append(sr.read(buf, sizeof(buf)));
}

void WriteObject(const json::object& o, std::string& out) {
  uint64_t ignored = 0;
  bool any_index = false;
  for (const auto& kv : o) any_index = any_index || IsArrayIndex(kv.key(), ignored);
  if (!any_index) {  // the common case: the object's own order
    out.push_back('{');
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out.push_back(',');
      first = false;
      WriteString(kv.key(), out);
      out.push_back(':');
      Write(kv.value(), out);
    }
    out.push_back('}');
    return;
  }
  // JavaScript keeps a key where it first appeared and the value it last had.
  std::vector<std::pair<std::string_view, const json::value*>> plain;
  std::vector<std::pair<uint64_t, const json::value*>> indexed;
  for (const auto& kv : o) {
    uint64_t index = 0;
    if (IsArrayIndex(kv.key(), index)) {
      bool seen = false;
      for (auto& e : indexed) {
        if (e.first == index) e.second = &kv.value(), seen = true;
      }
      if (!seen) indexed.emplace_back(index, &kv.value());
    } else {
      bool seen = false;
      for (auto& e : plain) {
        if (e.first == kv.key()) e.second = &kv.value(), seen = true;
      }
      if (!seen) plain.emplace_back(kv.key(), &kv.value());
    }
  }
  std::sort(indexed.begin(), indexed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out.push_back('{');
  bool first = true;
  auto member = [&](std::string_view key, const json::value* value) {
    if (!first) out.push_back(',');
    first = false;
    WriteString(json::string_view(key.data(), key.size()), out);
    out.push_back(':');
    Write(*value, out);
  };
  for (const auto& [index, value] : indexed) member(std::to_string(index), value);
  for (const auto& [key, value] : plain) member(key, value);
  out.push_back('}');
}

void Write(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: {
      int64_t n = v.get_int64();
      if (n >= -kMaxSafeInteger && n <= kMaxSafeInteger) {
        out += std::to_string(n);
      } else {
        out += JsNumber(static_cast<double>(n));
      }
      break;
    }
    case json::kind::uint64: {
      uint64_t n = v.get_uint64();
      if (n <= static_cast<uint64_t>(kMaxSafeInteger)) {
        out += std::to_string(n);
      } else {
        out += JsNumber(static_cast<double>(n));
      }
      break;
    }
    case json::kind::double_: out += JsNumber(v.get_double()); break;
    case json::kind::string: WriteString(v.get_string(), out); break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        Write(e, out);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: WriteObject(v.get_object(), out); break;
  }
}

}  // namespace

std::string JsNumber(double d) {
  if (std::isnan(d) || std::isinf(d)) return "null";
  if (d == 0) return "0";  // -0 too
  std::string sign = d < 0 ? "-" : "";
  // The shortest digits that read back as d: "d.dddde+XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), std::fabs(d), std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  // ECMAScript Number::toString: k digits, decimal point after n of them.
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    int shown = n - 1;
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += shown >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(shown));
  }
  return sign + out;
}

std::string JsStringify(const json::value& v) {
  std::string out;
  out.reserve(1024);
  Write(v, out);
  return out;
}

void JsStringifyTo(const json::value& v, std::string& out) { Write(v, out); }

void JsQuoteTo(std::string_view text, std::string& out) {
  WriteString(json::string_view(text.data(), text.size()), out);
}

}  // namespace jopay
