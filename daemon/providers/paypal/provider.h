// PayPal as a payment provider: a customer's PayPal wallet is saved through an approved order
// with vaulting (checkout.h), and renewals charge it merchant-initiated: an order paid from the
// vault id, under PayPal-Request-Id = the charge's idempotency key. Shapes: orders.h;
// callbacks: webhook.h.
#pragma once

#include <string_view>

#include "daemon/http/client.h"
#include "daemon/providers/paypal/api.h"
#include "daemon/providers/paypal/webhook.h"
#include "daemon/providers/provider.h"

namespace jopay::paypal {

class PayPalProvider : public Provider {
 public:
  explicit PayPalProvider(Account account);
  ~PayPalProvider() override { client_.Stop(); }  // no callback may outlive api_

  std::string_view name() const override { return "paypal"; }
  bool simulated() const override { return false; }
  bool instant() const override { return false; }
  // Never: wallets are saved by the customer's approval at PayPal (kInvalid).
  Result<SavedCard> Attach(std::string_view card_number) override;
  ChargeOutcome Charge(std::string_view, int64_t, std::string_view, std::string_view) override;

  // POST /v2/checkout/orders with payment_source.paypal.vault_id = intent.provider_method
  // under RequestId(key); PayPal completes such an order at once. Should it answer with an
  // order waiting for capture instead, the order is captured under RequestId(key, "capture").
  // The answer: ChargeAnswerOf (orders.h): kPaid with the capture id; kDeclined with PayPal's
  // issue (instrument_declined, payer_action_required, ...); kUnknown otherwise, with the
  // order id when one exists. A charge that cannot be asked for (no vault id, a currency
  // PayPal does not take) is kDeclined "invalid_request" without a request.
  void SendCharge(const ChargeIntent& intent, AnswerFn done) override;
  // With intent.provider_ref (the order a kUnknown named): GET the order; one still waiting
  // for its capture is captured (under the same request id as SendCharge's). Without it, or
  // when that order is unknown: the create is sent again under the same PayPal-Request-Id,
  // which PayPal answers with the first outcome if it made the charge (within its 6 hours)
  // and otherwise makes it now. So this never answers kNotFound: the Orders API has no
  // search by custom_id, and "made now" is what a kNotFound would have led to.
  void FindCharge(const ChargeIntent& intent, AnswerFn done) override;
  // POST /v2/payments/captures/{intent.charge_ref}/refund (RefundBody) under RequestId(key);
  // once intent.provider_ref is known, GET /v2/payments/refunds/{id} instead (never a second
  // refund). RefundAnswerOf; a refund without a capture id or currency -> kDeclined.
  void SendRefund(const RefundIntent& intent, AnswerFn done) override;
  void Shutdown() override { client_.Stop(); }

  // Asks PayPal whether it sent this callback (webhook.h VerifyCallback, under this account's
  // webhook id). `done` runs on the client's thread.
  void VerifyCallback(const CallbackHeaders& headers, std::string_view raw_event,
                      VerifyDone done);

  // For checkouts (checkout.h) and reloads (Api::SetCredentials).
  Api& api() { return api_; }

 private:
  void Capture(const std::string& order_id, const std::string& key, AnswerFn done);
  // The answer of a create or a read: captured when it waits for that, otherwise as it is.
  void Settle(Reply reply, const std::string& key, AnswerFn done);

  http::Client client_;
  Api api_;
};

// The PayPal apps jopayd is configured with (either may be missing).
struct Accounts {
  PayPalProvider* test = nullptr;
  PayPalProvider* live = nullptr;
  PayPalProvider* For(bool livemode) const { return livemode ? live : test; }
};

}  // namespace jopay::paypal
