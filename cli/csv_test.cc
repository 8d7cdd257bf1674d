#include "cli/csv.h"

#include <doctest/doctest.h>

#include <sstream>

namespace jopay::cli {

namespace {

std::string Row(const std::vector<std::string>& fields) {
  std::ostringstream out;
  WriteCsvRow(out, fields);
  return out.str();
}

}  // namespace

TEST_CASE("csv: plain fields are written as they are, lines end in CRLF") {
  CHECK(Row({"sub_1", "active", "ann@example.com", "1499", "eur"}) ==
        "sub_1,active,ann@example.com,1499,eur\r\n");
  CHECK(Row({"a", "", "c"}) == "a,,c\r\n");
  CHECK(Row({}) == "\r\n");
  CHECK(Row({"Zoë 東京"}) == "Zoë 東京\r\n");  // UTF-8 passes through untouched
}

TEST_CASE("csv: a comma, quote, CR or LF is quoted and quotes are doubled") {
  CHECK(QuoteCsvField("Smith, Ann") == "\"Smith, Ann\"");
  CHECK(QuoteCsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(QuoteCsvField("two\nlines") == "\"two\nlines\"");
  CHECK(QuoteCsvField("cr\rhere") == "\"cr\rhere\"");
  CHECK(QuoteCsvField("no-quotes needed; here") == "no-quotes needed; here");
  CHECK(Row({"a,b", "x"}) == "\"a,b\",x\r\n");
}

TEST_CASE("csv: a field that starts like a formula gets a leading quote") {
  for (std::string f : {"=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx",
                        "-", "=", "-1499.5", "- 5"}) {
    CAPTURE(f);
    CHECK(DefuseFormula(f) == "'" + f);
  }
  // Quoting comes after defusing, so the quote sits inside the quoted field.
  CHECK(Row({"=HYPERLINK(\"x\"),y"}) == "\"'=HYPERLINK(\"\"x\"\"),y\"\r\n");
  CHECK(Row({"\rcr"}) == "\"'\rcr\"\r\n");
}

TEST_CASE("csv: whole integers stay numbers, negative ones too") {
  for (std::string f : {"-1499", "0", "42", "-0"}) {
    CAPTURE(f);
    CHECK(DefuseFormula(f) == f);
  }
  CHECK(Row({"-500", "eur"}) == "-500,eur\r\n");
  // Only a leading trigger counts: a hyphen inside text is text.
  CHECK(DefuseFormula("ann-marie@example.com") == "ann-marie@example.com");
  CHECK(DefuseFormula("2025-01-31T10:00:00Z") == "2025-01-31T10:00:00Z");
}

}  // namespace jopay::cli
