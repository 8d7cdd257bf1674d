// /v1/invoices: list, get, the PDF, void, and credit notes.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/admin/context.h"
#include "daemon/billing/credit_notes.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/payments.h"
#include "daemon/pages/invoice_pdf.h"
#include "daemon/public/tokens.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

constexpr std::string_view kStatuses[] = {"open", "paid", "void", "uncollectible", "issued"};

// The invoice as the API shows it, with the payments that billed it (every attempt) and its
// hosted page and PDF links (signed, lasting).
json::object View(Context& c, const Invoice& inv) {
  json::object v = InvoiceView(inv);
  json::array payments;
  for (const Payment& p : PaymentsOfInvoice(c.store.reader(), inv.pk)) {
    payments.push_back(json::object{{"id", p.id},
                                    {"status", p.status},
                                    {"amount", p.amount},
                                    {"attempt", p.attempt},
                                    {"created_at", FormatRfc3339(p.created_at)}});
  }
  v["payments"] = std::move(payments);
  v["hosted_invoice_url"] = InvoiceUrl(c.info.public_url, c.signing_key, inv.id);
  v["pdf_url"] = InvoicePdfUrl(c.info.public_url, c.signing_key, inv.id);
  return v;
}

void ListRoute(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  InvoiceFilter f;
  std::string customer = QueryValue(req, "customer");
  (customer.find('@') == std::string::npos ? f.customer_id : f.customer_email) = customer;
  f.subscription_id = QueryValue(req, "subscription");
  f.status = QueryValue(req, "status");
  if (!f.status.empty() &&
      std::find(std::begin(kStatuses), std::end(kStatuses), f.status) == std::end(kStatuses)) {
    return respond(http::ErrorResponse(Status::Invalid(
        "status must be one of open, paid, void, uncollectible, issued", "status")));
  }
  f.limit = page->limit + 1;
  f.starting_after = page->starting_after;
  json::array items;
  for (const Invoice& inv : ListInvoices(c.store.reader(), IsLive(req), f)) {
    items.push_back(View(c, inv));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void GetRoute(Context& c, http::Request& req, http::Respond respond) {
  auto inv = LoadInvoice(c.store.reader(), req.params["id"], IsLive(req));
  if (!inv.ok()) return respond(http::ErrorResponse(inv.status()));
  respond(Ok(View(c, *inv)));
}

void PdfRoute(Context& c, http::Request& req, http::Respond respond) {
  auto inv = LoadInvoice(c.store.reader(), req.params["id"], IsLive(req));
  if (!inv.ok()) return respond(http::ErrorResponse(inv.status()));
  http::Response r;
  r.content_type = "application/pdf";
  r.body = pages::InvoicePdf(*inv);
  r.headers.push_back({"Content-Disposition",
                       fmt::format("attachment; filename=\"{}.pdf\"", inv->number)});
  respond(std::move(r));
}

// POST /v1/invoices/{id}/void {reason?}
void VoidRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body.empty() ? std::string("{}") : req.body);
  std::optional<std::string> reason;
  Status st = body.ok() ? RejectUnknown(*body, {"reason"}) : body.status();
  if (st.ok()) st = GetString(*body, "reason", reason, 200);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteValue<Invoice>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"], reason](Db& db, Invoice& out) {
        auto inv = LoadInvoice(db, id, call.livemode);
        if (!inv.ok()) return inv.status();
        JOPAY_RETURN_IF_ERROR(VoidInvoice(db, *inv, reason.value_or(""), call.now));
        out = std::move(*inv);
        return Status::Ok();
      },
      [&c](const Invoice& inv) { return json::value(View(c, inv)); });
}

// POST /v1/invoices/{id}/credit {amount, reason}: 201 with the credit note and its refund.
void CreditRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  CreditRequest r;
  r.invoice_id = req.params["id"];
  std::optional<int64_t> amount;
  std::optional<std::string> reason;
  Status st = body.ok() ? RejectUnknown(*body, {"amount", "reason"}) : body.status();
  if (st.ok()) st = GetInt(*body, "amount", amount, 1, int64_t{1} << 53);
  if (st.ok()) st = GetString(*body, "reason", reason, 200);
  if (st.ok() && !amount) st = Status::Invalid("amount is required", "amount");
  if (st.ok() && (!reason || reason->empty())) st = Status::Invalid("reason is required", "reason");
  if (!st.ok()) return respond(http::ErrorResponse(st));
  r.amount = *amount;
  r.reason = *reason;
  WriteValue<CreditResult>(
      c, respond,
      [&c, call = CallOf(c, req), r](Db& db, CreditResult& out) {
        auto instant = [&c, &call](const std::string& provider) {
          return c.engine.AnswersAtOnce(call.livemode, provider);
        };
        return CreditInvoice(db, call.livemode, r, c.engine.invoice_issuer(), instant, call.now,
                             &out);
      },
      [&c](const CreditResult& out) {
        json::object v = View(c, out.note);
        v["refund"] = out.refund ? json::value(RefundView(*out.refund)) : nullptr;
        return json::value(std::move(v));
      },
      {201, [&c] { c.charges.Wake(); }, nullptr});
}

}  // namespace

void AddInvoiceRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/invoices", ListRoute);
  AddRoute(r, c, "GET", "/v1/invoices/{id}", GetRoute);
  AddRoute(r, c, "GET", "/v1/invoices/{id}/pdf", PdfRoute);
  AddRoute(r, c, "POST", "/v1/invoices/{id}/void", VoidRoute);
  AddRoute(r, c, "POST", "/v1/invoices/{id}/credit", CreditRoute);
}

}  // namespace jopay::admin
