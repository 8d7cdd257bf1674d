// SatsPay Server (an LNbits extension) as a push provider: a charge per payment, a BOLT11
// invoice from the account's Lightning wallet or an address from its watch-only wallet,
// read back for `paid` and the balance. Request and answer shapes: charge.h.
#pragma once

#include <string>

#include "daemon/http/client.h"
#include "daemon/providers/json_api.h"
#include "daemon/providers/push_provider.h"
#include "daemon/providers/satspay/charge.h"

namespace jopay::satspay {

struct Account {
  std::string api_base;  // the LNbits server ("https://lnbits.example"); tests: a stand-in
  std::string api_key;   // an invoice key of the account's wallet (X-Api-Key)
  Wallets wallets;
  bool livemode = false;
  int max_in_flight = 16;  // requests on the wire at once
};

class SatsPayProvider : public PushProvider {
 public:
  explicit SatsPayProvider(Account account);
  ~SatsPayProvider() override { client_.Stop(); }  // no callback may outlive api_

  std::string_view name() const override { return "satspay"; }
  bool instant() const override { return false; }
  bool Offers(std::string_view rail) const override {
    return rail == rail::kLightning ? !wallets_.lightning.empty()
                                    : rail == rail::kOnchain && !wallets_.onchain.empty();
  }
  // POST /satspay/api/v1/charge. kRefused without a request when the charge cannot be asked
  // for (ChargeBody); kUnknown when no answer came: SatsPay takes no idempotency key, so a
  // repeat makes a second charge (the first simply expires unpaid).
  void CreateCharge(const PushChargeRequest& request, Done done) override;
  // GET /satspay/api/v1/charge/{id}. A charge of the other mode is refused.
  void ReadCharge(const std::string& provider_ref, bool livemode, Done done) override;
  void Shutdown() override { client_.Stop(); }

  // A reload's new key (same wallets), for requests sent from now on.
  void SetKey(std::string api_key) { api_.SetKey(std::move(api_key)); }

 private:
  Wallets wallets_;
  bool livemode_;
  http::Client client_;
  providers::JsonApi api_;
};

}  // namespace jopay::satspay
