#include "daemon/providers/satspay/charge.h"

#include <doctest/doctest.h>

namespace jopay::satspay {

namespace json = boost::json;

namespace {

const Wallets kWallets{"a1b2c3lnwallet", "d4e5f6watchonly"};

PushChargeRequest Request(std::string rail, int64_t amount, std::string currency) {
  PushChargeRequest r;
  r.payment_id = "pay_7Qk2";
  r.rail = std::move(rail);
  r.amount = amount;
  r.currency = std::move(currency);
  r.expires_in = 1800;
  r.description = "Pro plan, March";
  r.callback_url = "https://pay.example/public/webhook/satspay";
  r.return_url = "https://shop.example/thanks";
  return r;
}

json::object Body(const PushChargeRequest& r) {
  auto body = ChargeBody(r, kWallets);
  REQUIRE(body.ok());
  return json::parse(*body).as_object();
}

// A charge as SatsPay's API answers it (models.py Charge, every field), Lightning.
const char* kLightningCharge = R"({
  "id": "Wn8mK3sQy2pXaB7cZ4dE9f", "user": "5a4b3c2d1e", "amount": 21000, "time": 30,
  "timestamp": "2025-01-31T10:00:00.123456", "balance": 0, "pending": 0, "zeroconf": false,
  "fasttrack": false, "paid": false, "completelinktext": "Back to Merchant",
  "name": "pay_7Qk2", "description": "Pro plan, March", "onchainwallet": null,
  "onchainaddress": null, "lnbitswallet": "a1b2c3lnwallet",
  "payment_request": "lnbcrt210u1pjqqqqqpp5qqq", "payment_hash": "9f86d081884c7d65",
  "webhook": "https://pay.example/public/webhook/satspay",
  "completelink": "https://shop.example/thanks", "custom_css": null, "currency": null,
  "currency_amount": null, "extra": "{\"jopay_payment_id\": \"pay_7Qk2\"}"})";

json::object LightningCharge() { return json::parse(kLightningCharge).as_object(); }

}  // namespace

