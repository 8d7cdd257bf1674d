#include "daemon/push_providers.h"

#include "common/log.h"
#include "daemon/providers/btcpay/provider.h"
#include "daemon/providers/satspay/provider.h"

namespace jopay {

std::unique_ptr<PushProvider> MakePushProvider(const Config& c, bool live) {
  const std::string& btcpay_key = live ? c.btcpay_live_api_key : c.btcpay_test_api_key;
  const std::string& satspay_key = live ? c.satspay_live_api_key : c.satspay_test_api_key;
  if (!btcpay_key.empty()) {
    if (!satspay_key.empty()) {
      LogWarn("{} mode: both BTCPay and SatsPay keys are set; BTCPay takes the push rails",
              live ? "live" : "test");
    }
    btcpay::Account a;
    a.api_base = c.btcpay_api_base;
    a.api_key = btcpay_key;
    a.store_id = live ? c.btcpay_live_store_id : c.btcpay_test_store_id;
    a.webhook_secret = live ? c.btcpay_live_webhook_secret : c.btcpay_test_webhook_secret;
    a.livemode = live;
    return std::make_unique<btcpay::BtcPayProvider>(std::move(a));
  }
  if (!satspay_key.empty()) {
    satspay::Account a;
    a.api_base = c.satspay_api_base;
    a.api_key = satspay_key;
    a.wallets.lightning = live ? c.satspay_live_wallet : c.satspay_test_wallet;
    a.wallets.onchain = live ? c.satspay_live_onchain_wallet : c.satspay_test_onchain_wallet;
    a.livemode = live;
    return std::make_unique<satspay::SatsPayProvider>(std::move(a));
  }
  return nullptr;
}

}  // namespace jopay
