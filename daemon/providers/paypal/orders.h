// PayPal's Orders v2 as jopayd uses them (shapes from PayPal's OpenAPI spec,
// /work/shared/reference/providers/paypal/checkout_orders_v2.json):
//
//   POST /v2/checkout/orders                 order_request -> order
//   POST /v2/checkout/orders/{id}/capture    {} -> order (purchase_units[].payments.captures[])
//   GET  /v2/checkout/orders/{id}            order
//   POST /v2/payments/captures/{id}/refund   -> refund (Payments v2: the endpoint is not in the
//                                               reference files; its answer is their `refund`)
//
// Two kinds of order:
// - a customer's first payment (a checkout): payment_source.paypal with
//   attributes.vault {store_in_vault: ON_SUCCESS, usage_type: MERCHANT, usage_pattern:
//   RECURRING_PREPAID} and experience_context {return_url, cancel_url}; the customer
//   approves it at PayPal (the payer-action link), jopayd captures it, and the capture's
//   payment_source.paypal.attributes.vault.id is the saved wallet charged later;
// - a renewal (merchant-initiated): payment_source.paypal.vault_id = the saved wallet; PayPal
//   completes such an order at once (no payer), or leaves it APPROVED for a capture.
// custom_id carries the JoPay id (checkout session / payment / refund) so that PayPal's
// reports and callbacks name it.
//
// These functions are pure: request bodies and answers in, no I/O.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/providers/paypal/api.h"
#include "daemon/providers/provider.h"

namespace jopay::paypal {

// A PayPal-Request-Id from a JoPay idempotency key and a suffix naming the step ("capture"):
// "<key>:<suffix>", or, when that is longer than PayPal's 108 characters, the SHA-256 hex of
// it (the same key always gives the same id).
std::string RequestId(std::string_view key, std::string_view suffix = "");

// A vault description PayPal takes (its pattern ^[a-zA-Z0-9_'\-., :;\!?"]*$, 1 to 128
// characters): other characters become spaces, so an accented plan name never gets a
// checkout refused; "Subscription" when empty.
std::string VaultDescription(std::string_view text);

// PayPal money {"currency_code": "EUR", "value": "14.99"} for an amount in minor units: the
// exact decimal. kInvalid (param "currency" / "amount") for an unknown currency, an amount
// below 1, or an amount PayPal cannot take (HUF and TWD go in whole units only).
Result<boost::json::object> MoneyOf(int64_t amount, std::string_view currency);
// Minor units and lowercase currency of PayPal money; nullopt when malformed.
struct Minor {
  int64_t amount = 0;
  std::string currency;
};
std::optional<Minor> MinorOf(const boost::json::object& money);

// A checkout: a customer's payment at PayPal, with the wallet saved for renewals.
struct CheckoutRequest {
  std::string jopay_object;  // cs_... (or sub_...): purchase_units[0].custom_id
  int64_t amount = 0;
  std::string currency;
  std::string description;   // what is bought, as the customer sees it (cut to 127)
  std::string brand_name;    // the merchant's name on PayPal's pages; "" for the account's
  std::string return_url;    // PayPal appends ?token=<order id>&PayerID=...
  std::string cancel_url;
  bool save_wallet = true;   // vault the wallet for merchant-initiated renewals
  std::string idempotency_key;
};

// The order_request of a checkout (intent CAPTURE, one purchase unit, the vault attributes
// when save_wallet). kInvalid when MoneyOf refuses, or a URL is missing.
Result<std::string> CheckoutOrderBody(const CheckoutRequest& r);

// The order_request of a renewal: one purchase unit (custom_id = payment id, description),
// payment_source.paypal.vault_id = intent.provider_method. kInvalid when MoneyOf refuses or
// there is no saved wallet.
Result<std::string> ChargeOrderBody(const ChargeIntent& intent);

// Where the customer approves an order: its link rel "payer-action" (what PayPal answers when
// a payment_source is given), else rel "approve"; "" when neither.
std::string ApprovalUrlOf(const boost::json::value& order);

// What a captured checkout order settled: ok only when the order is COMPLETED and its first
// capture COMPLETED (kConflict "checkout_not_complete" otherwise, saying what it is), with a
// vault id when `want_wallet` (kConflict "wallet_not_saved" when PayPal saved none).
// provider_session = order id; jopay_object = custom_id; card = {provider "paypal",
// provider_ref = vault id, provider_customer = vault customer id, brand "paypal", last4 ""};
// charge_ref = capture id; amount_paid/currency = the capture's amount; email = the payer's.
Result<ProviderCheckout> CheckoutOf(const boost::json::value& order, bool want_wallet);

// The state of a renewal order, as a ChargeAnswer (for create, capture and read answers):
// - 2xx, order COMPLETED with a COMPLETED capture -> kPaid, provider_ref = the capture id;
// - a capture DECLINED / FAILED -> kDeclined "instrument_declined";
// - a capture PENDING, or an order still CREATED / APPROVED / SAVED -> kUnknown with
//   provider_ref = the order id (read it back: FindCharge), detail saying which;
// - order PAYER_ACTION_REQUIRED -> kDeclined "payer_action_required"; VOIDED -> kDeclined;
// - no answer, 5xx, 429 -> kUnknown (retry_after_ms from Retry-After); 401/403 -> kUnknown
//   pointing at the credentials; 409 or ORDER_COMPLETION_IN_PROGRESS /
//   ORDER_ALREADY_CAPTURED (another request is at it or did it) -> kUnknown;
// - any other 4xx (422 INSTRUMENT_DECLINED, PAYER_ACTION_REQUIRED, TRANSACTION_REFUSED, ...)
//   -> kDeclined with failure_code = the issue in lowercase ("instrument_declined").
ChargeAnswer ChargeAnswerOf(const Reply& reply);

// True when `answer` is an order that waits for a capture (CREATED / APPROVED / SAVED, no
// capture yet): its provider_ref is the order to capture.
bool NeedsCapture(const Reply& reply);

// The body of a capture refund: amount (MoneyOf(amount, currency)), custom_id = refund id,
// note_to_payer = reason. kInvalid when the money is refused.
Result<std::string> RefundBody(const RefundIntent& intent);

// A refund answer: COMPLETED -> kPaid (provider_ref = refund id); FAILED / CANCELLED ->
// kDeclined "refund_failed"; PENDING -> kUnknown with provider_ref; no answer, 5xx, 429,
// 401/403, 409 -> kUnknown; another 4xx (422 CAPTURE_FULLY_REFUNDED, ...) -> kDeclined
// "refund_refused" with PayPal's description.
ChargeAnswer RefundAnswerOf(const Reply& reply);

}  // namespace jopay::paypal
