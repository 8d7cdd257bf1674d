// An invoice or credit note as an A4 PDF, drawn with Cairo and laid out with Pango: the same
// content as the HTML page (invoice_view.h) minus the logo and the PDF link, for download and
// for attaching to mail.
//
// Text is shaped by HarfBuzz and ordered by the Unicode bidi algorithm (Pango), each string
// from the invoice in a paragraph of its own whose direction comes from its first strong
// character, so Arabic and Hebrew names read right to left and join correctly, and CJK names
// draw from the CJK face. Fonts: DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew) and
// WenQuanYi Micro Hei (CJK), then whatever fontconfig finds for other scripts; Cairo embeds
// the subsets used, so the file shows the same everywhere.
#pragma once

#include <string>

#include "daemon/billing/invoices.h"

namespace jopay::pages {

// The PDF file's bytes. Byte-stable: the same invoice on the same fonts and library versions
// gives the same bytes every time (the document's dates are the invoice's created_at, never
// the clock, and nothing random goes in), so a PDF mailed and one downloaded later are the
// same file. Safe to call from any thread: calls are serialised (see invoice_pdf.cc).
// Throws std::runtime_error when Cairo fails (out of memory): the caller's guard answers.
std::string InvoicePdf(const Invoice& inv);

}  // namespace jopay::pages
