#include "cli/table.h"

#include <doctest/doctest.h>

#include <sstream>

namespace jopay::cli {

TEST_CASE("table: columns are aligned under their headers, two spaces apart") {
  Table t({"ID", "STATUS", "EMAIL"});
  t.AddRow({{"sub_1"}, {"active"}, {"ann@example.com"}});
  t.AddRow({{"sub_22222"}, {"past_due"}, {"bo@example.com"}});
  std::ostringstream out;
  t.Print(out, false);
  CHECK(out.str() ==
        "ID         STATUS    EMAIL\n"
        "sub_1      active    ann@example.com\n"
        "sub_22222  past_due  bo@example.com\n");
}

TEST_CASE("table: no trailing blanks, even when the last cells are empty") {
  Table t({"ID", "FAILURE"});
  t.AddRow({{"pay_1"}, {""}});
  t.AddRow({{"pay_2"}});  // short rows are padded
  std::ostringstream out;
  t.Print(out, false);
  CHECK(out.str() == "ID     FAILURE\npay_1\npay_2\n");
}

TEST_CASE("table: colour escapes do not count toward the width") {
  Table t({"STATUS", "ID"});
  t.AddRow({{"active", "32"}, {"sub_1"}});
  t.AddRow({{"expired", "31"}, {"sub_2"}});
  std::ostringstream colored, plain;
  t.Print(colored, true);
  t.Print(plain, false);
  CHECK(colored.str().find("\x1b[32mactive\x1b[0m   sub_1") != std::string::npos);
  CHECK(plain.str().find("\x1b") == std::string::npos);
}

TEST_CASE("table: widths count UTF-8 code points, not bytes") {
  CHECK(DisplayWidth("zoë") == 3);
  CHECK(DisplayWidth("€") == 1);
  Table t({"NAME", "X"});
  t.AddRow({{"zoë"}, {"1"}});
  std::ostringstream out;
  t.Print(out, false);
  CHECK(out.str() == "NAME  X\nzoë   1\n");
}

TEST_CASE("key/value view aligns values after the longest key") {
  std::ostringstream out;
  PrintKeyValues(out, {{"id", {"sub_1"}}, {"customer_email", {"a@b.c"}}}, false);
  CHECK(out.str() == "id              sub_1\ncustomer_email  a@b.c\n");
}

TEST_CASE("statuses have colours; other words do not") {
  CHECK(StatusColor("active") == "32");
  CHECK(StatusColor("expired") == "31");
  CHECK(StatusColor("past_due") == "33");
  CHECK(StatusColor("hello").empty());
}

}  // namespace jopay::cli
