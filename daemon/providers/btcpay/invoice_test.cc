#include "daemon/providers/btcpay/invoice.h"

#include <doctest/doctest.h>

namespace jopay::btcpay {

namespace json = boost::json;

namespace {

const std::string kStore = "9pXbYz3vQ7Lm2NcR4tUw8sKd6FhJ1gAe5oPi0qWrTy";

PushChargeRequest Request(std::string rail, int64_t amount, std::string currency) {
  PushChargeRequest r;
  r.payment_id = "pay_7Qk2";
  r.rail = std::move(rail);
  r.amount = amount;
  r.currency = std::move(currency);
  r.expires_in = 1800;
  r.description = "Pro plan, March";
  r.callback_url = "https://pay.example/public/webhook/btcpay";
  r.return_url = "https://shop.example/thanks";
  return r;
}

// InvoiceData as invoices.json describes it, every field.
json::object InvoiceData(std::string amount = "21000", std::string currency = "SATS",
                     std::string status = "New") {
  return json::object{
      {"id", "LjM8vQ2sT5nR"}, {"storeId", kStore}, {"amount", amount}, {"paidAmount", "0"},
      {"currency", currency}, {"type", "Standard"},
      {"checkoutLink", "https://btcpay.example/i/LjM8vQ2sT5nR"},
      {"createdTime", 1738317600}, {"expirationTime", 1738319400},
      {"monitoringExpiration", 1738405800}, {"status", status}, {"additionalStatus", "None"},
      {"availableStatusesForManualMarking", json::array{"Settled", "Invalid"}},
      {"archived", false},
      {"metadata", {{"jopay_payment_id", "pay_7Qk2"}, {"orderId", "pay_7Qk2"}}},
      {"checkout", {{"expirationMinutes", 30}, {"paymentMethods", json::array{"BTC-LN"}}}}};
}

// One InvoicePaymentMethodDataModel (BTCPay 2 ids).
json::object Method(std::string id, std::string destination, std::string amount,
                    std::string paid = "0.00000000", std::string rate = "100000000") {
  return json::object{{"paymentMethodId", id}, {"currency", "BTC"},
                      {"destination", destination},
                      {"paymentLink", "lightning:" + destination}, {"rate", rate},
                      {"paymentMethodPaid", paid}, {"totalPaid", paid}, {"due", amount},
                      {"amount", amount}, {"paymentMethodFee", "0.00000000"},
                      {"payments", json::array{}}, {"activated", true},
                      {"additionalData", json::object{}}};
}

const char* kBolt11 = "lnbcrt210u1pjqqqqqpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq";
const char* kAddress = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

}  // namespace

TEST_SUITE("btcpay") {

TEST_CASE("a sat invoice asks in SATS for the rail's payment method only") {
  auto text = InvoiceBody(Request("lightning", 21000, "sat"));
  REQUIRE(text.ok());
  json::object b = json::parse(*text).as_object();
  CHECK(b.at("amount") == "21000");
  CHECK(b.at("currency") == "SATS");
  const json::object& checkout = b.at("checkout").as_object();
  CHECK(checkout.at("expirationMinutes") == 30);
  CHECK(checkout.at("paymentMethods") == json::array{"BTC-LightningNetwork"});
  CHECK(checkout.at("defaultPaymentMethod") == "BTC-LightningNetwork");
  CHECK(checkout.at("lazyPaymentMethods") == false);
  CHECK(checkout.at("redirectURL") == "https://shop.example/thanks");
  CHECK(b.at("metadata").at("jopay_payment_id") == "pay_7Qk2");
  CHECK(b.at("metadata").at("orderId") == "pay_7Qk2");
  CHECK(b.at("metadata").at("itemDesc") == "Pro plan, March");
  CHECK_FALSE(text->find("webhook/btcpay") != std::string::npos);  // webhooks are per store

  json::object onchain = json::parse(*InvoiceBody(Request("onchain", 21000, "sat"))).as_object();
  CHECK(onchain.at("checkout").at("paymentMethods") == json::array{"BTC"});
}

TEST_CASE("a fiat invoice sends its amount as the exact decimal string of major units") {
  json::object b = json::parse(*InvoiceBody(Request("lightning", 1499, "eur"))).as_object();
  CHECK(b.at("amount") == "14.99");
  CHECK(b.at("currency") == "EUR");
  CHECK(json::parse(*InvoiceBody(Request("onchain", 500, "jpy"))).at("amount") == "500");
  PushChargeRequest quick = Request("lightning", 5, "usd");
  quick.expires_in = 61;
  json::object q = json::parse(*InvoiceBody(quick)).as_object();
  CHECK(q.at("amount") == "0.05");
  CHECK(q.at("checkout").at("expirationMinutes") == 2);
}

TEST_CASE("an invoice that cannot be asked for is refused before any request") {
  CHECK(InvoiceBody(Request("card", 100, "sat")).status().param() == "rail");
  CHECK(InvoiceBody(Request("lightning", 0, "sat")).status().param() == "amount");
  CHECK(InvoiceBody(Request("lightning", 100, "xyz")).status().param() == "currency");
}

TEST_CASE("a new Lightning invoice reads as its BOLT11, sats due and expiry") {
  json::array methods{Method("BTC-LN", kBolt11, "0.00021000")};
  PushChargeRequest asked = Request("lightning", 21000, "sat");
  PushAnswer a = InvoiceAnswerOf(InvoiceData(), methods, kStore, &asked);
  REQUIRE(a.kind == PushAnswer::Kind::kOk);
  CHECK(a.charge.provider_ref == "LjM8vQ2sT5nR");
  CHECK(a.charge.bolt11 == kBolt11);
  CHECK(a.charge.address.empty());
  CHECK(a.charge.amount_sats == 21000);
  CHECK(a.charge.amount_received_sats == 0);
  CHECK_FALSE(a.charge.paid);
  CHECK(a.charge.expires_at == 1738319400);
  CHECK(a.charge.rate.empty());  // a sat amount has no rate
}

TEST_CASE("only a Settled invoice is paid; a partial payment shows what came in") {
  json::array partial{Method("BTC-CHAIN", kAddress, "0.00021000", "0.00010000")};
  for (const char* status : {"New", "Processing", "Expired", "Invalid"}) {
    PushAnswer a = InvoiceAnswerOf(InvoiceData("21000", "SATS", status), partial, kStore, nullptr);
    CHECK(a.kind == PushAnswer::Kind::kOk);
    CHECK_FALSE(a.charge.paid);
    CHECK(a.charge.amount_received_sats == 10000);
    CHECK(a.charge.address == kAddress);
  }
  json::array full{Method("BTC-CHAIN", kAddress, "0.00021000", "0.00021000")};
  PushAnswer paid = InvoiceAnswerOf(InvoiceData("21000", "SATS", "Settled"), full, kStore, nullptr);
  CHECK(paid.charge.paid);
  CHECK(paid.charge.amount_received_sats == 21000);
}

TEST_CASE("a fiat invoice states BTCPay's rate and the sats it asks, msats rounded up") {
  json::array methods{Method("BTC-LightningNetwork", kBolt11, "0.00023278001", "0", "64392.23")};
  PushChargeRequest asked = Request("lightning", 1499, "eur");
  PushAnswer a = InvoiceAnswerOf(InvoiceData("14.99", "EUR"), methods, kStore, &asked);
  REQUIRE(a.kind == PushAnswer::Kind::kOk);
  CHECK(a.charge.amount_sats == 23279);
  CHECK(a.charge.rate == "64392.23 EUR/BTC");
  CHECK(a.charge.bolt11 == kBolt11);  // legacy method id read too
}

TEST_CASE("an invoice of another store is refused, whatever it says") {
  json::object other = InvoiceData("21000", "SATS", "Settled");
  other["storeId"] = "AnotherStore";
  PushAnswer a = InvoiceAnswerOf(other, json::array{}, kStore, nullptr);
  CHECK(a.kind == PushAnswer::Kind::kRefused);
  CHECK_FALSE(a.charge.paid);
}

TEST_CASE("a created invoice for another amount or without the rail is refused, keeping its id") {
  json::array ln{Method("BTC-LN", kBolt11, "0.00021000")};
  PushChargeRequest more = Request("lightning", 21001, "sat");
  PushAnswer wrong = InvoiceAnswerOf(InvoiceData(), ln, kStore, &more);
  CHECK(wrong.kind == PushAnswer::Kind::kRefused);
  CHECK(wrong.charge.provider_ref == "LjM8vQ2sT5nR");
  PushChargeRequest eur = Request("lightning", 21000, "eur");
  CHECK(InvoiceAnswerOf(InvoiceData(), ln, kStore, &eur).kind == PushAnswer::Kind::kRefused);
  PushChargeRequest onchain = Request("onchain", 21000, "sat");
  PushAnswer no_address = InvoiceAnswerOf(InvoiceData(), ln, kStore, &onchain);
  CHECK(no_address.kind == PushAnswer::Kind::kRefused);
  CHECK(no_address.detail.find("on-chain address") != std::string::npos);
}

TEST_CASE("answers not shaped as the spec says leave the outcome unknown, the id kept") {
  CHECK(InvoiceAnswerOf(json::value("x"), json::array{}, kStore, nullptr).kind ==
        PushAnswer::Kind::kUnknown);
  for (const char* field : {"id", "storeId", "status", "expirationTime"}) {
    json::object o = InvoiceData();
    o.erase(field);
    CHECK_MESSAGE(InvoiceAnswerOf(o, json::array{}, kStore, nullptr).kind ==
                      PushAnswer::Kind::kUnknown, field);
  }
  PushAnswer bad_methods = InvoiceAnswerOf(InvoiceData(), json::object{}, kStore, nullptr);
  CHECK(bad_methods.kind == PushAnswer::Kind::kUnknown);
  CHECK(bad_methods.charge.provider_ref == "LjM8vQ2sT5nR");
  json::array bad_amount{Method("BTC-LN", kBolt11, "1e-4")};
  CHECK(InvoiceAnswerOf(InvoiceData(), bad_amount, kStore, nullptr).kind ==
        PushAnswer::Kind::kUnknown);
}

}  // TEST_SUITE

}  // namespace jopay::btcpay
