#include "common/webhook_signing.h"

#include <boost/json.hpp>
#include <fmt/core.h>

#include "common/crypto.h"
#include "common/json_stringify.h"

namespace jopay {

namespace json = boost::json;

std::string NewWebhookSecret() {
  return std::string(kWebhookSecretPrefix) + Base64Encode(RandomBytes(32));
}

Result<std::string> StandardWebhooksKey(std::string_view secret) {
  std::string_view b64 = secret;
  if (b64.substr(0, kWebhookSecretPrefix.size()) == kWebhookSecretPrefix) {
    b64.remove_prefix(kWebhookSecretPrefix.size());
  }
  std::string key;
  if (b64.empty() || !Base64Decode(b64, key)) {
    return Status::Invalid("a webhook secret is whsec_ followed by base64", "secret");
  }
  return key;
}

std::string WebhookBody(std::string_view event_id, std::string_view type,
                        const json::value& data, std::string_view created_at) {
  // Written piece by piece: copying `data` into an object first would cost a deep copy.
  std::string out;
  out.reserve(256 + 2 * data.is_object() * 512);
  out += "{\"id\":";
  JsQuoteTo(event_id, out);
  out += ",\"event\":";
  JsQuoteTo(type, out);
  out += ",\"data\":";
  JsStringifyTo(data, out);
  out += ",\"created_at\":";
  JsQuoteTo(created_at, out);
  out += '}';
  return out;
}

WebhookSignatures SignWebhook(std::string_view body, std::string_view event_id, int64_t t,
                              const std::vector<std::string>& secrets) {
  WebhookSignatures s;
  std::string ts = std::to_string(t);
  s.webhook_id = std::string(event_id);
  s.webhook_timestamp = ts;
  s.jopay = "t=" + ts;
  std::string jopay_payload = fmt::format("{}.{}", ts, body);
  std::string standard_payload = fmt::format("{}.{}.{}", event_id, ts, body);
  for (const auto& secret : secrets) {
    s.jopay += ",v1=" + HexEncode(HmacSha256(secret, jopay_payload));
    auto key = StandardWebhooksKey(secret);
    if (!key.ok()) continue;  // not a whsec_ secret: only the JoPay scheme can sign with it
    if (!s.webhook_signature.empty()) s.webhook_signature += ' ';
    s.webhook_signature += "v1," + Base64Encode(HmacSha256(*key, standard_payload));
  }
  return s;
}

std::string WebhookUserAgent() { return std::string("JoPay-Webhooks/") + JOPAY_VERSION; }

}  // namespace jopay
