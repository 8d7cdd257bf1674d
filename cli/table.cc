#include "cli/table.h"

#include <algorithm>

namespace jopay::cli {

namespace {

void PrintCell(std::ostream& out, const Cell& cell, size_t width, bool last, bool color) {
  bool colored = color && !cell.color.empty();
  if (colored) out << "\x1b[" << cell.color << 'm';
  out << cell.text;
  if (colored) out << "\x1b[0m";
  if (last) return;
  size_t w = DisplayWidth(cell.text);
  out << std::string(width - std::min(w, width) + 2, ' ');
}

}  // namespace

size_t DisplayWidth(std::string_view s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void Table::AddRow(std::vector<Cell> cells) {
  cells.resize(std::max(cells.size(), headers_.size()));
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out, bool color) const {
  std::vector<size_t> widths;
  for (const auto& h : headers_) widths.push_back(DisplayWidth(h));
  for (const auto& row : rows_) {
    for (size_t i = 0; i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
    }
  }
  auto print_row = [&](const std::vector<Cell>& cells) {
    // Trailing empty cells print nothing, so lines carry no trailing blanks.
    size_t n = widths.size();
    while (n > 1 && cells[n - 1].text.empty()) --n;
    for (size_t i = 0; i < n; ++i) PrintCell(out, cells[i], widths[i], i + 1 == n, color);
    out << '\n';
  };
  std::vector<Cell> header;
  for (const auto& h : headers_) header.push_back({h});
  print_row(header);
  for (const auto& row : rows_) print_row(row);
}

void PrintKeyValues(std::ostream& out, const std::vector<KeyValue>& rows, bool color) {
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, DisplayWidth(r.key));
  for (const auto& r : rows) {
    PrintCell(out, {r.key}, width, r.value.text.empty(), false);
    PrintCell(out, r.value, 0, true, color);
    out << '\n';
  }
}

std::string StatusColor(std::string_view status) {
  static const std::vector<std::pair<std::string_view, std::string_view>> colors = {
      {"active", "32"},     {"paid", "32"},       {"completed", "32"},
      {"trialing", "36"},   {"pending", "33"},    {"incomplete", "33"},
      {"past_due", "33"},   {"paused", "33"},     {"canceled", "35"},
      {"cancelled", "35"},  {"refunded", "35"},   {"expired", "31"},
      {"failed", "31"},     {"revoked", "31"},
      {"enabled", "32"},    {"delivered", "32"},  {"disabled", "31"},
      {"sent", "32"},
  };
  for (const auto& [word, code] : colors) {
    if (word == status) return std::string(code);
  }
  return {};
}

}  // namespace jopay::cli
