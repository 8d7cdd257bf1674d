#include "daemon/providers/paypal/provider.h"

#include <chrono>

#include "daemon/providers/json_api.h"
#include "daemon/providers/paypal/orders.h"

namespace jopay::paypal {

namespace {

ChargeAnswer Refused(std::string message) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kDeclined;
  a.failure_code = "invalid_request";
  a.failure_message = std::move(message);
  return a;
}

}  // namespace

PayPalProvider::PayPalProvider(Account account)
    : client_(http::ClientOptions{account.max_in_flight, std::chrono::milliseconds(30000), 512,
                                  account.livemode ? "paypal-live" : "paypal-test"}),
      api_(std::move(account), client_) {}

Result<SavedCard> PayPalProvider::Attach(std::string_view) {
  return Status::Invalid(
      "Card numbers are not accepted: PayPal wallets are saved at PayPal (create a checkout "
      "session and send the customer to its page).",
      "card", "card_numbers_not_accepted");
}

ChargeOutcome PayPalProvider::Charge(std::string_view, int64_t, std::string_view,
                                     std::string_view) {
  // Never asked: PayPal charges go through the charge sender (instant() is false).
  return {false, "provider_unavailable", "PayPal charges are sent outside the writer.", false, ""};
}

void PayPalProvider::SendCharge(const ChargeIntent& intent, AnswerFn done) {
  auto body = ChargeOrderBody(intent);
  if (!body.ok()) return done(Refused(body.status().message()));
  std::string key = intent.idempotency_key;
  api_.Send("POST", "/v2/checkout/orders", std::move(*body), RequestId(key),
            [this, key, done = std::move(done)](Reply r) { Settle(std::move(r), key, done); });
}

void PayPalProvider::Settle(Reply reply, const std::string& key, AnswerFn done) {
  if (!NeedsCapture(reply)) return done(ChargeAnswerOf(reply));
  ChargeAnswer waiting = ChargeAnswerOf(reply);  // kUnknown naming the order
  if (!providers::IsPlainId(waiting.provider_ref)) return done(waiting);
  Capture(waiting.provider_ref, key, std::move(done));
}

void PayPalProvider::Capture(const std::string& order_id, const std::string& key,
                             AnswerFn done) {
  api_.Send("POST", "/v2/checkout/orders/" + order_id + "/capture", "{}",
            RequestId(key, "capture"), [order_id, done = std::move(done)](Reply r) {
              ChargeAnswer a = ChargeAnswerOf(r);
              // The order exists whatever the capture said: a retry reads it back.
              if (a.kind == ChargeAnswer::Kind::kUnknown && a.provider_ref.empty()) {
                a.provider_ref = order_id;
              }
              done(std::move(a));
            });
}

void PayPalProvider::FindCharge(const ChargeIntent& intent, AnswerFn done) {
  if (!providers::IsPlainId(intent.provider_ref)) return SendCharge(intent, std::move(done));
  std::string key = intent.idempotency_key;
  ChargeIntent again = intent;
  api_.Send("GET", "/v2/checkout/orders/" + intent.provider_ref, "", "",
            [this, key, again, done = std::move(done)](Reply r) {
              // Not an order (a capture id, or gone): fall back to the replay under the key.
              if (r.status == 404) return SendCharge(again, done);
              Settle(std::move(r), key, done);
            });
}

void PayPalProvider::SendRefund(const RefundIntent& intent, AnswerFn done) {
  auto answer = [done](Reply r) { done(RefundAnswerOf(r)); };
  if (providers::IsPlainId(intent.provider_ref)) {  // made already: read back, never remade
    return api_.Send("GET", "/v2/payments/refunds/" + intent.provider_ref, "", "",
                     std::move(answer));
  }
  Result<std::string> body =
      providers::IsPlainId(intent.charge_ref)
          ? RefundBody(intent)
          : Result<std::string>(Status::Invalid("The payment has no capture to refund.", "charge"));
  if (!body.ok()) {
    ChargeAnswer a = Refused(body.status().message());
    a.failure_code = "refund_refused";
    return done(std::move(a));
  }
  api_.Send("POST", "/v2/payments/captures/" + intent.charge_ref + "/refund", std::move(*body),
            RequestId(intent.idempotency_key), std::move(answer));
}

void PayPalProvider::VerifyCallback(const CallbackHeaders& headers, std::string_view raw_event,
                                    VerifyDone done) {
  paypal::VerifyCallback(api_, headers, raw_event, std::move(done));
}

}  // namespace jopay::paypal
