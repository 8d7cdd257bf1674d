// The words an invoice shows, shared by its two renderings (invoice_view.cc: HTML,
// invoice_pdf.cc: PDF) so that the page and the PDF always say the same thing. Plain text,
// not escaped: each rendering escapes or lays it out itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "daemon/billing/invoices.h"

namespace jopay::pages {

// "Invoice" or "Credit note".
std::string InvoiceTitle(const Invoice& inv);

// The stamps a reader must not miss, in order: "CREDIT NOTE" for a credit note, then "PAID",
// "VOID" or "UNCOLLECTIBLE" by status (an open invoice has none of those).
std::vector<std::string> InvoiceMarks(const Invoice& inv);

// "2025-02-10": the UTC calendar date.
std::string IsoDate(UnixSeconds t);

// "2025-02-10 – 2025-03-10" (an en dash), one end alone when the other is missing, "" when
// both are.
std::string PeriodText(std::optional<UnixSeconds> start, std::optional<UnixSeconds> end);

// What is still owed, by the same rule as the API's amount_due (InvoiceView in
// daemon/billing/invoices.cc), so a printed invoice never contradicts the API.
int64_t AmountDue(const Invoice& inv);

// One row of the totals box: a label, the amount formatted in the invoice's currency
// (FormatMoney), and whether it is a row to stand out (the total, what is due).
struct TotalRow {
  std::string id;  // "subtotal", "total", "amount-paid", "amount-credited", "amount-due"
  std::string label;
  std::string amount;
  bool strong = false;
};
// Invoices: subtotal, total, amount paid, amount credited, amount due. A credit note is not
// paid and owes nothing: subtotal and total only.
std::vector<TotalRow> InvoiceTotals(const Invoice& inv);

}  // namespace jopay::pages
