#include "daemon/pages/invoice_text.h"

#include "common/money.h"

namespace jopay::pages {

namespace {

bool IsCreditNote(const Invoice& inv) { return inv.kind == "credit_note"; }

}  // namespace

std::string InvoiceTitle(const Invoice& inv) {
  return IsCreditNote(inv) ? "Credit note" : "Invoice";
}

std::vector<std::string> InvoiceMarks(const Invoice& inv) {
  std::vector<std::string> marks;
  if (IsCreditNote(inv)) marks.push_back("CREDIT NOTE");
  if (inv.status == "paid") marks.push_back("PAID");
  if (inv.status == "void") marks.push_back("VOID");
  if (inv.status == "uncollectible") marks.push_back("UNCOLLECTIBLE");
  return marks;
}

std::string IsoDate(UnixSeconds t) { return FormatRfc3339(t).substr(0, 10); }

std::string PeriodText(std::optional<UnixSeconds> start, std::optional<UnixSeconds> end) {
  if (start && end) return IsoDate(*start) + " \u2013 " + IsoDate(*end);
  if (start) return "from " + IsoDate(*start);
  if (end) return "until " + IsoDate(*end);
  return "";
}

int64_t AmountDue(const Invoice& inv) {
  return inv.status == "open" ? inv.total - inv.amount_paid : 0;
}

std::vector<TotalRow> InvoiceTotals(const Invoice& inv) {
  auto money = [&](int64_t minor) { return FormatMoney(minor, inv.currency); };
  std::vector<TotalRow> rows = {{"subtotal", "Subtotal", money(inv.subtotal), false},
                                {"total", "Total", money(inv.total), true}};
  if (IsCreditNote(inv)) return rows;
  rows.push_back({"amount-paid", "Amount paid", money(inv.amount_paid), false});
  rows.push_back({"amount-credited", "Amount credited", money(inv.amount_credited), false});
  rows.push_back({"amount-due", "Amount due", money(AmountDue(inv)), true});
  return rows;
}

}  // namespace jopay::pages
