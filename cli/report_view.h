// The table view of `jopayctl report` (GET /v1/report): per currency, the figures as key/value
// lines, the months as a table and, on a terminal (or with --chart), MRR and revenue of the
// last 12 months as bar charts of Unicode blocks.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/table.h"

namespace jopay::cli {

// The months a chart shows at most: the last ones of the report.
inline constexpr size_t kChartMonths = 12;

// One currency's figures ("mrr", "churned", ...) as readable lines, money in `currency`.
std::vector<KeyValue> ReportRows(const boost::json::object& figures, std::string_view currency);

// One bar a value, ▁ to █ in eighths of the largest; a value of 0 (or less) is a blank and
// every bar is blank when none is above 0. Each bar is `width` cells wide.
std::string Bars(const std::vector<int64_t>& values, size_t width = 2);

// The whole answer: the period, then each currency's lines, its months and, if `chart`, its
// charts. `color` as for tables.
void PrintReport(std::ostream& out, const boost::json::object& report, bool chart, bool color);

}  // namespace jopay::cli
