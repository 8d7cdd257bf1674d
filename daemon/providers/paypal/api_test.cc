#include "daemon/providers/paypal/api.h"

#include <doctest/doctest.h>

#include "daemon/providers/paypal/checkout.h"

namespace jopay::paypal {

namespace json = boost::json;

TEST_SUITE("paypal") {

TEST_CASE("an access token is used until shortly before it expires") {
  AccessToken t = AccessTokenOf(json::parse(R"({"scope":"https://uri.paypal.com/services/payments/payment",
    "access_token":"A21AAFEpH4PsADK7qSS7pSRsgzfENtu","token_type":"Bearer",
    "app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"2026-12-05T10:00:00Z"})"));
  CHECK(t.token == "A21AAFEpH4PsADK7qSS7pSRsgzfENtu");
  CHECK(t.usable_for == std::chrono::seconds(32400 - 60));
  CHECK(AccessTokenOf(json::parse(R"({"access_token":"x","expires_in":100})")).usable_for ==
        std::chrono::seconds(90));
  CHECK(AccessTokenOf(json::parse(R"({"error":"invalid_client"})")).token.empty());
}

TEST_CASE("an error's issue is its first detail's, else its name") {
  json::value e = json::parse(R"({"name":"UNPROCESSABLE_ENTITY","message":"m","debug_id":"d",
    "details":[{"issue":"INSTRUMENT_DECLINED","description":"declined"}]})");
  CHECK(IssueOf(e) == "INSTRUMENT_DECLINED");
  CHECK(ErrorTextOf(e) == "declined");
  json::value plain = json::parse(R"({"name":"RESOURCE_NOT_FOUND","message":"not found"})");
  CHECK(IssueOf(plain) == "RESOURCE_NOT_FOUND");
  CHECK(ErrorTextOf(plain) == "not found");
  CHECK(IssueOf(nullptr).empty());
}

TEST_CASE("a setup saves a PayPal wallet for merchant use, and its payment token is the vault id") {
  SetupRequest r;
  r.jopay_object = "cs_trial1";
  r.description = "Pro plan (trial)";
  r.return_url = "https://pay.example/r";
  r.cancel_url = "https://pay.example/c";
  json::object b = json::parse(*SetupTokenBody(r)).as_object();
  const json::object& wallet = b.at("payment_source").at("paypal").as_object();
  CHECK(wallet.at("usage_type") == "MERCHANT");
  CHECK(wallet.at("description") == "Pro plan  trial ");
  CHECK(wallet.at("experience_context").at("return_url") == "https://pay.example/r");
  CHECK(json::parse(PaymentTokenBody("5C991763VB2781612")) ==
        json::parse(R"({"payment_source":{"token":{"id":"5C991763VB2781612","type":"BILLING_AGREEMENT"}}})"));

  // payment_token_response, the spec's example with a PayPal source.
  auto c = SetupCheckoutOf(json::parse(R"({"id":"8kk8451t","customer":{"id":"customer_4029352050"},
    "payment_source":{"paypal":{"email_address":"ada@example.com","usage_type":"MERCHANT"}},
    "links":[{"rel":"self","href":"https://api-m.paypal.com/v3/vault/payment-tokens/8kk8451t","method":"GET"}]})"),
                           "cs_trial1");
  REQUIRE(c.ok());
  CHECK(c->card.provider_ref == "8kk8451t");
  CHECK(c->card.provider_customer == "customer_4029352050");
  CHECK(c->email == "ada@example.com");
  CHECK(c->jopay_object == "cs_trial1");
  CHECK_FALSE(c->charge_ref);
  CHECK(SetupCheckoutOf(json::parse("{}"), "cs_trial1").status().code() == "checkout_not_complete");
}

}  // TEST_SUITE

}  // namespace jopay::paypal
