#include "daemon/providers/paypal/webhook.h"

#include <doctest/doctest.h>

namespace jopay::paypal {

namespace json = boost::json;

namespace {

// The spec's verify_webhook_signature example, headers and event.
CallbackHeaders SpecHeaders() {
  CallbackHeaders h;
  h.transmission_id = "69cd13f0-d67a-11e5-baa3-778b53f4ae55";
  h.transmission_time = "2016-02-18T20:01:35Z";
  h.cert_url = "https://api-m.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270";
  h.auth_algo = "SHA256withRSA";
  h.transmission_sig = "lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3boXB07VX";
  return h;
}

// Spaced and ordered as received: the verification must carry these bytes.
const char* kSpecEvent = R"({"id": "8PT597110X687430LKGECATA", "create_time": "2013-06-25T21:41:28Z",
 "resource_type": "authorization", "event_type": "PAYMENT.AUTHORIZATION.CREATED",
 "summary": "A payment authorization was created",
 "resource": {"id": "2DC87612EK520411B", "state": "authorized",
  "amount": {"total": "7.47", "currency": "USD", "details": {"subtotal": "7.47"}}}})";

// A capture event as PayPal sends them (resource = the spec's `capture`).
const char* kCaptureEvent = R"({"id":"WH-58D329510W468432D-8HN650336L201105X",
 "create_time":"2026-12-05T10:00:03.000Z","resource_type":"capture","event_version":"1.0",
 "event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"Payment completed for EUR 14.99 EUR",
 "resource":{"id":"3C679366HH908993F","status":"COMPLETED","custom_id":"pay_7Qk2",
  "amount":{"currency_code":"EUR","value":"14.99"},
  "supplementary_data":{"related_ids":{"order_id":"5O190127TN364715T"}}}})";

Reply ReplyWith(int status, json::value body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_SUITE("paypal") {

TEST_CASE("the verification request carries the headers, the webhook id and the raw event") {
  auto body = VerifyRequestBody(SpecHeaders(), "1JE4291016473214C", kSpecEvent);
  REQUIRE(body.ok());
  json::object o = json::parse(*body).as_object();
  CHECK(o.at("transmission_id") == "69cd13f0-d67a-11e5-baa3-778b53f4ae55");
  CHECK(o.at("transmission_time") == "2016-02-18T20:01:35Z");
  CHECK(o.at("transmission_sig") == json::value(SpecHeaders().transmission_sig));
  CHECK(o.at("cert_url") == json::value(SpecHeaders().cert_url));
  CHECK(o.at("auth_algo") == "SHA256withRSA");
  CHECK(o.at("webhook_id") == "1JE4291016473214C");
  CHECK(o.at("webhook_event").at("id") == "8PT597110X687430LKGECATA");
  // The event's own bytes, spacing and key order included.
  CHECK(body->find(kSpecEvent) != std::string::npos);
}

TEST_CASE("headers that cannot be PayPal's are refused before asking") {
  CallbackHeaders missing = SpecHeaders();
  missing.transmission_sig.clear();
  CHECK(VerifyRequestBody(missing, "1JE4291016473214C", kSpecEvent).status().param() ==
        "PAYPAL-TRANSMISSION-SIG");
  CallbackHeaders long_id = SpecHeaders();
  long_id.transmission_id = std::string(51, 'a');
  CHECK_FALSE(VerifyRequestBody(long_id, "1JE4291016473214C", kSpecEvent).ok());
  CallbackHeaders algo = SpecHeaders();
  algo.auth_algo = "SHA256 with RSA";
  CHECK_FALSE(VerifyRequestBody(algo, "1JE4291016473214C", kSpecEvent).ok());
  CHECK_FALSE(VerifyRequestBody(SpecHeaders(), "1JE4-2910", kSpecEvent).ok());
  CHECK_FALSE(VerifyRequestBody(SpecHeaders(), "1JE4291016473214C", "[1,2]").ok());
  CHECK_FALSE(VerifyRequestBody(SpecHeaders(), "1JE4291016473214C", "{\"id\":").ok());
}

TEST_CASE("only SUCCESS verifies; FAILURE is forged; no answer is unknown") {
  using K = Verification::Kind;
  CHECK(VerificationOf(ReplyWith(200, json::parse(R"({"verification_status":"SUCCESS"})"))).kind ==
        K::kVerified);
  CHECK(VerificationOf(ReplyWith(200, json::parse(R"({"verification_status":"FAILURE"})"))).kind ==
        K::kForged);
  CHECK(VerificationOf(ReplyWith(200, json::parse(R"({})"))).kind == K::kForged);
  CHECK(VerificationOf(ReplyWith(400, json::parse(R"({"name":"VALIDATION_ERROR"})"))).kind ==
        K::kForged);
  Reply none;
  none.error = "connection refused";
  CHECK(VerificationOf(none).kind == K::kUnknown);
  CHECK(VerificationOf(ReplyWith(503, nullptr)).kind == K::kUnknown);
  CHECK(VerificationOf(ReplyWith(401, nullptr)).kind == K::kUnknown);
}

TEST_CASE("an event gives its id, type and the resource it names") {
  auto e = ParseEvent(kCaptureEvent);
  REQUIRE(e.ok());
  CHECK(e->id == "WH-58D329510W468432D-8HN650336L201105X");
  CHECK(e->event_type == "PAYMENT.CAPTURE.COMPLETED");
  CHECK(e->resource_type == "capture");
  CHECK(e->resource_id == "3C679366HH908993F");
  CHECK(e->custom_id == "pay_7Qk2");
  CHECK(e->order_id == "5O190127TN364715T");

  auto spec = ParseEvent(kSpecEvent);
  REQUIRE(spec.ok());
  CHECK(spec->resource_id == "2DC87612EK520411B");
  CHECK(spec->order_id.empty());

  auto order = ParseEvent(R"({"id":"WH-1","event_type":"CHECKOUT.ORDER.APPROVED",
    "resource_type":"checkout-order","resource":{"id":"5O190127TN364715T",
    "purchase_units":[{"custom_id":"cs_8Hk2"}]}})");
  REQUIRE(order.ok());
  CHECK(order->order_id == "5O190127TN364715T");
  CHECK(order->custom_id == "cs_8Hk2");
}

TEST_CASE("an event without id, type or resource is refused") {
  CHECK(ParseEvent(R"({"event_type":"X","resource":{"id":"r"}})").status().param() == "id");
  CHECK(ParseEvent(R"({"id":"WH-1","resource":{"id":"r"}})").status().param() == "event_type");
  CHECK(ParseEvent(R"({"id":"WH-1","event_type":"X"})").status().param() == "resource.id");
  CHECK(ParseEvent(R"({"id":7,"event_type":"X","resource":{"id":"r"}})").status().param() == "id");
  CHECK_FALSE(ParseEvent("not json").ok());
}

}  // TEST_SUITE

}  // namespace jopay::paypal
