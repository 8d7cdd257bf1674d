// A BTCPay Server webhook delivery's body (webhooks.json: WebhookEvent, WebhookInvoiceEvent
// and the Invoice* events built on it):
//   {"deliveryId", "webhookId", "originalDeliveryId", "isRedelivery", "type", "timestamp",
//    "storeId", "invoiceId", "metadata", ...event fields}
// Only what jopayd acts on is read: which invoice of which store, and which delivery. The
// event's own claims (type, overPaid...) are hints: the invoice is read back before anything
// changes. Check the signature (signature.h) before parsing.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace jopay::btcpay {

struct WebhookDelivery {
  std::string delivery_id;
  std::string original_delivery_id;  // a redelivery's first delivery; "" when not given
  std::string webhook_id;
  std::string type;        // "InvoiceSettled", "InvoiceReceivedPayment", "InvoiceExpired", ...
  std::string invoice_id;  // "" for events that are not about an invoice
  std::string store_id;
  bool is_redelivery = false;
  UnixSeconds timestamp = 0;

  // What a receiver deduplicates by: BTCPay's automatic retries resend the same delivery id,
  // and a redelivery from its UI or API gets a new one that names the original.
  const std::string& dedup_id() const {
    return original_delivery_id.empty() ? delivery_id : original_delivery_id;
  }
  bool about_invoice() const { return type.rfind("Invoice", 0) == 0; }
};

// kInvalid (naming the field) when the body is not a JSON object, has no deliveryId or type,
// or is an Invoice* event without invoiceId and storeId; a field of the wrong type counts as
// missing.
Result<WebhookDelivery> ParseWebhook(std::string_view raw_body);

}  // namespace jopay::btcpay
