#include "cli/values.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "cli/exit_code.h"
#include "common/time.h"

namespace jopay::cli {

namespace {

bool IsInteger(std::string_view s) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

std::string_view Trimmed(std::string_view s) {
  size_t first = s.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

std::string JoinChoices(const std::vector<std::string>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : ", ") + c;
  return out;
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

Result<boost::json::array> ParseChoiceList(std::string_view text,
                                           const std::vector<std::string>& choices,
                                           std::string_view option) {
  std::string name = "--" + std::string(option);
  boost::json::array out;
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = std::min(text.find(',', pos), text.size());
    std::string entry(Trimmed(text.substr(pos, comma - pos)));
    pos = comma + 1;
    if (entry.empty()) continue;
    if (std::find(choices.begin(), choices.end(), entry) == choices.end()) {
      return UsageError(name + ": \"" + entry + "\" is not one of " + JoinChoices(choices));
    }
    if (std::find(out.begin(), out.end(), boost::json::value(entry)) != out.end()) {
      return UsageError(name + ": \"" + entry + "\" is given twice");
    }
    out.emplace_back(entry);
  }
  if (out.empty()) return UsageError(name + " needs at least one of " + JoinChoices(choices));
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
