// Webhook bodies and signatures, shared by jopayd's dispatcher and `jopayctl events listen
// --forward-to` so both sign exactly alike.
//
// The body is {"id", "event", "data", "created_at"} written as JSON.stringify writes it
// (common/json_stringify.h), so JSON.stringify(JSON.parse(body)) gives the same bytes back.
//
// Two signature schemes, both over the same body bytes and the same timestamp t (Unix seconds
// of this attempt; every retry is signed afresh):
//  - X-JoPay-Signature: t=<t>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>, the key being the whole
//    secret string "whsec_..." as text (as the verify examples of docs/reference/jopay-checkout-api.txt use it).
//  - Standard Webhooks: webhook-id = the event id, webhook-timestamp = t, webhook-signature =
//    v1,<base64 HMAC-SHA256(key, "<id>.<t>.<body>")>, the key being the base64-decoded bytes
//    after "whsec_" (as the standardwebhooks libraries decode it).
// With more than one secret (during a rotation) each secret adds its signature: one more
// ",v1=<hex>" in X-JoPay-Signature, one more space-separated "v1,<base64>" in
// webhook-signature; the newest secret comes first.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jopay {

constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// "whsec_" + base64 of 32 random bytes.
std::string NewWebhookSecret();

// The Standard Webhooks key of a secret: the base64-decoded bytes after "whsec_".
Result<std::string> StandardWebhooksKey(std::string_view secret);

// The body of one delivery. `created_at` is RFC 3339.
std::string WebhookBody(std::string_view event_id, std::string_view type,
                        const boost::json::value& data, std::string_view created_at);

struct WebhookSignatures {
  std::string jopay;            // X-JoPay-Signature
  std::string webhook_id;       // webhook-id
  std::string webhook_timestamp;
  std::string webhook_signature;
};

// Signs `body` for event `event_id` at time `t` with every secret (newest first).
WebhookSignatures SignWebhook(std::string_view body, std::string_view event_id, int64_t t,
                              const std::vector<std::string>& secrets);

// The User-Agent of every delivery: "JoPay-Webhooks/<version>".
std::string WebhookUserAgent();

}  // namespace jopay
