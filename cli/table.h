// Text tables for a terminal: aligned columns under a header, and the
// vertical "key  value" view of one object. Widths count UTF-8 code points,
// and colour escapes are added after padding so they never skew alignment.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace jopay::cli {

// A cell's text and, optionally, the ANSI SGR code to show it in ("32").
struct Cell {
  std::string text;
  std::string color = {};
};

// Display width of UTF-8 text: its code points (continuation bytes skipped).
size_t DisplayWidth(std::string_view s);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // A row with fewer cells than headers is padded with empty cells.
  void AddRow(std::vector<Cell> cells);
  size_t rows() const { return rows_.size(); }
  // Columns separated by two spaces, no trailing blanks; colour only if asked.
  void Print(std::ostream& out, bool color) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// One line a key, values aligned after the longest key plus two spaces.
struct KeyValue {
  std::string key;
  Cell value;
};
void PrintKeyValues(std::ostream& out, const std::vector<KeyValue>& rows, bool color);

// The ANSI colour for a status word (active: green, past_due: yellow,
// expired: red, ...); empty for words without one.
std::string StatusColor(std::string_view status);

}  // namespace jopay::cli
