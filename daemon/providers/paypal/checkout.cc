#include "daemon/providers/paypal/checkout.h"

#include <fmt/core.h>

#include <memory>

#include "daemon/providers/json_api.h"

namespace jopay::paypal {

namespace json = boost::json;
using providers::TextField;

namespace {

// The spec's token_id_request allows only this type, and its payment_token_request example
// sends a setup token's id with it. (PayPal's guides spell it "SETUP_TOKEN"; the stand-in
// takes both.)
constexpr const char* kSetupTokenType = "BILLING_AGREEMENT";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A PayPal failure as the Status a route answers with.
Status StatusOf(const Reply& r, const char* param) {
  if (r.status == 0) return Status::Unavailable("PayPal did not answer: " + r.error);
  std::string issue = IssueOf(r.body);
  std::string text = ErrorTextOf(r.body);
  std::string message = fmt::format("PayPal answered {} {}{}", r.status, issue,
                                    text.empty() ? "" : ": " + text);
  if (r.status >= 500 || r.status == 429) return Status::Unavailable(message);
  if (r.status == 401 || r.status == 403) {
    return Status::Unavailable("PayPal refused jopayd's app credentials (" +
                               std::to_string(r.status) + ")");
  }
  if (r.status == 404) return Status::NotFound(message, param);
  return Status::Invalid(message, param, "paypal_request_refused");
}

bool NotApproved(const std::string& issue) {
  return issue == "ORDER_NOT_APPROVED" || issue == "PAYER_ACTION_REQUIRED";
}

Result<Approval> ApprovalOf(const Reply& r, const char* param) {
  if (!r.ok()) return StatusOf(r, param);
  Approval a;
  if (r.body.is_object()) a.id = TextField(r.body.get_object(), "id").value_or("");
  a.url = ApprovalUrlOf(r.body);
  if (a.id.empty() || a.url.empty()) return Status::Unavailable("PayPal gave no approval link");
  return a;
}

Status BadId(const char* what) {
  return Status::Invalid(fmt::format("Not a PayPal {} id.", what), "token");
}

}  // namespace

void CreateCheckout(Api& api, const CheckoutRequest& r, ApprovalDone done) {
  auto body = CheckoutOrderBody(r);
  if (!body.ok()) return done(body.status());
  api.Send("POST", "/v2/checkout/orders", std::move(*body), RequestId(r.idempotency_key),
           [done = std::move(done)](Reply reply) { done(ApprovalOf(reply, "paypal_order")); });
}

void ReadCheckout(Api& api, const std::string& order_id, bool want_wallet, CheckoutDone done) {
  if (!providers::IsPlainId(order_id)) return done(BadId("order"));
  api.Send("GET", "/v2/checkout/orders/" + order_id, "", "",
           [want_wallet, done = std::move(done)](Reply r) {
             if (!r.ok()) return done(StatusOf(r, "paypal_order"));
             done(CheckoutOf(r.body, want_wallet));
           });
}

void CompleteCheckout(Api& api, const std::string& order_id, bool want_wallet,
                      CheckoutDone done) {
  if (!providers::IsPlainId(order_id)) return done(BadId("order"));
  // No PayPal-Request-Id: its first answer would be replayed, so a capture tried before the
  // payer approved would answer "not approved" for good. Capturing again is safe without
  // one: an order captures once, and ORDER_ALREADY_CAPTURED is read back.
  api.Send("POST", "/v2/checkout/orders/" + order_id + "/capture", "{}", "",
           [&api, order_id, want_wallet, done = std::move(done)](Reply r) {
             if (r.ok()) return done(CheckoutOf(r.body, want_wallet));
             std::string issue = IssueOf(r.body);
             if (issue == "ORDER_ALREADY_CAPTURED") {
               return ReadCheckout(api, order_id, want_wallet, done);
             }
             if (NotApproved(issue)) {
               return done(Status::Conflict("The customer has not approved the PayPal payment.",
                                            "checkout_not_complete"));
             }
             if (r.status == 422) {
               std::string text = ErrorTextOf(r.body);
               return done(Status::PaymentFailed(
                   Lower(issue), text.empty() ? "PayPal declined the payment." : text));
             }
             done(StatusOf(r, "paypal_order"));
           });
}

namespace {

void MakePaymentToken(Api& api, const std::string& setup_token_id,
                      const std::string& jopay_object, CheckoutDone done) {
  api.Send("POST", "/v3/vault/payment-tokens", PaymentTokenBody(setup_token_id),
           RequestId(setup_token_id, "payment-token"),
           [setup_token_id, jopay_object, done = std::move(done)](Reply r) {
             if (!r.ok()) return done(StatusOf(r, "paypal_setup"));
             auto out = SetupCheckoutOf(r.body, jopay_object);
             if (out.ok()) out->provider_session = setup_token_id;
             done(std::move(out));
           });
}

}  // namespace

Result<std::string> SetupTokenBody(const SetupRequest& r) {
  if (r.return_url.empty() || r.cancel_url.empty()) {
    return Status::Invalid("A PayPal setup needs a return and a cancel URL.", "return_url");
  }
  json::object context{{"return_url", r.return_url},
                       {"cancel_url", r.cancel_url},
                       {"shipping_preference", "NO_SHIPPING"}};
  if (!r.brand_name.empty()) context["brand_name"] = r.brand_name.substr(0, 127);
  json::object wallet{{"description", VaultDescription(r.description)},
                      {"usage_type", "MERCHANT"},
                      {"customer_type", "CONSUMER"},
                      {"permit_multiple_payment_tokens", true},
                      {"experience_context", std::move(context)}};
  return json::serialize(json::object{{"payment_source", {{"paypal", std::move(wallet)}}}});
}

std::string PaymentTokenBody(const std::string& setup_token_id) {
  return json::serialize(json::object{
      {"payment_source", {{"token", {{"id", setup_token_id}, {"type", kSetupTokenType}}}}}});
}

Result<ProviderCheckout> SetupCheckoutOf(const json::value& body, const std::string& jopay_object) {
  ProviderCheckout out;
  out.jopay_object = jopay_object;
  out.card.provider = "paypal";
  out.card.brand = "paypal";
  if (body.is_object()) {
    const json::object& token = body.get_object();
    out.card.provider_ref = TextField(token, "id").value_or("");
    const json::value* customer = token.if_contains("customer");
    if (customer && customer->is_object()) {
      out.card.provider_customer = TextField(customer->get_object(), "id").value_or("");
    }
    const json::value* source = token.if_contains("payment_source");
    const json::value* wallet = source && source->is_object()
                                    ? source->get_object().if_contains("paypal") : nullptr;
    if (wallet && wallet->is_object()) {
      out.email = TextField(wallet->get_object(), "email_address").value_or("");
    }
  }
  if (out.card.provider_ref.empty()) {
    return Status::Conflict("PayPal saved no wallet.", "checkout_not_complete");
  }
  out.provider_session = out.card.provider_ref;
  return out;
}

void CreateSetup(Api& api, const SetupRequest& r, ApprovalDone done) {
  auto body = SetupTokenBody(r);
  if (!body.ok()) return done(body.status());
  api.Send("POST", "/v3/vault/setup-tokens", std::move(*body), RequestId(r.idempotency_key),
           [done = std::move(done)](Reply reply) { done(ApprovalOf(reply, "paypal_setup")); });
}

void CompleteSetup(Api& api, const std::string& setup_token_id, const std::string& jopay_object,
                   CheckoutDone done) {
  if (!providers::IsPlainId(setup_token_id)) return done(BadId("setup token"));
  // Approved first, then the payment token under a request id: so the id's replayed first
  // answer is never a "not approved yet" from a customer who came back too early.
  api.Send("GET", "/v3/vault/setup-tokens/" + setup_token_id, "", "",
           [&api, setup_token_id, jopay_object, done = std::move(done)](Reply r) {
             if (!r.ok()) return done(StatusOf(r, "paypal_setup"));
             std::string status;
             if (r.body.is_object()) status = TextField(r.body.get_object(), "status").value_or("");
             if (status != "APPROVED" && status != "VAULTED") {
               return done(Status::Conflict("The customer has not approved the PayPal setup (" +
                                                status + ").", "checkout_not_complete"));
             }
             MakePaymentToken(api, setup_token_id, jopay_object, done);
           });
}

}  // namespace jopay::paypal
