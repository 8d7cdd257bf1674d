#include "daemon/pages/invoice_view.h"

#include "common/money.h"
#include "daemon/pages/html.h"
#include "daemon/pages/invoice_text.h"
#include "daemon/pages/page.h"

namespace jopay::pages {

namespace {

// A4 on paper (@page) and a sheet of the same width on screen. The font list names the faces
// the PDF embeds (invoice_pdf.cc) first, so a printout looks like the PDF where they exist.
constexpr std::string_view kCss = R"(
@page{size:A4;margin:16mm}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#eceef2;color:#1d2330;font:10pt/1.45 "DejaVu Sans","WenQuanYi Micro Hei",system-ui,sans-serif}
.sheet{width:210mm;max-width:100%;min-height:297mm;margin:1.5rem auto;padding:16mm;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.15)}
.banner{background:#fff4d6;color:#7a5200;text-align:center;padding:.3rem;font-weight:600;margin:0 0 1rem}
.top,.parties{display:flex;justify-content:space-between;gap:2rem;margin:0 0 1.5rem}
.issuer img{max-height:48px;max-width:12rem;display:block;margin:0 0 .4rem}
.merchant-name{font-size:14pt;font-weight:700}
.doc{text-align:right}
h1{font-size:18pt;margin:0}
h2{font-size:9pt;text-transform:uppercase;letter-spacing:.05em;color:#5b6475;margin:0 0 .3rem}
.number{font-weight:600}
.mark{display:inline-block;margin:.4rem 0 0 .4rem;padding:.1rem .6rem;border:2px solid;border-radius:4px;font-weight:700;letter-spacing:.08em}
.mark.paid{color:#14532d}.mark.void,.mark.uncollectible{color:#8a1c12}.mark.credit-note{color:#3454d1}
.addr{white-space:pre-line}
.muted{color:#5b6475}
table{border-collapse:collapse}
.meta th{text-align:left;font-weight:400;color:#5b6475;padding:0 1rem 0 0;vertical-align:top}
.meta td{padding:0}
.lines{width:100%;margin:0 0 1rem}
.lines th{text-align:left;font-weight:600;color:#5b6475;border-bottom:1px solid #c5cbd6;padding:.3rem .5rem .3rem 0}
.lines td{border-bottom:1px solid #e4e7ee;padding:.35rem .5rem .35rem 0;vertical-align:top}
.lines .n,.totals .n{text-align:right;white-space:nowrap;padding-right:0;padding-left:.5rem}
.totals{margin:0 0 0 auto;min-width:45%}
.totals td{padding:.2rem 0}
.totals tr.strong td{font-weight:700;border-top:1px solid #c5cbd6}
thead{display:table-header-group}
tr{break-inside:avoid}
footer{margin-top:2rem;border-top:1px solid #e4e7ee;padding-top:.6rem}
a{color:#3454d1}
@media print{
body{background:#fff}
.sheet{width:auto;min-height:0;margin:0;padding:0;box-shadow:none}
.noprint{display:none}
a{color:inherit;text-decoration:none}
}
)";

// Text from the invoice, isolated for the bidi algorithm (see the header).
std::string Bdi(std::string_view text) { return Fill("<bdi>{t}</bdi>", {{"t", text}}); }

std::string Issuer(const InvoiceIssuer& m) {
  std::string out;
  if (!m.logo_url.empty()) {
    out += Fill("<img id=\"merchant-logo\" src=\"{u}\" alt=\"{n}\">",
                {{"u", m.logo_url}, {"n", m.name}});
  }
  out += Fill("<div class=\"merchant-name\" id=\"merchant-name\">{!n}</div>", {{"n", Bdi(m.name)}});
  if (!m.address.empty()) {
    out += Fill("<div class=\"addr\" id=\"merchant-address\" dir=\"auto\">{a}</div>",
                {{"a", m.address}});
  }
  if (!m.tax_id.empty()) {
    out += Fill("<div id=\"merchant-tax-id\">Tax ID {!t}</div>", {{"t", Bdi(m.tax_id)}});
  }
  if (!m.support_email.empty()) {
    out += Fill("<div><a id=\"merchant-email\" href=\"mailto:{e}\">{!b}</a></div>",
                {{"e", m.support_email}, {"b", Bdi(m.support_email)}});
  }
  return Fill("<div class=\"issuer\">{!out}</div>", {{"out", out}});
}

std::string Marks(const Invoice& inv) {
  return Each(InvoiceMarks(inv), [](const std::string& mark) {
    std::string cls = mark == "CREDIT NOTE" ? "credit-note" : mark;
    for (char& c : cls) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return Fill("<span class=\"mark {cls}\">{m}</span>", {{"cls", cls}, {"m", mark}});
  });
}

std::string Heading(const Invoice& inv) {
  return Fill(
      "<div class=\"doc\"><h1 id=\"title\">{title}</h1>"
      "<div class=\"number\" id=\"number\">{!number}</div><div id=\"marks\">{!marks}</div></div>",
      {{"title", InvoiceTitle(inv)}, {"number", Bdi(inv.number)}, {"marks", Marks(inv)}});
}

// A row of the dates-and-status table; `value` is markup.
std::string MetaRow(std::string_view id, std::string_view label, std::string_view value) {
  return Fill("<tr><th>{label}</th><td id=\"{id}\">{!value}</td></tr>",
              {{"id", id}, {"label", label}, {"value", value}});
}

std::string Meta(const Invoice& inv) {
  std::string rows = MetaRow("issued", "Issued", DateHtml(inv.created_at));
  std::string period = PeriodText(inv.period_start, inv.period_end);
  if (!period.empty()) rows += MetaRow("period", "Period", Escape(period));
  if (inv.paid_at) rows += MetaRow("paid-at", "Paid", DateHtml(*inv.paid_at));
  if (inv.voided_at) rows += MetaRow("voided-at", "Voided", DateHtml(*inv.voided_at));
  rows += MetaRow("status", "Status", Escape(inv.status));
  if (inv.credit_for) rows += MetaRow("credit-for", "Credits invoice", Bdi(*inv.credit_for));
  if (inv.reason) rows += MetaRow("reason", "Reason", Bdi(*inv.reason));
  return Fill("<table class=\"meta\">{!rows}</table>", {{"rows", rows}});
}

std::string BillTo(const Invoice& inv) {
  std::string out = Fill("<div id=\"customer-name\">{!n}</div>", {{"n", Bdi(inv.customer_name)}});
  if (!inv.customer_email.empty()) {
    out += Fill("<div id=\"customer-email\">{!e}</div>", {{"e", Bdi(inv.customer_email)}});
  }
  if (!inv.customer_address.empty()) {
    out += Fill("<div class=\"addr\" id=\"customer-address\" dir=\"auto\">{a}</div>",
                {{"a", inv.customer_address}});
  }
  if (!inv.customer_tax_id.empty()) {
    out += Fill("<div id=\"customer-tax-id\">Tax ID {!t}</div>", {{"t", Bdi(inv.customer_tax_id)}});
  }
  return Fill("<div class=\"bill-to\" id=\"bill-to\"><h2>Bill to</h2>{!out}</div>", {{"out", out}});
}

std::string Lines(const Invoice& inv) {
  std::string rows = Each(inv.lines, [&](const InvoiceLine& l) {
    return Fill(
        "<tr class=\"line\"><td>{!desc}</td><td class=\"muted\">{period}</td>"
        "<td class=\"n\">{qty}</td><td class=\"n\">{unit}</td><td class=\"n\">{amount}</td></tr>",
        {{"desc", Bdi(l.description)},
         {"period", PeriodText(l.period_start, l.period_end)},
         {"qty", std::to_string(l.quantity)},
         {"unit", FormatMoney(l.unit_amount, inv.currency)},
         {"amount", FormatMoney(l.amount, inv.currency)}});
  });
  return Fill(
      "<table class=\"lines\" id=\"lines\"><thead><tr><th>Description</th><th>Period</th>"
      "<th class=\"n\">Qty</th><th class=\"n\">Unit price</th><th class=\"n\">Amount</th></tr>"
      "</thead><tbody>{!rows}</tbody></table>",
      {{"rows", rows}});
}

std::string Totals(const Invoice& inv) {
  std::string rows = Each(InvoiceTotals(inv), [](const TotalRow& r) {
    return Fill("<tr{!cls}><td>{label}</td><td class=\"n\" id=\"{id}\">{amount}</td></tr>",
                {{"cls", r.strong ? " class=\"strong\"" : ""},
                 {"label", r.label},
                 {"id", r.id},
                 {"amount", r.amount}});
  });
  return Fill("<table class=\"totals\" id=\"totals\">{!rows}</table>", {{"rows", rows}});
}

std::string Footer(const Invoice& inv, std::string_view pdf_url) {
  std::string support =
      inv.issuer.support_email.empty()
          ? std::string()
          : Fill("Questions about this {what}? <a href=\"mailto:{e}\">{!b}</a> ",
                 {{"what", inv.kind == "credit_note" ? "credit note" : "invoice"},
                  {"e", inv.issuer.support_email},
                  {"b", Bdi(inv.issuer.support_email)}});
  return Fill(
      "<footer class=\"muted\">{!support}<a class=\"noprint\" id=\"pdf\" href=\"{pdf}\">"
      "Download PDF</a></footer>",
      {{"support", support}, {"pdf", pdf_url}});
}

}  // namespace

std::string_view InvoiceCss() { return kCss; }

std::string InvoiceHtml(const Invoice& inv, std::string_view pdf_url) {
  std::string title = InvoiceTitle(inv) + " " + inv.number;
  if (!inv.issuer.name.empty()) title += " - " + inv.issuer.name;
  return Fill(
      "<!doctype html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>{title}</title><style>{!css}</style></head><body><main class=\"sheet\">"
      "{!banner}<header class=\"top\">{!issuer}{!heading}</header>"
      "<section class=\"parties\">{!meta}{!bill_to}</section>{!lines}{!totals}{!footer}"
      "</main></body></html>\n",
      {{"title", title},
       {"css", kCss},
       {"banner", inv.livemode ? "" : "<div class=\"banner\" id=\"test-mode\">TEST MODE: "
                                      "this document bills no real money.</div>"},
       {"issuer", Issuer(inv.issuer)},
       {"heading", Heading(inv)},
       {"meta", Meta(inv)},
       {"bill_to", BillTo(inv)},
       {"lines", Lines(inv)},
       {"totals", Totals(inv)},
       {"footer", Footer(inv, pdf_url)}});
}

}  // namespace jopay::pages
