#include "cli/output.h"

#include <boost/json/serialize.hpp>

#include "cli/columns.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

void Pretty(std::string& out, const json::value& v, int depth) {
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : v.as_object()) {
      if (!first) out += ",\n";
      first = false;
      Indent(out, depth + 1);
      out += json::serialize(json::string(key)) + ": ";
      Pretty(out, value, depth + 1);
    }
    out += '\n';
    Indent(out, depth);
    out += '}';
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& value : v.as_array()) {
      if (!first) out += ",\n";
      first = false;
      Indent(out, depth + 1);
      Pretty(out, value, depth + 1);
    }
    out += '\n';
    Indent(out, depth);
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

// One element of a top-level array as PrettyJson indents it, so a list printed
// page by page reads the same as one printed whole.
std::string ArrayElement(const json::value& v) {
  std::string out;
  Indent(out, 1);
  Pretty(out, v, 1);
  return out;
}

void PrintId(std::ostream& out, const json::value& v) {
  if (!v.is_object()) return;
  if (const json::value* id = v.as_object().if_contains("id"); id && id->is_string()) {
    out << std::string_view(id->as_string()) << '\n';
  }
}

bool IsTableOfObjects(const json::value& v) {
  if (!v.is_array() || v.as_array().empty()) return false;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) return false;
  }
  return true;
}

// Rows for one object: scalars as they are, nested objects flattened as
// "parent.key", arrays of objects left for their own table.
void Flatten(const json::object& o, const std::string& prefix, std::vector<KeyValue>& rows) {
  for (const auto& [k, v] : o) {
    std::string key = prefix + std::string(k);
    if (IsTableOfObjects(v)) continue;
    if (v.is_object() && !v.as_object().empty()) {
      Flatten(v.as_object(), key + ".", rows);
      continue;
    }
    Cell cell{ScalarText(&v)};
    if (v.is_object() || cell.text.empty()) cell.text = "-";  // e.g. no metadata, no name
    if (IsAmountField(k)) cell.text = MoneyText(o, k);
    if (k == "status") cell.color = StatusColor(cell.text);
    rows.push_back({key, cell});
  }
}

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "ndjson") return Format::kNdjson;
  if (name == "id") return Format::kId;
  return Status::Invalid("unknown output format \"" + std::string(name) +
                             "\" (table, json, ndjson or id)",
                         "output");
}

std::string PrettyJson(const json::value& v) {
  std::string out;
  Pretty(out, v, 0);
  out += '\n';
  return out;
}

void Printer::List(const json::array& items, std::string_view object) {
  ListBegin(object);
  ListPage(items);
  ListEnd();
}

void Printer::ListBegin(std::string_view object) {
  listed_ = 0;
  if (format_ != Format::kTable) return;
  columns_ = &ColumnsFor(object);
  std::vector<std::string> headers;
  for (const auto& c : *columns_) headers.push_back(c.header);
  table_ = std::make_unique<Table>(headers);
}

void Printer::ListPage(const json::array& items) {
  for (const auto& item : items) {
    switch (format_) {
      case Format::kJson: out_ << (listed_ == 0 ? "[\n" : ",\n") << ArrayElement(item); break;
      case Format::kNdjson: out_ << json::serialize(item) << '\n'; break;
      case Format::kId: PrintId(out_, item); break;
      case Format::kTable: AddTableRow(item); break;
    }
    ++listed_;
  }
  if (format_ != Format::kTable) out_.flush();
}

void Printer::AddTableRow(const json::value& item) {
  if (!item.is_object()) return;
  std::vector<Cell> cells;
  for (const auto& c : *columns_) cells.push_back(c.cell(item.as_object()));
  table_->AddRow(std::move(cells));
}

void Printer::ListEnd() {
  if (format_ == Format::kJson) out_ << (listed_ == 0 ? "[]\n" : "\n]\n");
  if (format_ == Format::kTable && table_) table_->Print(out_, color_);
  table_.reset();
}

void Printer::Object(const json::value& v) {
  switch (format_) {
    case Format::kJson: out_ << PrettyJson(v); return;
    case Format::kNdjson: out_ << json::serialize(v) << '\n'; return;
    case Format::kId: PrintId(out_, v); return;
    case Format::kTable: break;
  }
  if (v.is_object()) {
    ObjectTable(v.as_object());
  } else {
    out_ << ScalarText(&v) << '\n';
  }
}

void Printer::ObjectTable(const json::object& o) {
  std::vector<KeyValue> rows;
  Flatten(o, "", rows);
  PrintKeyValues(out_, rows, color_);
  for (const auto& [k, v] : o) {
    if (!IsTableOfObjects(v)) continue;
    out_ << '\n' << std::string(k) << ":\n";
    const json::value* type = v.as_array().front().as_object().if_contains("object");
    std::string object = type && type->is_string() ? std::string(type->as_string()) : "";
    List(v.as_array(), object);
  }
}

void Printer::Report(const json::value& v, const std::vector<KeyValue>& rows) {
  switch (format_) {
    case Format::kJson: out_ << PrettyJson(v); return;
    case Format::kNdjson: out_ << json::serialize(v) << '\n'; return;
    case Format::kId: return;
    case Format::kTable: PrintKeyValues(out_, rows, color_); return;
  }
}

}  // namespace jopay::cli
