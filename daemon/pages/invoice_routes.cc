// An invoice's hosted page and its PDF, behind the signed link (public/tokens.h):
//   GET /invoice/{id}?t=TOKEN       the print-friendly page (invoice_view.h)
//   GET /invoice/{id}/pdf?t=TOKEN   the PDF (invoice_pdf.h), inline, named by its number
// A missing or wrong token answers the same 404 as an unknown invoice: the link is the key,
// and nothing says whether an id exists.
#include <fmt/core.h>

#include "daemon/billing/invoices.h"
#include "daemon/pages/invoice_pdf.h"
#include "daemon/pages/invoice_view.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/public/tokens.h"

namespace jopay::pages {

namespace {

// The invoice the link names, in either mode (the id says none), if its token is right.
std::optional<Invoice> LinkedInvoice(pub::Context& c, http::Request& req) {
  const std::string& id = req.params["id"];
  auto token = req.query.find("t");
  if (token == req.query.end() || !VerifyInvoiceLinkToken(c.signing_key, id, token->second)) {
    return std::nullopt;
  }
  for (bool live : {false, true}) {
    if (auto inv = LoadInvoice(c.store.reader(), id, live); inv.ok()) return std::move(*inv);
  }
  return std::nullopt;
}

http::Response NoInvoice() {
  return MessagePage(404, false, "Invoice not found",
                     "There is no invoice at this address. Check the link you were given.");
}

void ShowInvoice(pub::Context& c, http::Request& req, http::Respond respond) {
  std::optional<Invoice> inv = LinkedInvoice(c, req);
  if (!inv) return respond(NoInvoice());
  std::string html = InvoiceHtml(*inv, InvoicePdfUrl(c.public_url, c.signing_key, inv->id));
  respond(DocumentAnswer(200, std::move(html), InvoiceCss(), inv->issuer.logo_url));
}

void InvoicePdfFile(pub::Context& c, http::Request& req, http::Respond respond) {
  std::optional<Invoice> inv = LinkedInvoice(c, req);
  if (!inv) return respond(NoInvoice());
  http::Response r;
  r.content_type = "application/pdf";
  r.body = InvoicePdf(*inv);
  r.headers.emplace_back("Content-Disposition",
                         fmt::format("inline; filename=\"{}.pdf\"", inv->number));
  r.headers.emplace_back("Cache-Control", "private, max-age=300");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  respond(std::move(r));
}

}  // namespace

void AddInvoicePageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/invoice/{id}", ShowInvoice, ErrorPage);
  pub::AddOpenRoute(r, c, "GET", "/invoice/{id}/pdf", InvoicePdfFile, ErrorPage);
}

}  // namespace jopay::pages
