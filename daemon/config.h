// jopayd's settings: flags, each also a key of the TOML config file (--config FILE).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace jopay {

struct Config {
  std::string data_dir = "./var";
  std::string socket;      // default <data_dir>/jopayd.sock
  std::string listen = "127.0.0.1:8080";
  std::string public_url;  // default http://<listen>
  std::string clock = "system";  // or "manual" (test mode only)
  std::string clock_start;       // manual clock's first time, RFC 3339 (default: now)
  std::string retry_schedule = "1d,3d,5d";
  std::string log_level = "info";
  std::string log_format = "text";  // or "json"
  std::string metrics_listen;       // HOST:PORT of /metrics; empty = off
  bool webhooks_allow_private = false;  // live endpoints on loopback/private addresses
  int webhooks_connections = 32;        // per endpoint, on the wire at once
  int due_batch = 10000;                // due subscriptions per transaction
  int push_lead_days = 3;     // a push rail's period is invoiced this long before it begins
  int push_poll_seconds = 60; // pending Lightning / on-chain charges are read back this often
  int public_rate_limit = 60;           // POST /public/subscribe a minute per address; 0 = off
  // Public connections held at once: overall (lowered to what the descriptor limit allows)
  // and per client address (IPv6: per /64; 0 = no per-address cap).
  int public_max_connections = 10000;
  int public_max_connections_per_address = 256;
  int public_read_timeout = 30;  // seconds a client has for a request head, a body, or idling

  // Who the hosted pages (and Eventop's `merchant` object) name as the seller.
  std::string merchant_name;
  std::string merchant_logo_url;       // https (http also in test setups); shown at 48 px
  std::string merchant_support_email;  // where the pages send customers with questions
  // Printed on invoices (daemon/billing/invoices.h); a '|' in the address starts a new line.
  std::string merchant_address;
  std::string merchant_tax_id;
  std::string invoice_prefix = "JP-";  // of new invoice and credit note numbers

  // Stripe, per mode. With a secret key for a mode, that mode's cards go through Stripe.
  // Secrets come from the config file or the environment (JOPAY_STRIPE_TEST_SECRET_KEY...).
  std::string stripe_api_base = "https://api.stripe.com";
  std::string stripe_test_secret_key;
  std::string stripe_test_webhook_secret;
  std::string stripe_live_secret_key;
  std::string stripe_live_webhook_secret;
  double stripe_test_rate_limit = 20;  // requests/s; Stripe's test-mode limit is 25
  double stripe_live_rate_limit = 80;  // requests/s; Stripe's live limit is 100
  int stripe_max_in_flight = 64;       // requests on the wire at once, per mode

  // Solana JSON-RPC nodes that prove Eventop on-chain completions: per mode, else the shared
  // solana-rpc-url. Test mode without one completes any well-formed proof (sandbox); live mode
  // without one refuses.
  std::string solana_rpc_url;
  std::string solana_test_rpc_url;
  std::string solana_live_rpc_url;
  std::string SolanaRpcUrl(bool live) const {
    const std::string& own = live ? solana_live_rpc_url : solana_test_rpc_url;
    return own.empty() ? solana_rpc_url : own;
  }

  // SatsPay Server (LNbits) and BTCPay Server, per mode: with an API key for a mode, that mode
  // can charge Lightning / on-chain through them. Keys and webhook secrets also come from the
  // environment (JOPAY_SATSPAY_TEST_API_KEY, JOPAY_BTCPAY_LIVE_WEBHOOK_SECRET...).
  std::string satspay_api_base;  // the LNbits server, e.g. https://lnbits.example
  std::string satspay_test_api_key;         // a wallet's invoice key
  std::string satspay_test_wallet;          // LNbits wallet id: Lightning charges
  std::string satspay_test_onchain_wallet;  // watch-only wallet id: on-chain charges
  std::string satspay_live_api_key;
  std::string satspay_live_wallet;
  std::string satspay_live_onchain_wallet;
  std::string btcpay_api_base;  // the BTCPay server, e.g. https://btcpay.example
  std::string btcpay_test_api_key;         // Greenfield API key
  std::string btcpay_test_store_id;
  std::string btcpay_test_webhook_secret;  // the store webhook's secret (BTCPay-Sig)
  std::string btcpay_live_api_key;
  std::string btcpay_live_store_id;
  std::string btcpay_live_webhook_secret;

  // PayPal, per mode: a REST app's client id and secret (also JOPAY_PAYPAL_TEST_CLIENT_ID,
  // JOPAY_PAYPAL_TEST_CLIENT_SECRET and the LIVE ones) and the id of its webhook, which
  // callbacks are verified against.
  std::string paypal_api_base;  // "": PayPal's sandbox for test mode, its live API for live
  std::string paypal_test_client_id;
  std::string paypal_test_client_secret;
  std::string paypal_test_webhook_id;
  std::string paypal_live_client_id;
  std::string paypal_live_client_secret;
  std::string paypal_live_webhook_id;
  std::string PayPalApiBase(bool live) const {
    if (!paypal_api_base.empty()) return paypal_api_base;
    return live ? "https://api-m.paypal.com" : "https://api-m.sandbox.paypal.com";
  }

  // Customer emails (daemon/email/, jopayd.conf(5) EMAIL): sent through an SMTP relay; without
  // smtp-host none is queued. The password also comes from JOPAY_SMTP_PASSWORD and is never
  // logged or shown.
  std::string smtp_host;
  int smtp_port = 587;
  std::string smtp_tls = "starttls";  // none, starttls, tls (implicit, usually port 465)
  std::string smtp_ca_file;           // "" = the system's CA store
  std::string smtp_user;
  std::string smtp_password;
  std::string smtp_from;  // "Shop <billing@shop.example>" or a bare address
  std::string email_templates_dir;
  std::string email_test_disabled;  // kinds not sent in test mode: "receipt,trial_ending", "all"
  std::string email_live_disabled;
  std::string email_retry_schedule = "1m,5m,15m,1h,2h,4h,8h,12h,24h,24h";

  std::vector<int64_t> retry_offsets;  // parsed from retry_schedule
  std::string listen_host;
  unsigned short listen_port = 0;
  std::string metrics_host;  // from metrics_listen
  unsigned short metrics_port = 0;
};

// Parses argv (and the config file it names). Returns kInvalid with a message on bad
// settings (a flag or key that does not parse: `exit_code` 2, nothing printed); `exit_code` is
// set (and the Status ok) when --help/--version printed and the process should just exit.
Status ParseConfig(int argc, char** argv, Config& config, int* exit_code);

}  // namespace jopay
