#include "daemon/pages/invoice_text.h"

#include <doctest/doctest.h>

namespace jopay::pages {
namespace {

Invoice Open() {
  Invoice inv;
  inv.kind = "invoice";
  inv.status = "open";
  inv.currency = "usd";
  inv.subtotal = inv.total = 2998;
  inv.amount_paid = 1000;
  return inv;
}

TEST_CASE("InvoiceMarks: an open invoice has none; paid, void and credit notes are stamped") {
  Invoice inv = Open();
  CHECK(InvoiceMarks(inv).empty());
  inv.status = "paid";
  CHECK(InvoiceMarks(inv) == std::vector<std::string>{"PAID"});
  inv.status = "void";
  inv.kind = "credit_note";
  CHECK(InvoiceMarks(inv) == std::vector<std::string>{"CREDIT NOTE", "VOID"});
  CHECK(InvoiceTitle(inv) == "Credit note");
}

TEST_CASE("PeriodText: UTC dates with an en dash, one end alone, or nothing") {
  CHECK(PeriodText(1739188800, 1741608000) == "2025-02-10 \u2013 2025-03-10");
  CHECK(PeriodText(1739188800, std::nullopt) == "from 2025-02-10");
  CHECK(PeriodText(std::nullopt, std::nullopt).empty());
  CHECK(IsoDate(1739231999) == "2025-02-10");  // 23:59:59 UTC is still that day
}

TEST_CASE("InvoiceTotals: what is due is the API's amount_due, and nothing once not open") {
  Invoice inv = Open();
  std::vector<TotalRow> rows = InvoiceTotals(inv);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].amount == "29.98 USD");
  CHECK(rows[4].id == "amount-due");
  CHECK(rows[4].amount == "19.98 USD");
  inv.status = "void";
  CHECK(InvoiceTotals(inv)[4].amount == "0.00 USD");
}

TEST_CASE("InvoiceTotals: a credit note shows its total and no payment rows") {
  Invoice inv = Open();
  inv.kind = "credit_note";
  inv.subtotal = inv.total = -500;
  std::vector<TotalRow> rows = InvoiceTotals(inv);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].amount == "-5.00 USD");
}

}  // namespace
}  // namespace jopay::pages
