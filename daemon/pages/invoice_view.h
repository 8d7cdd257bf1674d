// An invoice or credit note as a standalone, print-friendly HTML page (no I/O: the route
// loads the invoice; this only renders). It does not use the hosted pages' Layout: it is a
// sheet of A4 paper on screen and on paper (@page A4, @media print drops the background and
// the PDF link), and it names the merchant from the invoice's own issuer snapshot, not from
// today's config, because an issued invoice never changes.
//
// Shows the issuer (logo, name, address, tax id, support email), the title, number and marks
// (CREDIT NOTE, PAID, VOID, UNCOLLECTIBLE: invoice_text.h), the dates (UTC calendar dates),
// the status, the customer as they were at issue (name, email, address, tax id), the lines
// (description, period, quantity, unit price, amount), the totals (InvoiceTotals) and a link
// to the PDF. Every string from the invoice is escaped, and each sits in its own <bdi> (or a
// block with dir="auto"), so an Arabic or Hebrew name is laid out right to left without
// reordering the labels and amounts around it.
#pragma once

#include <string>
#include <string_view>

#include "daemon/billing/invoices.h"

namespace jopay::pages {

// The whole document. `pdf_url` is where the same invoice is served as PDF (text: escaped).
std::string InvoiceHtml(const Invoice& inv, std::string_view pdf_url);

// The page's one inline stylesheet, as it appears in the <style> element: the route's
// Content-Security-Policy must allow it by its hash (the hosted pages' policy only allows
// their own stylesheet, page.h), and img-src must allow the issuer's logo origin.
std::string_view InvoiceCss();

}  // namespace jopay::pages
