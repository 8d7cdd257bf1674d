#include "daemon/providers/paypal/orders.h"

#include <doctest/doctest.h>

namespace jopay::paypal {

namespace json = boost::json;

namespace {

// An order after capture, with the fields of the spec's `order`, `purchase_unit`, `capture`,
// `paypal_wallet_response` and `paypal_wallet_vault_response` schemas.
json::object CapturedOrder(std::string capture_status = "COMPLETED",
                           std::string order_status = "COMPLETED") {
  json::object capture{
      {"id", "3C679366HH908993F"},
      {"status", capture_status},
      {"amount", {{"currency_code", "EUR"}, {"value", "14.99"}}},
      {"custom_id", "cs_8Hk2"},
      {"final_capture", true},
      {"seller_receivable_breakdown",
       {{"gross_amount", {{"currency_code", "EUR"}, {"value", "14.99"}}},
        {"paypal_fee", {{"currency_code", "EUR"}, {"value", "0.78"}}},
        {"net_amount", {{"currency_code", "EUR"}, {"value", "14.21"}}}}},
      {"create_time", "2026-12-05T10:00:00Z"},
      {"update_time", "2026-12-05T10:00:00Z"}};
  return json::object{
      {"id", "5O190127TN364715T"},
      {"status", order_status},
      {"intent", "CAPTURE"},
      {"payment_source",
       {{"paypal",
         {{"email_address", "ada@example.com"},
          {"account_id", "QYR5Z8XDVJNXQ"},
          {"account_status", "VERIFIED"},
          {"name", {{"given_name", "Ada"}, {"surname", "Lovelace"}}},
          {"attributes",
           {{"vault",
             {{"id", "nkq2y9g"},
              {"status", "VAULTED"},
              {"customer", {{"id", "ROaVtVTE3L"}}},
              {"links", json::array{{{"href", "https://api-m.paypal.com/v3/vault/payment-tokens/nkq2y9g"},
                                     {"rel", "self"}, {"method", "GET"}}}}}}}}}}}},
      {"purchase_units",
       json::array{{{"reference_id", "cs_8Hk2"},
                    {"custom_id", "cs_8Hk2"},
                    {"payments", {{"captures", json::array{capture}}}}}}},
      {"payer", {{"email_address", "ada@example.com"}, {"payer_id", "QYR5Z8XDVJNXQ"}}},
      {"links", json::array{{{"href", "https://api-m.paypal.com/v2/checkout/orders/5O190127TN364715T"},
                             {"rel", "self"}, {"method", "GET"}}}}};
}

Reply ReplyWith(int status, json::value body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// An error body as error_422 + orders.capture-422 describe it.
json::object Error422(std::string issue) {
  return json::object{
      {"name", "UNPROCESSABLE_ENTITY"},
      {"message", "The requested action could not be performed, semantically incorrect, or "
                  "failed business validation."},
      {"debug_id", "f8c2b1a7e3d49"},
      {"details", json::array{{{"issue", issue},
                               {"description", "The instrument presented  was either declined "
                                               "by the processor or bank, or it can't be used "
                                               "for this payment."}}}}};
}

ChargeIntent Renewal() {
  ChargeIntent i;
  i.payment_id = "pay_7Qk2";
  i.idempotency_key = "sub_9aF3:1738317600:1";
  i.amount = 1499;
  i.currency = "eur";
  i.provider_method = "nkq2y9g";
  i.description = "Pro plan, March";
  return i;
}

}  // namespace

TEST_SUITE("paypal") {

TEST_CASE("amounts go to PayPal as exact decimals in major units") {
  CHECK(json::value(*MoneyOf(1499, "eur")) == json::parse(R"({"currency_code":"EUR","value":"14.99"})"));
  CHECK(MoneyOf(500, "jpy")->at("value") == "500");
  CHECK(MoneyOf(1, "usd")->at("value") == "0.01");
  CHECK(MoneyOf(12300, "huf")->at("value") == "123");  // PayPal: HUF in whole forints
  CHECK(MoneyOf(12345, "huf").status().param() == "amount");
  CHECK(MoneyOf(0, "eur").status().param() == "amount");
  CHECK(MoneyOf(100, "sat").status().param() == "currency");
  CHECK(MoneyOf(100, "xyz").status().param() == "currency");

  auto back = MinorOf(json::object{{"currency_code", "EUR"}, {"value", "14.99"}});
  REQUIRE(back);
  CHECK(back->amount == 1499);
  CHECK(back->currency == "eur");
  CHECK(MinorOf(json::object{{"currency_code", "HUF"}, {"value", "123"}})->amount == 12300);
  CHECK_FALSE(MinorOf(json::object{{"currency_code", "EUR"}, {"value", "1e3"}}));
  CHECK_FALSE(MinorOf(json::object{{"value", "1.00"}}));
}

TEST_CASE("a request id is the key, and stays within PayPal's 108 characters") {
  CHECK(RequestId("sub_9aF3:1738317600:1") == "sub_9aF3:1738317600:1");
  CHECK(RequestId("sub_9aF3:1738317600:1", "capture") == "sub_9aF3:1738317600:1:capture");
  std::string long_key(120, 'k');
  CHECK(RequestId(long_key).size() == 64);
  CHECK(RequestId(long_key) == RequestId(long_key));
  CHECK(RequestId(long_key, "capture") != RequestId(long_key));
}

TEST_CASE("a checkout order asks to vault the wallet and names the JoPay session") {
  CheckoutRequest r;
  r.jopay_object = "cs_8Hk2";
  r.amount = 1499;
  r.currency = "eur";
  r.description = "Pro plan — monthly";
  r.brand_name = "Example Shop";
  r.return_url = "https://pay.example/checkout/cs_8Hk2/paypal/return";
  r.cancel_url = "https://pay.example/checkout/cs_8Hk2";
  auto text = CheckoutOrderBody(r);
  REQUIRE(text.ok());
  json::object o = json::parse(*text).as_object();
  CHECK(o.at("intent") == "CAPTURE");
  const json::object& unit = o.at("purchase_units").as_array().at(0).as_object();
  CHECK(unit.at("custom_id") == "cs_8Hk2");
  CHECK(unit.at("amount") == json::parse(R"({"currency_code":"EUR","value":"14.99"})"));
  const json::object& wallet = o.at("payment_source").at("paypal").as_object();
  const json::object& vault = wallet.at("attributes").at("vault").as_object();
  CHECK(vault.at("store_in_vault") == "ON_SUCCESS");
  CHECK(vault.at("usage_type") == "MERCHANT");
  CHECK(vault.at("usage_pattern") == "RECURRING_PREPAID");
  CHECK(vault.at("description") == "Pro plan     monthly");  // the em dash is not in the pattern
  const json::object& context = wallet.at("experience_context").as_object();
  CHECK(context.at("return_url") == json::value(r.return_url));
  CHECK(context.at("cancel_url") == json::value(r.cancel_url));
  CHECK(context.at("brand_name") == "Example Shop");

  r.save_wallet = false;  // a one-time payment saves nothing
  CHECK_FALSE(json::parse(*CheckoutOrderBody(r)).at("payment_source").at("paypal").as_object()
                  .contains("attributes"));
  r.return_url.clear();
  CHECK(CheckoutOrderBody(r).status().param() == "return_url");
}

TEST_CASE("a renewal order pays from the vault id and names the JoPay payment") {
  auto text = ChargeOrderBody(Renewal());
  REQUIRE(text.ok());
  json::object o = json::parse(*text).as_object();
  CHECK(o.at("intent") == "CAPTURE");
  CHECK(o.at("payment_source") == json::parse(R"({"paypal":{"vault_id":"nkq2y9g"}})"));
  const json::object& unit = o.at("purchase_units").as_array().at(0).as_object();
  CHECK(unit.at("custom_id") == "pay_7Qk2");
  CHECK(unit.at("amount").at("value") == "14.99");
  CHECK(unit.at("description") == "Pro plan, March");

  ChargeIntent none = Renewal();
  none.provider_method.clear();
  CHECK_FALSE(ChargeOrderBody(none).ok());
}

TEST_CASE("the approval URL is the payer-action link, or else the approve link") {
  json::value created = json::parse(R"({"id":"5O190127TN364715T","status":"PAYER_ACTION_REQUIRED",
    "links":[{"href":"https://api-m.paypal.com/v2/checkout/orders/5O190127TN364715T","rel":"self","method":"GET"},
             {"href":"https://www.paypal.com/checkoutnow?token=5O190127TN364715T","rel":"payer-action","method":"GET"}]})");
  CHECK(ApprovalUrlOf(created) == "https://www.paypal.com/checkoutnow?token=5O190127TN364715T");
  json::value old = json::parse(R"({"id":"X","links":[{"href":"https://a.example/x","rel":"approve"}]})");
  CHECK(ApprovalUrlOf(old) == "https://a.example/x");
  CHECK(ApprovalUrlOf(json::parse(R"({"id":"X","links":[]})")).empty());
}

TEST_CASE("a captured checkout gives the vault id, its customer, the capture and the payer") {
  auto c = CheckoutOf(CapturedOrder(), true);
  REQUIRE(c.ok());
  CHECK(c->provider_session == "5O190127TN364715T");
  CHECK(c->jopay_object == "cs_8Hk2");
  CHECK(c->card.provider == "paypal");
  CHECK(c->card.provider_ref == "nkq2y9g");
  CHECK(c->card.provider_customer == "ROaVtVTE3L");
  CHECK(c->card.brand == "paypal");
  CHECK(c->charge_ref == "3C679366HH908993F");
  CHECK(c->amount_paid == 1499);
  CHECK(c->currency == "eur");
  CHECK(c->email == "ada@example.com");
}

TEST_CASE("a checkout that is not captured, or saved no wallet, is not complete") {
  CHECK(CheckoutOf(CapturedOrder("COMPLETED", "APPROVED"), true).status().code() ==
        "checkout_not_complete");
  CHECK(CheckoutOf(CapturedOrder("PENDING"), true).status().code() == "checkout_not_complete");
  CHECK(CheckoutOf(CapturedOrder("DECLINED"), true).status().code() == "checkout_not_complete");
  json::object unsaved = CapturedOrder();
  unsaved["payment_source"].as_object()["paypal"].as_object().erase("attributes");
  CHECK(CheckoutOf(unsaved, true).status().code() == "wallet_not_saved");
  CHECK(CheckoutOf(unsaved, false).ok());  // a one-time payment needs none
}

TEST_CASE("a completed capture is paid, under the capture's id") {
  ChargeAnswer a = ChargeAnswerOf(ReplyWith(201, CapturedOrder()));
  CHECK(a.kind == ChargeAnswer::Kind::kPaid);
  CHECK(a.provider_ref == "3C679366HH908993F");
}

TEST_CASE("declines carry PayPal's issue; a declined capture is declined") {
  ChargeAnswer a = ChargeAnswerOf(ReplyWith(422, Error422("INSTRUMENT_DECLINED")));
  CHECK(a.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(a.failure_code == "instrument_declined");
  CHECK(a.failure_message.find("declined by the processor") != std::string::npos);
  CHECK(ChargeAnswerOf(ReplyWith(422, Error422("PAYER_ACTION_REQUIRED"))).failure_code ==
        "payer_action_required");
  CHECK(ChargeAnswerOf(ReplyWith(422, Error422("AGREEMENT_ALREADY_CANCELLED"))).kind ==
        ChargeAnswer::Kind::kDeclined);
  ChargeAnswer d = ChargeAnswerOf(ReplyWith(201, CapturedOrder("DECLINED")));
  CHECK(d.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(d.provider_ref == "3C679366HH908993F");
  ChargeAnswer action = ChargeAnswerOf(ReplyWith(200, json::parse(
      R"({"id":"5O190127TN364715T","status":"PAYER_ACTION_REQUIRED","links":[]})")));
  CHECK(action.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(action.failure_code == "payer_action_required");
}

TEST_CASE("no definite answer is unknown, so the charge is asked again under its key") {
  Reply none;
  none.error = "timed out";
  CHECK(ChargeAnswerOf(none).kind == ChargeAnswer::Kind::kUnknown);
  CHECK(ChargeAnswerOf(ReplyWith(500, json::parse(R"({"name":"INTERNAL_SERVER_ERROR"})"))).kind ==
        ChargeAnswer::Kind::kUnknown);
  Reply limited = ReplyWith(429, json::parse(R"({"name":"RATE_LIMIT_REACHED"})"));
  limited.retry_after_ms = 3000;
  CHECK(ChargeAnswerOf(limited).retry_after_ms == 3000);
  ChargeAnswer auth = ChargeAnswerOf(ReplyWith(401, json::parse(R"({"name":"AUTHENTICATION_FAILURE"})")));
  CHECK(auth.kind == ChargeAnswer::Kind::kUnknown);
  CHECK(auth.detail.find("client-secret") != std::string::npos);
  CHECK(ChargeAnswerOf(ReplyWith(422, Error422("ORDER_COMPLETION_IN_PROGRESS"))).kind ==
        ChargeAnswer::Kind::kUnknown);
  // A pending capture names the order, to be read back.
  ChargeAnswer pending = ChargeAnswerOf(ReplyWith(201, CapturedOrder("PENDING")));
  CHECK(pending.kind == ChargeAnswer::Kind::kUnknown);
  CHECK(pending.provider_ref == "5O190127TN364715T");
}

TEST_CASE("an order waiting for its capture is told apart from a finished one") {
  json::value approved = json::parse(R"({"id":"8AB12345CD678901E","status":"APPROVED","links":[]})");
  CHECK(NeedsCapture(ReplyWith(201, approved)));
  ChargeAnswer a = ChargeAnswerOf(ReplyWith(201, approved));
  CHECK(a.kind == ChargeAnswer::Kind::kUnknown);
  CHECK(a.provider_ref == "8AB12345CD678901E");
  CHECK_FALSE(NeedsCapture(ReplyWith(201, CapturedOrder())));
  CHECK_FALSE(NeedsCapture(ReplyWith(422, Error422("INSTRUMENT_DECLINED"))));
}

TEST_CASE("a refund names the amount with its currency, and its answers map like charges") {
  RefundIntent i;
  i.refund_id = "re_4Gh1";
  i.idempotency_key = "re_4Gh1";
  i.charge_ref = "3C679366HH908993F";
  i.amount = 500;
  i.currency = "eur";
  i.reason = "requested_by_customer";
  json::object b = json::parse(*RefundBody(i)).as_object();
  CHECK(b.at("amount") == json::parse(R"({"currency_code":"EUR","value":"5.00"})"));
  CHECK(b.at("custom_id") == "re_4Gh1");
  i.currency.clear();
  CHECK_FALSE(RefundBody(i).ok());

  // The spec's `refund` schema.
  auto refund = [](std::string status) {
    return json::object{{"id", "1JU08902781691411"}, {"status", status},
                        {"amount", {{"currency_code", "EUR"}, {"value", "5.00"}}},
                        {"custom_id", "re_4Gh1"}};
  };
  ChargeAnswer done = RefundAnswerOf(ReplyWith(201, refund("COMPLETED")));
  CHECK(done.kind == ChargeAnswer::Kind::kPaid);
  CHECK(done.provider_ref == "1JU08902781691411");
  CHECK(RefundAnswerOf(ReplyWith(201, refund("PENDING"))).kind == ChargeAnswer::Kind::kUnknown);
  CHECK(RefundAnswerOf(ReplyWith(201, refund("FAILED"))).kind == ChargeAnswer::Kind::kDeclined);
  ChargeAnswer refused = RefundAnswerOf(ReplyWith(422, Error422("CAPTURE_FULLY_REFUNDED")));
  CHECK(refused.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(refused.failure_code == "refund_refused");
  CHECK(RefundAnswerOf(ReplyWith(503, nullptr)).kind == ChargeAnswer::Kind::kUnknown);
}

}  // TEST_SUITE

}  // namespace jopay::paypal
