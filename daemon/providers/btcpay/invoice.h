// BTCPay Server's invoices through the Greenfield API (shapes from BTCPay's own Swagger
// templates, /work/shared/reference/providers/btcpay/invoices.json):
//
//   POST /api/v1/stores/{storeId}/invoices   CreateInvoiceRequest -> InvoiceData
//   GET  /api/v1/invoices/{invoiceId}         InvoiceData (the store is resolved from the id)
//   GET  /api/v1/invoices/{invoiceId}/payment-methods   [InvoicePaymentMethodDataModel]
//   Authorization: token <api key>
//
// InvoiceData gives the id, storeId, amount + currency, status (New, Processing, Expired,
// Invalid, Settled), expirationTime; the BOLT11 / address, the BTC amount, what was paid and
// the rate are in the payment methods (decimal strings in BTC, `rate` in invoice currency per
// BTC). Payment method ids: requests use the names CheckoutOptions documents ("BTC" on-chain,
// "BTC-LightningNetwork"); answers are read in those and in BTCPay 2's ("BTC-CHAIN",
// "BTC-LN").
//
// These functions are pure: request bodies and answers in, no I/O.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/providers/push_provider.h"

namespace jopay::btcpay {

inline constexpr std::string_view kLightningMethod = "BTC-LightningNetwork";
inline constexpr std::string_view kOnchainMethod = "BTC";

bool IsLightningMethod(std::string_view payment_method_id);
bool IsOnchainMethod(std::string_view payment_method_id);

// The body of POST .../invoices: amount as a decimal string of major units ("1500" with
// currency "SATS" for sats; "14.99" "EUR"), checkout.expirationMinutes (expires_in rounded up,
// at least 1), checkout.paymentMethods and defaultPaymentMethod = the rail's only,
// lazyPaymentMethods false (so the BOLT11 / address exists at once), redirectURL =
// return_url, metadata {jopay_payment_id, orderId (indexed by BTCPay: searchable), itemDesc}.
// BTCPay's webhooks are set per store, so callback_url is not sent. kInvalid for another
// rail, an unknown currency or an amount below 1.
Result<std::string> InvoiceBody(const PushChargeRequest& request);

// The invoice fields jopayd reads from InvoiceData.
struct Invoice {
  std::string id;
  std::string store_id;
  std::string status;     // New, Processing, Expired, Invalid, Settled
  std::string amount;     // decimal text, in `currency`
  std::string currency;   // "SATS", "EUR", ...
  UnixSeconds expires_at = 0;
};
// kInvalid naming the field when id, storeId, status or expirationTime is missing.
Result<Invoice> InvoiceOf(const boost::json::object& invoice_data);

// The charge an invoice and its payment methods state: paid when the status is Settled;
// bolt11 / address = the Lightning / on-chain method's destination; amount_sats = the
// amount (plus paymentMethodFee) in BTC, rounded up to whole sats (Lightning amounts carry
// msats); amount_received_sats = every BTC method's paymentMethodPaid, rounded down; rate =
// "<rate> <CUR>/BTC" for a fiat invoice. Answers kOk; kRefused when the invoice belongs to
// another store than `store_id`; kUnknown when a body is not what the spec describes.
// With `asked` (a create), the invoice must also be for the amount and currency asked and
// offer the rail's destination (kRefused otherwise, with the provider_ref).
PushAnswer InvoiceAnswerOf(const boost::json::value& invoice_data,
                           const boost::json::value& payment_methods, std::string_view store_id,
                           const PushChargeRequest* asked);

}  // namespace jopay::btcpay
