// /api/checkout/v1/invoices: a customer's invoices for the merchant's app, in the checkout
// API's manner (amounts in *_cents, times in RFC 3339), each with its hosted page and PDF
// links (signed, lasting: tokens.h).
#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/billing/invoices.h"
#include "daemon/public/context.h"
#include "daemon/public/tokens.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {


json::object View(const Context& c, const Invoice& inv) {
  json::array lines;
  for (const InvoiceLine& l : inv.lines) {
    lines.push_back(json::object{{"description", l.description},
                                 {"quantity", l.quantity},
                                 {"unit_amount_cents", l.unit_amount},
                                 {"amount_cents", l.amount},
                                 {"period_start", TimeOrNull(l.period_start)},
                                 {"period_end", TimeOrNull(l.period_end)}});
  }
  json::object v = InvoiceView(inv);  // the admin view, less what the app has no use for
  return {{"id", inv.id},
          {"object", v["object"]},
          {"number", inv.number},
          {"status", inv.status},
          {"billing_reason", inv.billing_reason},
          {"customer_email", inv.customer_email},
          {"subscription_id", v["subscription_id"]},
          {"currency", inv.currency},
          {"lines", std::move(lines)},
          {"total_cents", inv.total},
          {"amount_paid_cents", inv.amount_paid},
          {"amount_credited_cents", inv.amount_credited},
          {"amount_due_cents", v["amount_due"]},
          {"credit_for", v["credit_for"]},
          {"created_at", FormatRfc3339(inv.created_at)},
          {"paid_at", TimeOrNull(inv.paid_at)},
          {"hosted_invoice_url", InvoiceUrl(c.public_url, c.signing_key, inv.id)},
          {"pdf_url", InvoicePdfUrl(c.public_url, c.signing_key, inv.id)}};
}

void List(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  Status st = RejectUnknownQuery(req, {"customer_email", "subscription_id", "status", "limit",
                                       "starting_after"});
  auto page = ParsePage(req);
  if (st.ok() && !page.ok()) st = page.status();
  InvoiceFilter f;
  if (auto it = req.query.find("customer_email"); st.ok() && it != req.query.end()) {
    st = ValidateEmail(it->second, "customer_email");
    f.customer_email = NormalizeEmail(it->second);
  }
  if (auto it = req.query.find("subscription_id"); it != req.query.end()) {
    f.subscription_id = it->second;
  }
  if (auto it = req.query.find("status"); it != req.query.end()) f.status = it->second;
  static constexpr std::string_view kStatuses[] = {"open", "paid", "void", "uncollectible",
                                                   "issued"};
  if (st.ok() && !f.status.empty() &&
      std::find(std::begin(kStatuses), std::end(kStatuses), f.status) == std::end(kStatuses)) {
    st = Status::Invalid("status must be one of open, paid, void, uncollectible, issued",
                         "status");
  }
  if (!st.ok()) return respond(ErrorAnswer(st));
  f.limit = page->limit + 1;
  f.starting_after = page->starting_after;
  std::vector<Invoice> found = ListInvoices(c.store.reader(), caller.livemode, f);
  bool more = static_cast<int>(found.size()) > page->limit;
  if (more) found.resize(page->limit);
  json::array items;
  for (const Invoice& inv : found) items.push_back(View(c, inv));
  respond(http::JsonResponse(200, json::object{{"invoices", std::move(items)}, {"has_more", more}}));
}

void Get(Context& c, const Caller& caller, http::Request& req, http::Respond respond) {
  auto inv = LoadInvoice(c.store.reader(), req.params["id"], caller.livemode);
  if (!inv.ok()) return respond(ErrorAnswer(inv.status()));
  respond(http::JsonResponse(200, View(c, *inv)));
}

}  // namespace

void AddCheckoutInvoiceRoutes(http::Router& r, Context& c) {
  AddApiRoute(r, c, "GET", "/api/checkout/v1/invoices", List);
  AddApiRoute(r, c, "GET", "/api/checkout/v1/invoices/{id}", Get);
}

}  // namespace jopay::pub
