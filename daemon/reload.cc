#include "daemon/reload.h"

#include <functional>

#include <fmt/format.h>

#include "common/log.h"

namespace jopay {

namespace {

// Settings fixed at start: what a running jopayd built from them (a store, sockets, pools,
// the clock, the providers it has) cannot be rebuilt under requests in flight.
struct Fixed {
  const char* key;
  std::function<std::string(const Config&)> value;
};

const std::vector<Fixed>& FixedKeys() {
  static const std::vector<Fixed> keys = {
      {"data-dir", [](const Config& c) { return c.data_dir; }},
      {"socket", [](const Config& c) { return c.socket; }},
      {"listen", [](const Config& c) { return c.listen; }},
      {"public-url", [](const Config& c) { return c.public_url; }},
      {"metrics-listen", [](const Config& c) { return c.metrics_listen; }},
      {"clock", [](const Config& c) { return c.clock; }},
      {"clock-start", [](const Config& c) { return c.clock_start; }},
      {"retry-schedule", [](const Config& c) { return c.retry_schedule; }},
      {"webhooks-connections",
       [](const Config& c) { return std::to_string(c.webhooks_connections); }},
      {"due-batch", [](const Config& c) { return std::to_string(c.due_batch); }},
      {"push-lead-days", [](const Config& c) { return std::to_string(c.push_lead_days); }},
      {"push-poll-seconds", [](const Config& c) { return std::to_string(c.push_poll_seconds); }},
      {"public-rate-limit", [](const Config& c) { return std::to_string(c.public_rate_limit); }},
      {"public-max-connections",
       [](const Config& c) { return std::to_string(c.public_max_connections); }},
      {"public-max-connections-per-address",
       [](const Config& c) { return std::to_string(c.public_max_connections_per_address); }},
      {"public-read-timeout",
       [](const Config& c) { return std::to_string(c.public_read_timeout); }},
      {"merchant-name", [](const Config& c) { return c.merchant_name; }},
      {"merchant-logo-url", [](const Config& c) { return c.merchant_logo_url; }},
      {"merchant-support-email", [](const Config& c) { return c.merchant_support_email; }},
      {"merchant-address", [](const Config& c) { return c.merchant_address; }},
      {"merchant-tax-id", [](const Config& c) { return c.merchant_tax_id; }},
      {"invoice-prefix", [](const Config& c) { return c.invoice_prefix; }},
      {"stripe-api-base", [](const Config& c) { return c.stripe_api_base; }},
      {"stripe-test-rate-limit",
       [](const Config& c) { return fmt::format("{}", c.stripe_test_rate_limit); }},
      {"stripe-live-rate-limit",
       [](const Config& c) { return fmt::format("{}", c.stripe_live_rate_limit); }},
      {"stripe-max-in-flight",
       [](const Config& c) { return std::to_string(c.stripe_max_in_flight); }},
      {"solana-rpc-url", [](const Config& c) { return c.solana_rpc_url; }},
      {"solana-test-rpc-url", [](const Config& c) { return c.solana_test_rpc_url; }},
      {"solana-live-rpc-url", [](const Config& c) { return c.solana_live_rpc_url; }},
      // SatsPay and BTCPay (keys too: compared, never printed; only the key's name is logged).
      {"satspay-api-base", [](const Config& c) { return c.satspay_api_base; }},
      {"satspay-test-api-key", [](const Config& c) { return c.satspay_test_api_key; }},
      {"satspay-test-wallet", [](const Config& c) { return c.satspay_test_wallet; }},
      {"satspay-test-onchain-wallet",
       [](const Config& c) { return c.satspay_test_onchain_wallet; }},
      {"satspay-live-api-key", [](const Config& c) { return c.satspay_live_api_key; }},
      {"satspay-live-wallet", [](const Config& c) { return c.satspay_live_wallet; }},
      {"satspay-live-onchain-wallet",
       [](const Config& c) { return c.satspay_live_onchain_wallet; }},
      {"btcpay-api-base", [](const Config& c) { return c.btcpay_api_base; }},
      {"btcpay-test-api-key", [](const Config& c) { return c.btcpay_test_api_key; }},
      {"btcpay-test-store-id", [](const Config& c) { return c.btcpay_test_store_id; }},
      {"btcpay-test-webhook-secret", [](const Config& c) { return c.btcpay_test_webhook_secret; }},
      {"btcpay-live-api-key", [](const Config& c) { return c.btcpay_live_api_key; }},
      {"btcpay-live-store-id", [](const Config& c) { return c.btcpay_live_store_id; }},
      {"btcpay-live-webhook-secret", [](const Config& c) { return c.btcpay_live_webhook_secret; }},
      // Customer emails (the password compared, never printed).
      {"smtp-host", [](const Config& c) { return c.smtp_host; }},
      {"smtp-port", [](const Config& c) { return std::to_string(c.smtp_port); }},
      {"smtp-tls", [](const Config& c) { return c.smtp_tls; }},
      {"smtp-ca-file", [](const Config& c) { return c.smtp_ca_file; }},
      {"smtp-user", [](const Config& c) { return c.smtp_user; }},
      {"smtp-password", [](const Config& c) { return c.smtp_password; }},
      {"smtp-from", [](const Config& c) { return c.smtp_from; }},
      {"email-templates-dir", [](const Config& c) { return c.email_templates_dir; }},
      {"email-test-disabled", [](const Config& c) { return c.email_test_disabled; }},
      {"email-live-disabled", [](const Config& c) { return c.email_live_disabled; }},
      {"email-retry-schedule", [](const Config& c) { return c.email_retry_schedule; }},
      // PayPal (secrets compared, never printed).
      {"paypal-api-base", [](const Config& c) { return c.paypal_api_base; }},
      {"paypal-test-client-id", [](const Config& c) { return c.paypal_test_client_id; }},
      {"paypal-test-client-secret", [](const Config& c) { return c.paypal_test_client_secret; }},
      {"paypal-test-webhook-id", [](const Config& c) { return c.paypal_test_webhook_id; }},
      {"paypal-live-client-id", [](const Config& c) { return c.paypal_live_client_id; }},
      {"paypal-live-client-secret", [](const Config& c) { return c.paypal_live_client_secret; }},
      {"paypal-live-webhook-id", [](const Config& c) { return c.paypal_live_webhook_id; }},
  };
  return keys;
}

// A mode's Stripe keys: replaced when the mode has Stripe and still will; adding Stripe to a
// mode or taking it away changes which provider charges and waits for a restart.
void ReloadStripe(const char* mode, stripe::StripeProvider* account, std::string& running_key,
                  std::string& running_hook, const std::string& key, const std::string& hook,
                  std::vector<std::string>& restart) {
  if (key == running_key && hook == running_hook) return;
  if (!account || key.empty()) {
    restart.push_back(fmt::format("stripe-{}-secret-key", mode));
    return;
  }
  account->api().SetSecrets(key, hook);
  running_key = key;
  running_hook = hook;
  LogInfo("reload: Stripe {} mode's secret key and webhook secret replaced", mode);
}

}  // namespace

void ApplyLogFormat(const std::string& format) {
  SetLogFormat(format == "json" ? LogFormat::kJson : LogFormat::kText);
}

void ApplyLogLevel(const std::string& level) {
  if (level == "debug") SetLogLevel(LogLevel::kDebug);
  if (level == "info") SetLogLevel(LogLevel::kInfo);
  if (level == "warn") SetLogLevel(LogLevel::kWarn);
  if (level == "error") SetLogLevel(LogLevel::kError);
}

std::vector<std::string> ApplyReload(Config& running, const Config& fresh, Reloadable& live) {
  std::vector<std::string> restart;
  for (const Fixed& f : FixedKeys()) {
    if (f.value(running) != f.value(fresh)) restart.push_back(f.key);
  }
  if (fresh.log_level != running.log_level) {
    ApplyLogLevel(fresh.log_level);
    running.log_level = fresh.log_level;
    LogInfo("reload: log-level is now {}", fresh.log_level);
  }
  if (fresh.log_format != running.log_format) {
    ApplyLogFormat(fresh.log_format);
    running.log_format = fresh.log_format;
    LogInfo("reload: log-format is now {}", fresh.log_format);
  }
  if (fresh.webhooks_allow_private != running.webhooks_allow_private) {
    live.dispatcher.SetAllowPrivate(fresh.webhooks_allow_private);
    running.webhooks_allow_private = fresh.webhooks_allow_private;
    LogInfo("reload: webhooks-allow-private is now {}", fresh.webhooks_allow_private);
  }
  ReloadStripe("test", live.stripe.test, running.stripe_test_secret_key,
               running.stripe_test_webhook_secret, fresh.stripe_test_secret_key,
               fresh.stripe_test_webhook_secret, restart);
  ReloadStripe("live", live.stripe.live, running.stripe_live_secret_key,
               running.stripe_live_webhook_secret, fresh.stripe_live_secret_key,
               fresh.stripe_live_webhook_secret, restart);
  return restart;
}

}  // namespace jopay
