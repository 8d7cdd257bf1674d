#include "cli/csv.h"

#include <algorithm>

namespace jopay::cli {

namespace {

// "-1499", "0", "42": digits after an optional minus. A spreadsheet reads these
// as numbers, never as formulas.
bool IsWholeInteger(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string DefuseFormula(std::string_view field) {
  static constexpr std::string_view kTriggers = "=+-@\t\r";
  if (field.empty() || kTriggers.find(field.front()) == std::string_view::npos ||
      IsWholeInteger(field)) {
    return std::string(field);
  }
  return "'" + std::string(field);
}

std::string QuoteCsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void WriteCsvRow(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << QuoteCsvField(DefuseFormula(fields[i]));
  }
  out << "\r\n";
}

}  // namespace jopay::cli
