// /v1/customers and /v1/payments (with their refunds), and refunding a payment.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/admin/context.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/push_charges.h"
#include "daemon/checkout/session.h"
#include "daemon/billing/refunds.h"
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

// POST /v1/customers/{id-or-email} {name?, address?, tax_id?}: what later invoices show.
void UpdateCustomerRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {"name", "address", "tax_id"}) : body.status();
  CustomerUpdate u;
  if (st.ok()) st = GetString(*body, "name", u.name);
  if (st.ok()) st = GetString(*body, "address", u.address);
  if (st.ok()) st = GetString(*body, "tax_id", u.tax_id);
  if (st.ok() && !u.name && !u.address && !u.tax_id) {
    st = Status::Invalid("nothing to update: give name, address or tax_id", "",
                         "parameter_missing");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteValue<Customer>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"], u](Db& db, Customer& out) {
        auto updated = UpdateCustomer(db, id, call.livemode, u);
        if (!updated.ok()) return updated.status();
        out = *updated;
        return Status::Ok();
      },
      [](const Customer& cu) { return json::value(CustomerView(cu)); });
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

json::object PaymentWithRefunds(Db& db, const Payment& p) {
  json::object view = PaymentView(p);
  // A push rail's charge: where the customer pays it (invoice / address) and what came in.
  if (auto push = LoadPushCharge(db, p.pk)) view["push"] = PushChargeView(*push);
  json::array refunds;
  for (const Refund& r : RefundsOfPayment(db, p.id)) refunds.push_back(RefundView(r));
  view["refunds"] = std::move(refunds);
  return view;
}

void GetPaymentRoute(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto p = LoadPayment(db, req.params["id"], IsLive(req));
  if (!p.ok()) return respond(http::ErrorResponse(p.status()));
  respond(Ok(PaymentWithRefunds(db, *p)));
}

// POST /v1/payments/{id}/refund {amount?, reason?, idempotency_key?}: 201 with the refund
// (succeeded at once through the sandbox; pending through Stripe until it answers).
void RefundRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  NewRefund r;
  r.payment_id = req.params["id"];
  std::optional<int64_t> amount;
  Status st = RejectUnknown(*body, {"amount", "reason", "idempotency_key"});
  if (st.ok()) st = GetInt(*body, "amount", amount, 1, int64_t{1} << 53);
  if (st.ok()) st = GetString(*body, "reason", r.reason, 40);
  if (st.ok()) st = GetString(*body, "idempotency_key", r.idempotency_key, 255);
  if (st.ok() && r.idempotency_key && r.idempotency_key->empty()) {
    st = Status::Invalid("idempotency_key must not be empty", "idempotency_key");
  }
  if (st.ok() && r.reason && !ValidRefundReason(*r.reason)) {
    st = Status::Invalid("reason must be duplicate, fraudulent or requested_by_customer",
                         "reason");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  r.amount = amount;
  WriteValue<Refund>(
      c, respond,
      [&c, call = CallOf(c, req), r](Db& db, Refund& out) {
        auto p = LoadPayment(db, r.payment_id, call.livemode);
        if (!p.ok()) return p.status();
        Provider* provider = c.engine.ProviderFor(call.livemode, p->provider);
        if (!provider && c.engine.PushProviderFor(call.livemode, p->provider)) {
          // A Lightning / on-chain payment through a server: jopayd holds no funds to send.
          return Status::Conflict(
              fmt::format("Payment {} was paid in bitcoin through {}: refund it from your "
                          "wallet to the customer's; jopayd cannot send bitcoin.",
                          p->id, p->provider),
              "refund_not_supported");
        }
        if (!provider) {
          return Status::Conflict(
              fmt::format("Payment {} was made through {}, which is not configured now.", p->id,
                          p->provider),
              "provider_unavailable");
        }
        return CreateRefund(db, call.livemode, r, provider->instant(), call.now, &out);
      },
      RefundView, {201, [&c] { c.charges.Wake(); }, nullptr});
}

std::string_view AppliedName(std::optional<PushApplied> a) {
  if (!a) return "already_paid";
  switch (*a) {
    case PushApplied::kStarted: return "started";
    case PushApplied::kRenewed: return "renewed";
    case PushApplied::kAhead: return "paid_ahead";
    case PushApplied::kUnapplied: return "unapplied";
  }
  return "";
}

// POST /v1/payments/{id}/pay {} (test mode): the sandbox's Lightning invoice or address is
// paid, as a customer's wallet would pay it: what the payment paid comes back as `applied`.
void PayRoute(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body.empty() ? std::string("{}") : req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  if (st.ok() && IsLive(req)) {
    st = Status::Invalid("Only test-mode sandbox charges are paid from here; live ones are paid "
                         "by the customer at the provider.",
                         "livemode", "livemode_unavailable");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  struct Paid {
    json::object view;
  };
  WriteValue<Paid>(
      c, respond,
      [&c, call = CallOf(c, req), id = req.params["id"]](Db& db, Paid& out) {
        auto p = LoadPayment(db, id, call.livemode);
        if (!p.ok()) return p.status();
        auto push = LoadPushCharge(db, p->pk);
        if (!push || push->provider != "sandbox") {
          return Status::Conflict(
              fmt::format("Payment {} is not a sandbox Lightning or on-chain charge.", p->id),
              "payment_not_payable");
        }
        std::optional<PushApplied> applied;
        JOPAY_RETURN_IF_ERROR(SettlePushPayment(db, c.engine, p->id, call.livemode,
                                                push->charge.amount_sats, call.now, &applied));
        out.view = PaymentWithRefunds(db, *LoadPayment(db, id, call.livemode));
        out.view["applied"] = AppliedName(applied);
        return Status::Ok();
      },
      [](const Paid& p) { return json::value(p.view); });
}

}  // namespace

void AddLedgerRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/customers", ListCustomersRoute);
  AddRoute(r, c, "GET", "/v1/customers/{id}", GetCustomer);
  AddRoute(r, c, "POST", "/v1/customers/{id}", UpdateCustomerRoute);
  AddRoute(r, c, "GET", "/v1/payments", ListPaymentsRoute);
  AddRoute(r, c, "GET", "/v1/payments/{id}", GetPaymentRoute);
  AddRoute(r, c, "POST", "/v1/payments/{id}/refund", RefundRoute);
  AddRoute(r, c, "POST", "/v1/payments/{id}/pay", PayRoute);
}

}  // namespace jopay::admin
