// Output: how an answer from jopayd reaches stdout in the chosen format.
//
//   table   aligned columns under a header for a list; a vertical key/value
//           view for one object; a readable report for status and summaries.
//           Statuses in colour when stdout is a terminal and NO_COLOR is unset.
//   json    the object, or an array (the list's data) for a list; indented.
//   ndjson  one compact object a line (a lone object is one line).
//   id      one id a line, for xargs; objects without an id print nothing.
//
// Data goes to stdout only; messages are the caller's, on stderr.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/table.h"
#include "common/status.h"

namespace jopay::cli {

enum class Format { kTable, kJson, kNdjson, kId };

struct Column;  // cli/columns.h

// "table", "json", "ndjson", "id"; anything else is Status::Invalid.
Result<Format> ParseFormat(std::string_view name);

// Indented JSON (two spaces), for -o json; ends with a newline.
std::string PrettyJson(const boost::json::value& v);

class Printer {
 public:
  Printer(Format format, std::ostream& out, bool color)
      : format_(format), out_(out), color_(color) {}

  Format format() const { return format_; }
  std::ostream& stream() { return out_; }

  // A page of a list: `object` names the element type ("subscription") so an
  // empty page still knows its columns.
  void List(const boost::json::array& items, std::string_view object);

  // A list that arrives in pages (--all): ListBegin, ListPage for each page in
  // order, ListEnd. The output is what List would print for all the pages'
  // objects at once: json one array, the table one header. ndjson, id and
  // json write (and flush) each page as it comes; the table waits for ListEnd,
  // since its column widths depend on every row. A list left unended (an
  // error midway) leaves json's array open, so it cannot pass for complete.
  void ListBegin(std::string_view object);
  void ListPage(const boost::json::array& items);
  void ListEnd();

  // One object. The table view lists every field (nested objects as
  // "parent.key", amounts as money) and then each array of objects as a table.
  void Object(const boost::json::value& v);

  // An answer whose table view is a report the caller builds (status,
  // summaries): the rows in table mode, `v` itself in json and ndjson, and
  // nothing in id mode.
  void Report(const boost::json::value& v, const std::vector<KeyValue>& rows);

 private:
  void ObjectTable(const boost::json::object& o);
  void AddTableRow(const boost::json::value& item);

  Format format_;
  std::ostream& out_;
  bool color_;
  // The list being printed: its columns and rows (table) or objects so far (json).
  const std::vector<Column>* columns_ = nullptr;
  std::unique_ptr<Table> table_;
  size_t listed_ = 0;
};

}  // namespace jopay::cli
