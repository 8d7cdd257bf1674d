#include "cli/values.h"

#include <charconv>
#include <filesystem>

#include "common/time.h"

namespace jopay::cli {

namespace {

bool IsInteger(std::string_view s) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string CheckValue(ValueKind kind, std::string_view value) {
  switch (kind) {
    case ValueKind::kInteger:
      if (IsInteger(value)) return {};
      return "must be a whole number (amounts are in minor units: 1499 = 14.99)";
    case ValueKind::kKeyValue:
      if (auto eq = value.find('='); eq != std::string_view::npos && eq > 0) return {};
      return "must be KEY=VALUE with a non-empty key";
    case ValueKind::kTime:
      if (auto t = ParseRfc3339(value); !t.ok()) return t.status().message();
      return {};
    case ValueKind::kDuration:
      if (auto d = ParseDuration(value); !d.ok()) return d.status().message();
      return {};
    case ValueKind::kText:
    case ValueKind::kFile: return {};
  }
  return {};
}

Result<boost::json::object> ParseKeyValues(const std::vector<std::string>& entries) {
  boost::json::object out;
  for (const auto& e : entries) {
    if (std::string why = CheckValue(ValueKind::kKeyValue, e); !why.empty()) {
      return Status::Invalid("metadata \"" + e + "\" " + why, "metadata");
    }
    auto eq = e.find('=');
    std::string key = e.substr(0, eq);
    if (out.contains(key)) {
      return Status::Invalid("metadata key \"" + key + "\" is given twice", "metadata");
    }
    out[key] = e.substr(eq + 1);
  }
  return out;
}

std::string AbsolutePath(std::string_view path, std::string_view cwd) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(cwd) / p;
  return p.lexically_normal().string();
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace jopay::cli
