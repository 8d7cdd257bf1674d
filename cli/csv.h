// CSV as RFC 4180 writes it, made safe to open in a spreadsheet.
//
// Every line ends in CRLF. A field holding a comma, a double quote, CR or LF
// is quoted, its quotes doubled. A field a spreadsheet would take for a
// formula (starting with =, +, -, @, TAB or CR: OWASP's "CSV injection") gets
// a leading single quote, which spreadsheets show as text; a whole integer
// such as -1499 is left alone, so amounts and refunds stay numbers.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace jopay::cli {

// `field` with a leading ' when a spreadsheet would run it as a formula.
std::string DefuseFormula(std::string_view field);

// `field` quoted when RFC 4180 needs it (a comma, quote, CR or LF), else as is.
std::string QuoteCsvField(std::string_view field);

// One record: each field defused and quoted, separated by commas, then CRLF.
void WriteCsvRow(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace jopay::cli
