// Read-only views: /v1/customers and /v1/payments.
#include "common/validate.h"
#include "daemon/admin/context.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

void ListCustomersRoute(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  json::array items;
  for (const auto& cu : ListCustomers(c.store.reader(), IsLive(req), QueryValue(req, "search"),
                                      page->limit + 1, page->starting_after)) {
    items.push_back(CustomerView(cu));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void GetCustomer(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  bool live = IsLive(req);
  auto cu = LoadCustomer(db, req.params["id"], live);
  if (!cu.ok()) return respond(http::ErrorResponse(cu.status()));
  json::object view = CustomerView(*cu);
  SubscriptionFilter f;
  f.livemode = live;
  f.customer_id = cu->id;
  f.limit = 1000;
  json::array subs;
  for (const auto& s : ListSubscriptions(db, f)) subs.push_back(SubscriptionView(s));
  view["subscriptions"] = std::move(subs);
  respond(Ok(view));
}

void ListPaymentsRoute(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  std::string status = QueryValue(req, "status");
  if (!status.empty() && status != "pending" && status != "paid" && status != "failed" &&
      status != "refunded") {
    return respond(http::ErrorResponse(
        Status::Invalid("status must be one of pending, paid, failed, refunded", "status")));
  }
  json::array items;
  for (const auto& p : ListPayments(c.store.reader(), IsLive(req), QueryValue(req, "subscription"),
                                    status, page->limit + 1, page->starting_after)) {
    items.push_back(PaymentView(p));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void GetPaymentRoute(Context& c, http::Request& req, http::Respond respond) {
  auto p = LoadPayment(c.store.reader(), req.params["id"], IsLive(req));
  if (!p.ok()) return respond(http::ErrorResponse(p.status()));
  respond(Ok(PaymentView(*p)));
}

}  // namespace

void AddLedgerRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/customers", ListCustomersRoute);
  AddRoute(r, c, "GET", "/v1/customers/{id}", GetCustomer);
  AddRoute(r, c, "GET", "/v1/payments", ListPaymentsRoute);
  AddRoute(r, c, "GET", "/v1/payments/{id}", GetPaymentRoute);
}

}  // namespace jopay::admin
