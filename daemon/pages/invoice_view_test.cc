#include "daemon/pages/invoice_view.h"

#include <doctest/doctest.h>

namespace jopay::pages {
namespace {

bool Has(const std::string& html, std::string_view part) {
  return html.find(part) != std::string::npos;
}

Invoice Sample() {
  Invoice inv;
  inv.id = "in_1";
  inv.livemode = true;
  inv.number = "JP-000123";
  inv.status = "open";
  inv.currency = "usd";
  inv.lines = {{"Pro plan", 1739188800, 1741608000, 2, 1499, 2998}};
  inv.subtotal = inv.total = 2998;
  inv.customer_name = "Zoë Müller";
  inv.customer_email = "zoe@example.com";
  inv.customer_address = "Hauptstr. 1\n10115 Berlin";
  inv.issuer = {"Acme Tools GmbH", "Acme Way 5\nBerlin", "DE123456789", "billing@acme.example",
                "https://acme.example/logo.png"};
  inv.created_at = 1739188800;
  return inv;
}

TEST_CASE("InvoiceHtml: a whole A4 print page with issuer, customer, lines, totals and PDF link") {
  std::string html = InvoiceHtml(Sample(), "/invoices/in_1.pdf?t=a&b");
  CHECK(html.rfind("<!doctype html>", 0) == 0);
  CHECK(Has(html, "@page{size:A4"));
  CHECK(Has(html, "@media print"));
  CHECK(Has(html, "<bdi>Acme Tools GmbH</bdi>"));
  CHECK(Has(html, "id=\"merchant-logo\" src=\"https://acme.example/logo.png\""));
  CHECK(Has(html, "<bdi>DE123456789</bdi>"));
  CHECK(Has(html, "href=\"mailto:billing@acme.example\""));
  CHECK(Has(html, "<bdi>Zoë Müller</bdi>"));
  CHECK(Has(html, "<h1 id=\"title\">Invoice</h1>"));
  CHECK(Has(html, "<bdi>JP-000123</bdi>"));
  CHECK(Has(html, "<time datetime=\"2025-02-10T12:00:00Z\">2025-02-10</time>"));
  CHECK(Has(html, "2025-02-10 \u2013 2025-03-10"));
  CHECK(Has(html, "<td class=\"n\">2</td><td class=\"n\">14.99 USD</td>"
                  "<td class=\"n\">29.98 USD</td>"));
  CHECK(Has(html, "id=\"amount-due\">29.98 USD<"));
  CHECK(Has(html, "href=\"/invoices/in_1.pdf?t=a&amp;b\""));
  CHECK_FALSE(Has(html, "class=\"mark"));  // open: no stamp
  CHECK_FALSE(Has(html, "test-mode"));
}

TEST_CASE("InvoiceHtml: markup in any invoice text is shown as text, never run") {
  Invoice inv = Sample();
  inv.customer_name = "<script>alert(1)</script>";
  inv.issuer.name = "Evil \"Co\" <img src=x onerror=alert(2)>";
  inv.lines[0].description = "<b>bold</b>";
  std::string html = InvoiceHtml(inv, "x.pdf");
  CHECK_FALSE(Has(html, "<script"));
  CHECK_FALSE(Has(html, "<img src=x"));
  CHECK_FALSE(Has(html, "<b>"));
  CHECK(Has(html, "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>"));
  CHECK(Has(html, "Evil &quot;Co&quot; &lt;img"));
}

TEST_CASE("InvoiceHtml: a right-to-left name sits in its own bdi, the page stays LTR") {
  Invoice inv = Sample();
  inv.customer_name = "محمد عبد الله";
  inv.customer_address = "שדרות רוטשילד 1\nתל אביב";
  std::string html = InvoiceHtml(inv, "x.pdf");
  CHECK(Has(html, "<html lang=\"en\" dir=\"ltr\">"));
  CHECK(Has(html, "<div id=\"customer-name\"><bdi>محمد عبد الله</bdi></div>"));
  CHECK(Has(html, "id=\"customer-address\" dir=\"auto\">שדרות רוטשילד 1\nתל אביב</div>"));
}

TEST_CASE("InvoiceHtml: amounts in the currency's own decimals (USD 2, JPY 0)") {
  Invoice inv = Sample();
  inv.currency = "jpy";
  inv.lines = {{"Pro plan", std::nullopt, std::nullopt, 3, 1500, 4500}};
  inv.subtotal = inv.total = 4500;
  inv.amount_paid = 4500;
  inv.status = "paid";
  inv.paid_at = 1739200000;
  std::string html = InvoiceHtml(inv, "x.pdf");
  CHECK(Has(html, "<td class=\"n\">1500 JPY</td><td class=\"n\">4500 JPY</td>"));
  CHECK(Has(html, "id=\"total\">4500 JPY<"));
  CHECK(Has(html, "id=\"amount-due\">0 JPY<"));
  CHECK_FALSE(Has(html, "45.00"));
  CHECK_FALSE(Has(html, "15.00"));
  CHECK(Has(html, "<span class=\"mark paid\">PAID</span>"));
  CHECK(Has(html, "<td id=\"paid-at\"><time"));
}

TEST_CASE("InvoiceHtml: a credit note is titled and stamped as one, and asks for no payment") {
  Invoice inv = Sample();
  inv.kind = "credit_note";
  inv.number = "JP-CN-000004";
  inv.credit_for = "in_1";
  inv.reason = "Duplicate charge";
  inv.lines = {{"Refund of JP-000123", std::nullopt, std::nullopt, 1, -2998, -2998}};
  inv.subtotal = inv.total = -2998;
  inv.livemode = false;
  std::string html = InvoiceHtml(inv, "x.pdf");
  CHECK(Has(html, "<title>Credit note JP-CN-000004 - Acme Tools GmbH</title>"));
  CHECK(Has(html, "<h1 id=\"title\">Credit note</h1>"));
  CHECK(Has(html, "<span class=\"mark credit-note\">CREDIT NOTE</span>"));
  CHECK(Has(html, "<td id=\"credit-for\"><bdi>in_1</bdi></td>"));
  CHECK(Has(html, "<td id=\"reason\"><bdi>Duplicate charge</bdi></td>"));
  CHECK(Has(html, "id=\"total\">-29.98 USD<"));
  CHECK_FALSE(Has(html, "amount-due"));
  CHECK(Has(html, "id=\"test-mode\""));
}

}  // namespace
}  // namespace jopay::pages
