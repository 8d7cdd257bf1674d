#include "daemon/providers/paypal/webhook.h"

#include <fmt/core.h>

#include <cctype>

#include "daemon/providers/json_api.h"

namespace jopay::paypal {

namespace json = boost::json;
using providers::TextField;

namespace {

bool Alnum(std::string_view s) {
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status CheckHeader(const std::string& value, size_t max, const char* name) {
  if (value.empty() || value.size() > max) {
    return Status::Invalid(fmt::format("{} is missing or too long", name), name);
  }
  for (char c : value) {
    if (c < ' ' || c > '~') return Status::Invalid(fmt::format("{} is not printable", name), name);
  }
  return Status::Ok();
}

Verification Verdict(Verification::Kind kind, std::string detail) {
  return {kind, std::move(detail)};
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

}  // namespace

Result<std::string> VerifyRequestBody(const CallbackHeaders& h, std::string_view webhook_id,
                                      std::string_view raw_event) {
  JOPAY_RETURN_IF_ERROR(CheckHeader(h.transmission_id, 50, "PAYPAL-TRANSMISSION-ID"));
  JOPAY_RETURN_IF_ERROR(CheckHeader(h.transmission_time, 100, "PAYPAL-TRANSMISSION-TIME"));
  JOPAY_RETURN_IF_ERROR(CheckHeader(h.transmission_sig, 500, "PAYPAL-TRANSMISSION-SIG"));
  JOPAY_RETURN_IF_ERROR(CheckHeader(h.cert_url, 500, "PAYPAL-CERT-URL"));
  JOPAY_RETURN_IF_ERROR(CheckHeader(h.auth_algo, 100, "PAYPAL-AUTH-ALGO"));
  if (!Alnum(h.auth_algo)) return Status::Invalid("PAYPAL-AUTH-ALGO is not alphanumeric", "auth_algo");
  if (webhook_id.empty() || webhook_id.size() > 50 || !Alnum(webhook_id)) {
    return Status::Invalid("The PayPal webhook id is not 1 to 50 letters and digits.", "webhook_id");
  }
  boost::system::error_code ec;
  json::value event = json::parse(raw_event, ec);
  if (ec || !event.is_object()) return Status::Invalid("The event is not a JSON object.", "body");
  json::object fields{{"auth_algo", h.auth_algo},
                      {"cert_url", h.cert_url},
                      {"transmission_id", h.transmission_id},
                      {"transmission_sig", h.transmission_sig},
                      {"transmission_time", h.transmission_time},
                      {"webhook_id", webhook_id}};
  std::string body = json::serialize(fields);
  body.pop_back();  // the closing brace: the raw event goes in before it
  body += ",\"webhook_event\":";
  body += raw_event;
  body += '}';
  return body;
}

Verification VerificationOf(const Reply& r) {
  using K = Verification::Kind;
  if (r.status == 0) return Verdict(K::kUnknown, "no answer from PayPal: " + r.error);
  if (r.status >= 500 || r.status == 429 || r.status == 401 || r.status == 403) {
    return Verdict(K::kUnknown, fmt::format("PayPal answered {} {}", r.status, IssueOf(r.body)));
  }
  if (!r.ok()) {
    return Verdict(K::kForged, fmt::format("PayPal refused to verify ({} {})", r.status,
                                           IssueOf(r.body)));
  }
  std::string status;
  if (r.body.is_object()) status = TextField(r.body.get_object(), "verification_status").value_or("");
  if (status == "SUCCESS") return Verdict(K::kVerified, "");
  return Verdict(K::kForged, "PayPal's verification_status is " +
                                 (status.empty() ? std::string("missing") : status));
}

void VerifyCallback(Api& api, const CallbackHeaders& headers, std::string_view raw_event,
                    VerifyDone done) {
  std::string webhook_id = api.webhook_id();
  if (webhook_id.empty()) {
    std::string mode = api.account().livemode ? "live" : "test";
    return done(Verdict(Verification::Kind::kUnknown,
                        "paypal-" + mode + "-webhook-id is not set: callbacks cannot be verified"));
  }
  auto body = VerifyRequestBody(headers, webhook_id, raw_event);
  if (!body.ok()) {
    // A webhook id PayPal cannot take is the operator's to fix, not a forgery.
    bool ours = body.status().param() == "webhook_id";
    return done(Verdict(ours ? Verification::Kind::kUnknown : Verification::Kind::kForged,
                        body.status().message()));
  }
  // No PayPal-Request-Id: a verification changes nothing, and may simply be asked again.
  api.Send("POST", "/v1/notifications/verify-webhook-signature", std::move(*body), "",
           [done = std::move(done)](Reply r) { done(VerificationOf(r)); });
}

Result<WebhookEvent> ParseEvent(std::string_view raw_event) {
  boost::system::error_code ec;
  json::value v = json::parse(raw_event, ec);
  if (ec || !v.is_object()) return Status::Invalid("The event is not a JSON object.", "body");
  const json::object& o = v.get_object();
  WebhookEvent e;
  e.id = TextField(o, "id").value_or("");
  e.event_type = TextField(o, "event_type").value_or("");
  e.resource_type = TextField(o, "resource_type").value_or("");
  e.create_time = TextField(o, "create_time").value_or("");
  if (e.id.empty()) return Status::Invalid("The event has no id.", "id");
  if (e.event_type.empty()) return Status::Invalid("The event has no event_type.", "event_type");
  const json::object* resource = Obj(o, "resource");
  if (resource) e.resource_id = TextField(*resource, "id").value_or("");
  if (e.resource_id.empty()) return Status::Invalid("The event names no resource.", "resource.id");
  e.custom_id = TextField(*resource, "custom_id").value_or("");
  const json::object* extra = Obj(*resource, "supplementary_data");
  const json::object* related = extra ? Obj(*extra, "related_ids") : nullptr;
  if (related) e.order_id = TextField(*related, "order_id").value_or("");
  if (e.order_id.empty() && e.event_type.rfind("CHECKOUT.ORDER.", 0) == 0) e.order_id = e.resource_id;
  if (e.custom_id.empty()) {
    // An order's custom_id is on its purchase unit.
    const json::value* units = resource->if_contains("purchase_units");
    if (units && units->is_array() && !units->get_array().empty() &&
        units->get_array().front().is_object()) {
      e.custom_id = TextField(units->get_array().front().get_object(), "custom_id").value_or("");
    }
  }
  return e;
}

}  // namespace jopay::paypal
