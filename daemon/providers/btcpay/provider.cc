#include "daemon/providers/btcpay/provider.h"

#include <chrono>
#include <memory>

#include "daemon/providers/btcpay/signature.h"

namespace jopay::btcpay {

namespace json = boost::json;

namespace {

providers::JsonApiOptions OptionsOf(const Account& a) {
  std::string mode = a.livemode ? "live" : "test";
  std::string base = a.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return {"BTCPay", "btcpay-" + mode, base, "Authorization", "token ",
          "btcpay-" + mode + "-api-key", a.livemode};
}

}  // namespace

BtcPayProvider::BtcPayProvider(Account account)
    : store_id_(account.store_id),
      livemode_(account.livemode),
      webhook_secret_(std::move(account.webhook_secret)),
      client_(http::ClientOptions{account.max_in_flight, std::chrono::milliseconds(30000), 512,
                                  account.livemode ? "btcpay-live" : "btcpay-test"}),
      api_(OptionsOf(account), std::move(account.api_key), client_) {}

void BtcPayProvider::CreateCharge(const PushChargeRequest& request, Done done) {
  if (request.livemode != livemode_) {
    return done(providers::RefusedAnswer("BTCPay", "a charge of the other mode"));
  }
  auto body = InvoiceBody(request);
  if (!body.ok()) return done(providers::RefusedAnswer("BTCPay", body.status().message()));
  auto asked = std::make_shared<PushChargeRequest>(request);
  api_.Send("POST", "/api/v1/stores/" + providers::PathSegment(store_id_) + "/invoices",
            std::move(*body), [this, asked, done = std::move(done)](providers::JsonReply r) {
              if (!r.ok()) return done(api_.Failure(r));
              ReadMethods(std::move(r.body), asked.get(), done);
            });
}

void BtcPayProvider::ReadCharge(const std::string& provider_ref, bool livemode, Done done) {
  if (livemode != livemode_) {
    return done(providers::RefusedAnswer("BTCPay", "a charge of the other mode"));
  }
  if (!providers::IsPlainId(provider_ref)) {
    return done(providers::RefusedAnswer("BTCPay", "not a BTCPay invoice id"));
  }
  api_.Send("GET", "/api/v1/invoices/" + providers::PathSegment(provider_ref), "",
            [this, done = std::move(done)](providers::JsonReply r) {
              if (!r.ok()) return done(api_.Failure(r));
              ReadMethods(std::move(r.body), nullptr, done);
            });
}

void BtcPayProvider::ReadMethods(json::value invoice_body, const PushChargeRequest* asked,
                                 Done done) {
  // The id as BTCPay gave it, checked like any other before it goes into a URL.
  std::string id;
  if (invoice_body.is_object()) id = providers::TextField(invoice_body.get_object(), "id").value_or("");
  if (!providers::IsPlainId(id)) {
    return done(InvoiceAnswerOf(invoice_body, json::array{}, store_id_, asked));
  }
  // `asked` points into the create's callback, which outlives this request only by copy.
  std::shared_ptr<PushChargeRequest> kept;
  if (asked) kept = std::make_shared<PushChargeRequest>(*asked);
  api_.Send("GET", "/api/v1/invoices/" + id + "/payment-methods", "",
            [this, kept, invoice = std::move(invoice_body), done = std::move(done)](
                providers::JsonReply r) {
              if (r.ok()) return done(InvoiceAnswerOf(invoice, r.body, store_id_, kept.get()));
              // The invoice exists: whatever this read says, the outcome is to be asked again.
              PushAnswer a = api_.Failure(r);
              a.kind = PushAnswer::Kind::kUnknown;
              auto known = InvoiceOf(invoice.as_object());
              if (known.ok()) {
                a.charge.provider_ref = known->id;
                a.charge.expires_at = known->expires_at;
              }
              done(std::move(a));
            });
}

bool BtcPayProvider::CallbackSigned(std::string_view raw_body, std::string_view btcpay_sig) const {
  std::string secret;
  {
    std::lock_guard lock(mu_);
    secret = webhook_secret_;
  }
  return SignatureValid(secret, raw_body, btcpay_sig);
}

void BtcPayProvider::SetSecrets(std::string api_key, std::string webhook_secret) {
  api_.SetKey(std::move(api_key));
  std::lock_guard lock(mu_);
  webhook_secret_ = std::move(webhook_secret);
}

}  // namespace jopay::btcpay
