// PayPal Checkout: the customer approves at PayPal (jopayd never sees their account), and
// jopayd settles what they approved. Two ways, both ending in a saved wallet (a vault id) that
// renewals charge merchant-initiated (provider.h):
//
// - A first payment: CreateCheckout makes an order with the vault attributes (orders.h) and
//   gives the approval URL; PayPal sends the customer back to return_url with
//   ?token=<order id>; CompleteCheckout captures the order and reads the vault id, capture,
//   amount and payer from PayPal's answer.
// - A wallet saved without a payment (a trial; a wallet update in the portal), with the Vault
//   v3 API (vault_payment_tokens_v3.json): CreateSetup makes a setup token and gives its
//   approval URL; PayPal sends the customer back with the setup token's id; CompleteSetup
//   turns it into a payment token (the vault id).
//
// The ids that come back with the customer's browser are only hints: the caller checks that
// the order / setup token is the one it made for that session (store the id CreateCheckout /
// CreateSetup returns), and everything else is read back from PayPal. Completing twice is
// safe: an order captured already is read back, and the payment token is asked for under a
// PayPal-Request-Id derived from the setup token's id once the setup token is APPROVED.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "daemon/providers/paypal/api.h"
#include "daemon/providers/paypal/orders.h"
#include "daemon/providers/provider.h"

namespace jopay::paypal {

// Where to send the customer, and the PayPal object to complete when they come back.
struct Approval {
  std::string id;   // the order id (a payment) or the setup token id (a setup)
  std::string url;  // PayPal's approval page
};
using ApprovalDone = std::function<void(Result<Approval>)>;
using CheckoutDone = std::function<void(Result<ProviderCheckout>)>;

// POST /v2/checkout/orders (CheckoutOrderBody) under RequestId(r.idempotency_key). kInvalid
// without a request when the body is refused; no answer, 5xx, 429 -> kUnavailable; another
// refusal -> kInvalid quoting PayPal's issue; an order without approval link -> kUnavailable.
void CreateCheckout(Api& api, const CheckoutRequest& r, ApprovalDone done);

// POST /v2/checkout/orders/{order_id}/capture, then CheckoutOf(answer, want_wallet). An order
// captured already (ORDER_ALREADY_CAPTURED) is read back (ReadCheckout). Not approved
// (ORDER_NOT_APPROVED, PAYER_ACTION_REQUIRED) -> kConflict "checkout_not_complete"; the
// payer's wallet refused (INSTRUMENT_DECLINED...) -> kPaymentFailed with the issue in
// lowercase (the customer may approve again with another funding source); unknown order ->
// kNotFound; no answer, 5xx, 429 -> kUnavailable.
void CompleteCheckout(Api& api, const std::string& order_id, bool want_wallet, CheckoutDone done);

// GET /v2/checkout/orders/{order_id}, then CheckoutOf (a callback's re-read).
void ReadCheckout(Api& api, const std::string& order_id, bool want_wallet, CheckoutDone done);

// A wallet saved without a payment.
struct SetupRequest {
  std::string jopay_object;  // cs_... / sub_...: given back by CompleteSetup's caller
  std::string description;   // shown at PayPal's approval and in the payer's PayPal account
  std::string brand_name;
  std::string return_url;    // PayPal appends the setup token's id
  std::string cancel_url;
  std::string idempotency_key;
};

// The setup_token_request of a PayPal wallet: payment_source.paypal {description,
// usage_type MERCHANT, customer_type CONSUMER, permit_multiple_payment_tokens,
// experience_context {brand_name, return_url, cancel_url, shipping_preference NO_SHIPPING}}.
Result<std::string> SetupTokenBody(const SetupRequest& r);
// The payment_token_request for an approved setup token: payment_source.token {id, type}.
std::string PaymentTokenBody(const std::string& setup_token_id);
// A payment_token_response as a setup's ProviderCheckout: card {provider "paypal",
// provider_ref = the token id, provider_customer = customer.id, brand "paypal"}, email =
// payment_source.paypal.email_address, no charge. kConflict "checkout_not_complete" without
// an id.
Result<ProviderCheckout> SetupCheckoutOf(const boost::json::value& payment_token,
                                         const std::string& jopay_object);

// POST /v3/vault/setup-tokens; the approval URL is the answer's rel "approve" (or
// "payer-action") link. Errors as CreateCheckout.
void CreateSetup(Api& api, const SetupRequest& r, ApprovalDone done);
// GET /v3/vault/setup-tokens/{id}; once APPROVED, POST /v3/vault/payment-tokens for it, then
// SetupCheckoutOf. Not approved yet -> kConflict "checkout_not_complete"; unknown ->
// kNotFound; no answer, 5xx, 429 -> kUnavailable.
void CompleteSetup(Api& api, const std::string& setup_token_id, const std::string& jopay_object,
                   CheckoutDone done);

}  // namespace jopay::paypal
