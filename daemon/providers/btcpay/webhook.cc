#include "daemon/providers/btcpay/webhook.h"

#include <boost/json.hpp>
#include <fmt/core.h>

#include "daemon/providers/json_api.h"

namespace jopay::btcpay {

namespace json = boost::json;
using providers::BoolField;
using providers::IntField;
using providers::TextField;

namespace {

Status Missing(std::string_view field) {
  return Status::Invalid(fmt::format("the BTCPay delivery has no usable '{}'", field),
                         std::string(field));
}

// A required text field, at most 200 bytes (ids are short; a delivery is not a place for
// megabytes of id).
Status Need(const json::object& o, std::string_view field, std::string& out) {
  auto text = TextField(o, field);
  if (!text || text->empty() || text->size() > 200) return Missing(field);
  out = std::move(*text);
  return Status::Ok();
}

}  // namespace

Result<WebhookDelivery> ParseWebhook(std::string_view raw_body) {
  boost::system::error_code ec;
  json::value v = json::parse(raw_body, ec);
  if (ec || !v.is_object()) {
    return Status::Invalid("the BTCPay delivery is not a JSON object", "body");
  }
  const json::object& o = v.get_object();
  WebhookDelivery d;
  JOPAY_RETURN_IF_ERROR(Need(o, "deliveryId", d.delivery_id));
  JOPAY_RETURN_IF_ERROR(Need(o, "type", d.type));
  if (o.contains("isRedelivery")) {
    auto redelivery = BoolField(o, "isRedelivery");
    if (!redelivery) return Missing("isRedelivery");
    d.is_redelivery = *redelivery;
  }
  d.original_delivery_id = TextField(o, "originalDeliveryId").value_or("");
  d.webhook_id = TextField(o, "webhookId").value_or("");
  d.timestamp = IntField(o, "timestamp").value_or(0);
  if (d.about_invoice()) {
    JOPAY_RETURN_IF_ERROR(Need(o, "invoiceId", d.invoice_id));
    JOPAY_RETURN_IF_ERROR(Need(o, "storeId", d.store_id));
  } else {
    d.store_id = TextField(o, "storeId").value_or("");
  }
  return d;
}

}  // namespace jopay::btcpay
