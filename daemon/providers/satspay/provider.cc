#include "daemon/providers/satspay/provider.h"

#include <chrono>

namespace jopay::satspay {

namespace {

providers::JsonApiOptions OptionsOf(const Account& a) {
  std::string mode = a.livemode ? "live" : "test";
  std::string base = a.api_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return {"SatsPay", "satspay-" + mode, base, "X-Api-Key", "", "satspay-" + mode + "-api-key",
          a.livemode};
}

}  // namespace

SatsPayProvider::SatsPayProvider(Account account)
    : wallets_(account.wallets),
      livemode_(account.livemode),
      client_(http::ClientOptions{account.max_in_flight, std::chrono::milliseconds(30000), 512,
                                  account.livemode ? "satspay-live" : "satspay-test"}),
      api_(OptionsOf(account), std::move(account.api_key), client_) {}

void SatsPayProvider::CreateCharge(const PushChargeRequest& request, Done done) {
  if (request.livemode != livemode_) {
    return done(providers::RefusedAnswer("SatsPay", "a charge of the other mode"));
  }
  auto body = ChargeBody(request, wallets_);
  if (!body.ok()) return done(providers::RefusedAnswer("SatsPay", body.status().message()));
  api_.Send("POST", "/satspay/api/v1/charge", std::move(*body),
            [this, asked = request, done = std::move(done)](providers::JsonReply r) {
              done(r.ok() ? ChargeAnswerOf(r.body, &asked) : api_.Failure(r));
            });
}

void SatsPayProvider::ReadCharge(const std::string& provider_ref, bool livemode, Done done) {
  if (livemode != livemode_) {
    return done(providers::RefusedAnswer("SatsPay", "a charge of the other mode"));
  }
  if (!providers::IsPlainId(provider_ref)) {
    return done(providers::RefusedAnswer("SatsPay", "not a SatsPay charge id"));
  }
  api_.Send("GET", "/satspay/api/v1/charge/" + providers::PathSegment(provider_ref), "",
            [this, done = std::move(done)](providers::JsonReply r) {
              done(r.ok() ? ChargeAnswerOf(r.body, nullptr) : api_.Failure(r));
            });
}

}  // namespace jopay::satspay