TEST_SUITE("satspay") {

TEST_CASE("a sat charge asks for the amount in sats on the rail's wallet only") {
  json::object b = Body(Request("lightning", 21000, "sat"));
  CHECK(b.at("amount") == 21000);
  CHECK(b.at("lnbitswallet") == "a1b2c3lnwallet");
  CHECK_FALSE(b.contains("onchainwallet"));
  CHECK_FALSE(b.contains("currency"));
  CHECK_FALSE(b.contains("currency_amount"));
  CHECK(b.at("time") == 30);
  CHECK(b.at("description") == "Pro plan, March");
  CHECK(b.at("webhook") == "https://pay.example/public/webhook/satspay");
  CHECK(b.at("completelink") == "https://shop.example/thanks");
  CHECK(b.at("name") == "pay_7Qk2");
  CHECK(json::parse(b.at("extra").as_string()).at("jopay_payment_id") == "pay_7Qk2");

  json::object onchain = Body(Request("onchain", 50000, "sat"));
  CHECK(onchain.at("onchainwallet") == "d4e5f6watchonly");
  CHECK_FALSE(onchain.contains("lnbitswallet"));
}

TEST_CASE("a fiat charge sends the exact major-unit decimal and no sat amount") {
  auto text = ChargeBody(Request("lightning", 1499, "eur"), kWallets);
  REQUIRE(text.ok());
  CHECK(text->find(R"("currency_amount":14.99})") != std::string::npos);  // not 1.499E1
  json::object b = json::parse(*text).as_object();
  CHECK(b.at("currency") == "EUR");
  CHECK(b.at("currency_amount").to_number<double>() == 14.99);
  CHECK_FALSE(b.contains("amount"));
  CHECK(Body(Request("lightning", 500, "jpy")).at("currency_amount") == 500);
  CHECK(Body(Request("lightning", 5, "usd")).at("currency_amount").to_number<double>() == 0.05);
  CHECK(Body(Request("lightning", 1000, "kwd")).at("currency_amount").to_number<double>() == 1.0);
}

TEST_CASE("the time to pay is whole minutes, rounded up, at least one") {
  CHECK(ChargeMinutes(1800) == 30);
  CHECK(ChargeMinutes(1801) == 31);
  CHECK(ChargeMinutes(59) == 1);
  CHECK(ChargeMinutes(0) == 1);
  CHECK(ChargeMinutes(-5) == 1);
  CHECK(ChargeMinutes(61) == 2);
}

TEST_CASE("a charge that cannot be asked for is refused before any request") {
  Wallets lightning_only{"a1b2c3lnwallet", ""};
  CHECK(ChargeBody(Request("onchain", 100, "sat"), lightning_only).status().param() == "rail");
  CHECK(ChargeBody(Request("lightning", 100, "sat"), Wallets{"", "x"}).status().param() == "rail");
  CHECK(ChargeBody(Request("card", 100, "sat"), kWallets).status().param() == "rail");
  CHECK(ChargeBody(Request("lightning", 0, "sat"), kWallets).status().param() == "amount");
  CHECK(ChargeBody(Request("lightning", 100, "xyz"), kWallets).status().param() == "currency");
}

TEST_CASE("a Lightning charge reads as its invoice, amount and expiry") {
  auto c = ChargeOf(LightningCharge());
  REQUIRE(c.ok());
  CHECK(c->provider_ref == "Wn8mK3sQy2pXaB7cZ4dE9f");
  CHECK(c->bolt11 == "lnbcrt210u1pjqqqqqpp5qqq");
  CHECK(c->address.empty());
  CHECK(c->amount_sats == 21000);
  CHECK(c->amount_received_sats == 0);
  CHECK_FALSE(c->paid);
  CHECK(c->expires_at == 1738317600 + 30 * 60);  // 2025-01-31T10:00:00Z + 30 min
  CHECK(c->rate.empty());
}

TEST_CASE("a paid on-chain fiat charge reads as paid, with what came in and the rate used") {
  json::object o = LightningCharge();
  o["payment_request"] = nullptr;
  o["onchainaddress"] = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
  o["currency"] = "EUR";
  o["currency_amount"] = 14.99;
  o["amount"] = 23178;
  o["balance"] = 23200;
  o["paid"] = true;
  o["timestamp"] = 1738317600;  // older SatsPay versions: Unix seconds
  auto c = ChargeOf(o);
  REQUIRE(c.ok());
  CHECK(c->paid);
  CHECK(c->address == "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080");
  CHECK(c->bolt11.empty());
  CHECK(c->amount_received_sats == 23200);
  CHECK(c->rate == "14.99 EUR = 23178 sat");
  CHECK(c->expires_at == 1738317600 + 1800);
}

TEST_CASE("SatsPay's timestamps read with or without a zone") {
  CHECK(*TimestampOf(json::value("2025-01-31T10:00:00")) == 1738317600);
  CHECK(*TimestampOf(json::value("2025-01-31T10:00:00.999999")) == 1738317600);
  CHECK(*TimestampOf(json::value("2025-01-31 10:00:00")) == 1738317600);
  CHECK(*TimestampOf(json::value("2025-01-31T10:00:00+00:00")) == 1738317600);
  CHECK(*TimestampOf(json::value("2025-01-31T11:00:00+01:00")) == 1738317600);
  CHECK(*TimestampOf(json::value("2025-01-31T10:00:00Z")) == 1738317600);
  for (const char* bad : {"", "yesterday", "2025-13-01T00:00:00", "2025-01-31T10:00"}) {
    CHECK_MESSAGE(!TimestampOf(json::value(bad)).ok(), bad);
  }
  CHECK_FALSE(TimestampOf(json::value(1.5)).ok());
}

TEST_CASE("a charge missing what jopayd relies on is not a charge") {
  for (const char* field : {"id", "amount", "time", "timestamp", "paid"}) {
    json::object o = LightningCharge();
    o.erase(field);
    CHECK_MESSAGE(ChargeOf(o).status().param() == field, field);
  }
  json::object o = LightningCharge();
  o["paid"] = "true";  // a string is not a bool
  CHECK_FALSE(ChargeOf(o).ok());
  o = LightningCharge();
  o["amount"] = -1;
  CHECK_FALSE(ChargeOf(o).ok());
}

TEST_CASE("a created charge must carry the rail's destination and the sats asked") {
  PushChargeRequest asked = Request("lightning", 21000, "sat");
  json::value body = LightningCharge();
  PushAnswer ok = ChargeAnswerOf(body, &asked);
  CHECK(ok.kind == PushAnswer::Kind::kOk);
  CHECK(ok.charge.provider_ref == "Wn8mK3sQy2pXaB7cZ4dE9f");

  asked.amount = 20999;
  PushAnswer wrong = ChargeAnswerOf(body, &asked);
  CHECK(wrong.kind == PushAnswer::Kind::kRefused);
  CHECK(wrong.charge.provider_ref == "Wn8mK3sQy2pXaB7cZ4dE9f");  // can still be read back

  PushChargeRequest onchain = Request("onchain", 21000, "sat");
  CHECK(ChargeAnswerOf(body, &onchain).kind == PushAnswer::Kind::kRefused);
  CHECK(ChargeAnswerOf(body, nullptr).kind == PushAnswer::Kind::kOk);  // a read checks neither
  CHECK(ChargeAnswerOf(json::value("oops"), nullptr).kind == PushAnswer::Kind::kUnknown);
  CHECK(ChargeAnswerOf(json::object{{"id", "x"}}, nullptr).kind == PushAnswer::Kind::kUnknown);
}

TEST_CASE("a callback gives its charge id whether sent as GET or POST") {
  CHECK(*CallbackChargeId(kLightningCharge) == "Wn8mK3sQy2pXaB7cZ4dE9f");  // GET: the JSON
  std::string post = json::serialize(json::value(kLightningCharge));     // POST: JSON in JSON
  CHECK(*CallbackChargeId(post) == "Wn8mK3sQy2pXaB7cZ4dE9f");
  for (const char* bad : {"", "{}", "[]", R"({"id":""})", R"({"id":5})", "\"{}\"", "not json"}) {
    CHECK_MESSAGE(!CallbackChargeId(bad).ok(), bad);
  }
}

}  // TEST_SUITE

}  // namespace jopay::satspay
