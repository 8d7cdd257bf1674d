#include "cli/report_view.h"

#include <algorithm>

#include <fmt/core.h>

#include "cli/columns.h"
#include "cli/reports.h"
#include "common/money.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

int64_t IntAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

const json::object& ObjectAt(const json::object& o, std::string_view key) {
  static const json::object empty;
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : empty;
}

std::string Churned(const json::object& churned) {
  return fmt::format("{}: {} voluntary, {} failed payment", IntAt(churned, "total"),
                     IntAt(churned, "voluntary"), IntAt(churned, "failed_payment"));
}

std::string Recovery(const json::object& r) {
  int64_t went = IntAt(r, "went_past_due");
  if (went == 0) return "no subscription went past_due";
  int64_t bp = IntAt(r, "rate_bp");
  return fmt::format("{} of {} that went past_due ({}.{:02}%)", IntAt(r, "recovered"), went,
                     bp / 100, bp % 100);
}

std::string Revenue(const json::object& r, std::string_view cur) {
  return fmt::format("{}: paid {}, refunded {}", FormatMoney(IntAt(r, "net"), cur),
                     FormatMoney(IntAt(r, "payments"), cur), FormatMoney(IntAt(r, "refunds"), cur));
}

std::vector<json::object> Months(const json::object& figures) {
  std::vector<json::object> months;
  const json::value* v = figures.if_contains("months");
  if (!v || !v->is_array()) return months;
  for (const auto& m : v->as_array()) {
    if (m.is_object()) months.push_back(m.as_object());
  }
  return months;
}

void PrintMonths(std::ostream& out, const std::vector<json::object>& months,
                 std::string_view cur) {
  Table table({"MONTH", "MRR", "PAID", "REFUNDED", "REVENUE"});
  for (const auto& m : months) {
    table.AddRow({{Field(m, "month")},
                  {FormatMoney(IntAt(m, "mrr"), cur)},
                  {FormatMoney(IntAt(m, "payments"), cur)},
                  {FormatMoney(IntAt(m, "refunds"), cur)},
                  {FormatMoney(IntAt(m, "revenue"), cur)}});
  }
  table.Print(out, false);
}

// One chart: a title with the largest value, the bars, and the months ("01" .. "12") under
// them, each label as wide as its bar.
void PrintChart(std::ostream& out, std::string_view title, std::string_view key,
                const std::vector<json::object>& months, std::string_view cur) {
  std::vector<int64_t> values;
  std::string labels;
  for (const auto& m : months) {
    values.push_back(IntAt(m, key));
    std::string month = Field(m, "month");  // "2025-03"
    labels += (labels.empty() ? "" : " ") + month.substr(month.size() >= 2 ? month.size() - 2 : 0);
  }
  int64_t max = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  out << fmt::format("{} {} .. {}, max {}\n", title, Field(months.front(), "month"),
                     Field(months.back(), "month"), FormatMoney(max, cur))
      << Bars(values) << '\n'
      << labels << '\n';
}

}  // namespace

std::vector<KeyValue> ReportRows(const json::object& f, std::string_view cur) {
  return {
      {"MRR", {FormatMoney(IntAt(f, "mrr"), cur)}},
      {"ARR", {FormatMoney(IntAt(f, "arr"), cur)}},
      {"subscribers now", {StatusCounts(f.if_contains("subscribers"))}},
      {"new", {std::to_string(IntAt(f, "new_subscriptions"))}},
      {"churned", {Churned(ObjectAt(f, "churned"))}},
      {"reactivated", {std::to_string(IntAt(f, "reactivated"))}},
      {"recovered", {Recovery(ObjectAt(f, "recovery"))}},
      {"revenue", {Revenue(ObjectAt(f, "revenue"), cur)}},
  };
}

std::string Bars(const std::vector<int64_t>& values, size_t width) {
  static const char* const kLevels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  int64_t max = 0;
  for (int64_t v : values) max = std::max(max, v);
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ' ';
    if (values[i] <= 0) {
      out.append(width, ' ');
      continue;
    }
    // 1..8 eighths of the largest, rounded up: the smallest positive value still shows.
    auto level = static_cast<size_t>((static_cast<__int128>(values[i]) * 8 + max - 1) / max);
    for (size_t w = 0; w < width; ++w) out += kLevels[level - 1];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void PrintReport(std::ostream& out, const json::object& report, bool chart, bool color) {
  PrintKeyValues(out,
                 {{"period", {Field(report, "since") + " .. " + Field(report, "until")}},
                  {"now", {Field(report, "now")}}},
                 color);
  const json::object& currencies = ObjectAt(report, "currencies");
  if (currencies.empty()) out << "\nNo subscriptions or payments in this mode yet.\n";
  for (const auto& [code, v] : currencies) {
    if (!v.is_object()) continue;
    const json::object& figures = v.as_object();
    std::string cur(code);
    std::string upper = cur;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    out << '\n' << upper << '\n';
    PrintKeyValues(out, ReportRows(figures, cur), color);
    std::vector<json::object> months = Months(figures);
    if (months.empty()) continue;
    out << '\n';
    PrintMonths(out, months, cur);
    if (!chart) continue;
    size_t first = months.size() > kChartMonths ? months.size() - kChartMonths : 0;
    std::vector<json::object> last(months.begin() + static_cast<long>(first), months.end());
    out << '\n';
    PrintChart(out, "MRR", "mrr", last, cur);
    PrintChart(out, "revenue", "revenue", last, cur);
  }
}

}  // namespace jopay::cli
