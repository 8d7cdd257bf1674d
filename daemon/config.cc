#include "daemon/config.h"

#include <CLI/CLI.hpp>
#include <boost/url/parse.hpp>
#include <fmt/core.h>

#include <cctype>
#include <charconv>
#include <tuple>

#include "common/time.h"
#include "common/validate.h"
#include "daemon/config_email.h"

namespace jopay {

namespace {

Status ParseRetrySchedule(const std::string& text, std::vector<int64_t>& out) {
  out.clear();
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto d = ParseDuration(item);
    if (!d.ok() || d->months != 0) {
      return Status::Invalid(fmt::format("retry-schedule: '{}' is not a duration like 1d or 12h",
                                         item), "retry-schedule");
    }
    if (!out.empty() && d->seconds <= out.back()) {
      return Status::Invalid("retry-schedule must grow (offsets from the first failure)",
                             "retry-schedule");
    }
    out.push_back(d->seconds);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return Status::Ok();
}

// HOST:PORT, where HOST is a name, an IPv4 address or a bracketed IPv6 address ("[::1]:8080"),
// parsed as a URL authority by Boost.URL; `option` names the setting in errors.
Status ParseHostPort(const std::string& text, const char* option, std::string& host,
                     unsigned short& port_out) {
  auto authority = boost::urls::parse_authority(text);
  if (!authority || !authority->has_port() || authority->has_userinfo() ||
      authority->host_address().empty()) {
    return Status::Invalid(
        fmt::format("{} must be HOST:PORT (IPv6 in brackets: [::1]:8080)", option), option);
  }
  unsigned value = 0;
  std::string_view port = authority->port();
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return Status::Invalid(fmt::format("{} port must be 0..65535", option), option);
  }
  host = authority->host_address();
  port_out = static_cast<unsigned short>(value);
  return Status::Ok();
}

// Secret keys can come from the config file or the environment; no default is shown, and
// the help never prints a value.
void AddSecret(CLI::App& app, const char* name, const char* env, std::string& out,
               const char* what) {
  app.add_option(name, out, what)->envname(env)->option_text("SECRET");
}

void AddStripeOptions(CLI::App& app, Config& c) {
  app.add_option("--stripe-api-base", c.stripe_api_base, "Stripe's API (tests: a local stand-in)")
      ->capture_default_str();
  AddSecret(app, "--stripe-test-secret-key", "JOPAY_STRIPE_TEST_SECRET_KEY",
            c.stripe_test_secret_key, "Stripe test-mode secret key: test cards go through Stripe");
  AddSecret(app, "--stripe-test-webhook-secret", "JOPAY_STRIPE_TEST_WEBHOOK_SECRET",
            c.stripe_test_webhook_secret, "signing secret of the test-mode Stripe callbacks");
  AddSecret(app, "--stripe-live-secret-key", "JOPAY_STRIPE_LIVE_SECRET_KEY",
            c.stripe_live_secret_key, "Stripe live-mode secret key: live cards go through Stripe");
  AddSecret(app, "--stripe-live-webhook-secret", "JOPAY_STRIPE_LIVE_WEBHOOK_SECRET",
            c.stripe_live_webhook_secret, "signing secret of the live-mode Stripe callbacks");
  app.add_option("--stripe-test-rate-limit", c.stripe_test_rate_limit,
                 "Stripe requests per second at most, test mode")
      ->check(CLI::Range(0.1, 100000.0))
      ->capture_default_str();
  app.add_option("--stripe-live-rate-limit", c.stripe_live_rate_limit,
                 "Stripe requests per second at most, live mode")
      ->check(CLI::Range(0.1, 100000.0))
      ->capture_default_str();
  app.add_option("--stripe-max-in-flight", c.stripe_max_in_flight,
                 "Stripe requests on the wire at once, per mode")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
}

// URLs may carry a provider's API key, so they are not shown in --help either.
void AddSolanaOptions(CLI::App& app, Config& c) {
  app.add_option("--solana-rpc-url", c.solana_rpc_url,
                 "Solana JSON-RPC node proving Eventop on-chain completions (both modes)")
      ->envname("JOPAY_SOLANA_RPC_URL");
  app.add_option("--solana-test-rpc-url", c.solana_test_rpc_url,
                 "Solana JSON-RPC node for test mode (e.g. devnet); overrides solana-rpc-url")
      ->envname("JOPAY_SOLANA_TEST_RPC_URL");
  app.add_option("--solana-live-rpc-url", c.solana_live_rpc_url,
                 "Solana JSON-RPC node for live mode (mainnet); overrides solana-rpc-url")
      ->envname("JOPAY_SOLANA_LIVE_RPC_URL");
}

Status CheckSolanaUrls(const Config& c) {
  for (auto [url, option] : {std::pair{&c.solana_rpc_url, "solana-rpc-url"},
                             std::pair{&c.solana_test_rpc_url, "solana-test-rpc-url"},
                             std::pair{&c.solana_live_rpc_url, "solana-live-rpc-url"}}) {
    if (url->empty()) continue;
    auto parsed = boost::urls::parse_absolute_uri(*url);
    if (!parsed || (parsed->scheme() != "https" && parsed->scheme() != "http") ||
        parsed->host().empty() || parsed->has_userinfo() || parsed->has_fragment()) {
      return Status::Invalid(fmt::format("{} must be an absolute http(s) URL", option), option);
    }
  }
  return Status::Ok();
}

void AddSatsPayOptions(CLI::App& app, Config& c) {
  app.add_option("--satspay-api-base", c.satspay_api_base,
                 "SatsPay Server's LNbits (tests: a local stand-in)");
  for (auto [mode, key, wallet, onchain] :
       {std::tuple{"test", &c.satspay_test_api_key, &c.satspay_test_wallet,
                   &c.satspay_test_onchain_wallet},
        std::tuple{"live", &c.satspay_live_api_key, &c.satspay_live_wallet,
                   &c.satspay_live_onchain_wallet}}) {
    std::string m = mode, env = m == "test" ? "TEST" : "LIVE";
    AddSecret(app, ("--satspay-" + m + "-api-key").c_str(),
              ("JOPAY_SATSPAY_" + env + "_API_KEY").c_str(), *key,
              ("SatsPay invoice key of the " + m + "-mode wallet").c_str());
    app.add_option("--satspay-" + m + "-wallet", *wallet,
                   "LNbits wallet id taking " + m + "-mode Lightning charges");
    app.add_option("--satspay-" + m + "-onchain-wallet", *onchain,
                   "watch-only wallet id taking " + m + "-mode on-chain charges");
  }
}

void AddBtcPayOptions(CLI::App& app, Config& c) {
  app.add_option("--btcpay-api-base", c.btcpay_api_base,
                 "BTCPay Server's URL (tests: a local stand-in)");
  for (auto [mode, key, store, secret] :
       {std::tuple{"test", &c.btcpay_test_api_key, &c.btcpay_test_store_id,
                   &c.btcpay_test_webhook_secret},
        std::tuple{"live", &c.btcpay_live_api_key, &c.btcpay_live_store_id,
                   &c.btcpay_live_webhook_secret}}) {
    std::string m = mode, env = m == "test" ? "TEST" : "LIVE";
    AddSecret(app, ("--btcpay-" + m + "-api-key").c_str(),
              ("JOPAY_BTCPAY_" + env + "_API_KEY").c_str(), *key,
              ("BTCPay Greenfield API key for " + m + " mode").c_str());
    app.add_option("--btcpay-" + m + "-store-id", *store,
                   "BTCPay store making the " + m + "-mode invoices");
    AddSecret(app, ("--btcpay-" + m + "-webhook-secret").c_str(),
              ("JOPAY_BTCPAY_" + env + "_WEBHOOK_SECRET").c_str(), *secret,
              ("secret of the " + m + "-mode store's webhook (BTCPay-Sig)").c_str());
  }
}

void AddPayPalOptions(CLI::App& app, Config& c) {
  app.add_option("--paypal-api-base", c.paypal_api_base,
                 "PayPal's REST API (default: the sandbox in test mode, the live API in live "
                 "mode; tests: a local stand-in)");
  for (auto [mode, id, secret, hook] :
       {std::tuple{"test", &c.paypal_test_client_id, &c.paypal_test_client_secret,
                   &c.paypal_test_webhook_id},
        std::tuple{"live", &c.paypal_live_client_id, &c.paypal_live_client_secret,
                   &c.paypal_live_webhook_id}}) {
    std::string m = mode, env = m == "test" ? "TEST" : "LIVE";
    app.add_option("--paypal-" + m + "-client-id", *id, "PayPal REST app's client id, " + m +
                   " mode")->envname("JOPAY_PAYPAL_" + env + "_CLIENT_ID");
    AddSecret(app, ("--paypal-" + m + "-client-secret").c_str(),
              ("JOPAY_PAYPAL_" + env + "_CLIENT_SECRET").c_str(), *secret,
              ("PayPal REST app's client secret, " + m + " mode").c_str());
    app.add_option("--paypal-" + m + "-webhook-id", *hook,
                   "id of the " + m + "-mode app's webhook: PayPal callbacks are verified with it");
  }
}

// A mode's PayPal settings hang together: an id needs its secret (and the other way round);
// all are printable ASCII without spaces (a webhook id PayPal would not take is reported when
// a callback is verified).
Status CheckPayPal(const Config& c) {
  if (!c.paypal_api_base.empty()) {
    auto url = boost::urls::parse_absolute_uri(c.paypal_api_base);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty()) {
      return Status::Invalid("paypal-api-base must be an http(s) URL", "paypal-api-base");
    }
  }
  for (auto [mode, id, secret, hook] :
       {std::tuple{"test", &c.paypal_test_client_id, &c.paypal_test_client_secret,
                   &c.paypal_test_webhook_id},
        std::tuple{"live", &c.paypal_live_client_id, &c.paypal_live_client_secret,
                   &c.paypal_live_webhook_id}}) {
    std::string prefix = fmt::format("paypal-{}-", mode);
    for (auto [value, name] : {std::pair{id, "client-id"}, std::pair{secret, "client-secret"},
                               std::pair{hook, "webhook-id"}}) {
      for (char ch : *value) {
        if (ch <= ' ' || ch > '~') {
          return Status::Invalid(prefix + name + " must be printable ASCII without spaces",
                                 prefix + name);
        }
      }
    }
    if (id->empty() != secret->empty()) {
      std::string missing = prefix + (id->empty() ? "client-id" : "client-secret");
      return Status::Invalid(fmt::format("{}client-id and {}client-secret go together: {} is "
                                         "not set", prefix, prefix, missing), missing);
    }
  }
  return Status::Ok();
}

// A push provider's settings hang together: a key needs the API base and somewhere for the
// money to go; secrets go into HTTP headers, so they are printable ASCII without spaces.
Status CheckPushProvider(const char* provider, const std::string& base, const std::string& key,
                         bool has_destination, const char* destination_option,
                         const char* mode) {
  std::string option = fmt::format("{}-{}-api-key", provider, mode);
  for (char ch : key) {
    if (ch <= ' ' || ch > '~') {
      return Status::Invalid(option + " must be printable ASCII without spaces", option);
    }
  }
  if (key.empty()) return Status::Ok();
  std::string base_option = fmt::format("{}-api-base", provider);
  auto url = boost::urls::parse_absolute_uri(base);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty()) {
    return Status::Invalid(fmt::format("{} must be an http(s) URL when {} is set", base_option,
                                       option), base_option);
  }
  if (!has_destination) {
    return Status::Invalid(fmt::format("{} needs {}", option, destination_option),
                           destination_option);
  }
  return Status::Ok();
}

Status CheckPushProviders(const Config& c) {
  JOPAY_RETURN_IF_ERROR(CheckPushProvider(
      "satspay", c.satspay_api_base, c.satspay_test_api_key,
      !c.satspay_test_wallet.empty() || !c.satspay_test_onchain_wallet.empty(),
      "satspay-test-wallet", "test"));
  JOPAY_RETURN_IF_ERROR(CheckPushProvider(
      "satspay", c.satspay_api_base, c.satspay_live_api_key,
      !c.satspay_live_wallet.empty() || !c.satspay_live_onchain_wallet.empty(),
      "satspay-live-wallet", "live"));
  JOPAY_RETURN_IF_ERROR(CheckPushProvider("btcpay", c.btcpay_api_base, c.btcpay_test_api_key,
                                          !c.btcpay_test_store_id.empty(),
                                          "btcpay-test-store-id", "test"));
  return CheckPushProvider("btcpay", c.btcpay_api_base, c.btcpay_live_api_key,
                           !c.btcpay_live_store_id.empty(), "btcpay-live-store-id", "live");
}

// A secret key's shape, checked without ever echoing it.
Status CheckStripeKey(const std::string& key, const char* mode, const char* option) {
  if (key.empty()) return Status::Ok();
  std::string want_sk = std::string("sk_") + mode + "_", want_rk = std::string("rk_") + mode + "_";
  if (key.rfind(want_sk, 0) == 0 || key.rfind(want_rk, 0) == 0) return Status::Ok();
  return Status::Invalid(fmt::format("{} must be a {} key ({}... or {}...)", option, mode,
                                     want_sk, want_rk),
                         option);
}

Status CheckMerchant(const Config& c) {
  JOPAY_RETURN_IF_ERROR(ValidateText(c.merchant_name, "merchant-name", 100));
  if (!c.merchant_logo_url.empty()) {
    auto url = boost::urls::parse_absolute_uri(c.merchant_logo_url);
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty()) {
      return Status::Invalid("merchant-logo-url must be an absolute http(s) URL",
                             "merchant-logo-url");
    }
  }
  if (!c.merchant_support_email.empty()) {
    JOPAY_RETURN_IF_ERROR(ValidateEmail(c.merchant_support_email, "merchant-support-email"));
  }
  JOPAY_RETURN_IF_ERROR(ValidateText(c.merchant_address, "merchant-address", 300));
  JOPAY_RETURN_IF_ERROR(ValidateText(c.merchant_tax_id, "merchant-tax-id", 50));
  // Numbers go into file names and email subjects: letters, digits and - _ / . only.
  bool prefix_ok = c.invoice_prefix.size() <= 20 &&
                   c.invoice_prefix.find_first_not_of(
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/.") ==
                       std::string::npos;
  if (!prefix_ok) {
    return Status::Invalid("invoice-prefix takes up to 20 letters, digits and - _ / .",
                           "invoice-prefix");
  }
  return Status::Ok();
}

}  // namespace

Status ParseConfig(int argc, char** argv, Config& c, int* exit_code) {
  CLI::App app("jopayd: the JoPay subscription-billing daemon", "jopayd");
  app.set_version_flag("--version", JOPAY_VERSION);
  app.set_config("--config", "", "TOML config file; its keys are the long flag names");
  app.allow_config_extras(false);  // a misspelt key is an error, not a silent default
  app.add_option("--data-dir", c.data_dir, "where the database and lock live")->capture_default_str();
  app.add_option("--socket", c.socket, "admin Unix socket (default DATA_DIR/jopayd.sock)");
  app.add_option("--listen", c.listen, "public HTTP HOST:PORT")->capture_default_str();
  app.add_option("--public-url", c.public_url, "base URL of the links jopayd hands out");
  app.add_option("--clock", c.clock, "system, or manual (test mode: moved by jopayctl clock)")
      ->check(CLI::IsMember({"system", "manual"}))
      ->capture_default_str();
  app.add_option("--clock-start", c.clock_start, "manual clock's first time (RFC 3339)");
  app.add_option("--retry-schedule", c.retry_schedule,
                 "dunning retries after the first failure")->capture_default_str();
  app.add_option("--log-level", c.log_level, "debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log-format", c.log_format,
                 "text (one readable line a record) or json (one object a line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--metrics-listen", c.metrics_listen,
                 "HOST:PORT serving Prometheus metrics at /metrics (default: off)");
  app.add_flag("--webhooks-allow-private", c.webhooks_allow_private,
               "let live-mode webhook endpoints resolve to loopback or private addresses");
  app.add_option("--webhooks-connections", c.webhooks_connections,
                 "connections (requests in flight) per webhook endpoint")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--due-batch", c.due_batch,
                 "due subscriptions run per transaction (smaller: shorter waits for requests)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--push-lead-days", c.push_lead_days,
                 "days before a period begins that its Lightning / on-chain invoice is asked for")
      ->check(CLI::Range(0, 60))
      ->capture_default_str();
  app.add_option("--push-poll-seconds", c.push_poll_seconds,
                 "how often pending Lightning / on-chain charges are read back from their server")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--public-rate-limit", c.public_rate_limit,
                 "anonymous subscriptions (POST /public/subscribe) a minute per address; 0: none")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app.add_option("--public-max-connections", c.public_max_connections,
                 "public connections held at once (lowered to fit the descriptor limit)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--public-max-connections-per-address", c.public_max_connections_per_address,
                 "public connections held at once per client address (IPv6: per /64); 0: none")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app.add_option("--public-read-timeout", c.public_read_timeout,
                 "seconds a public client has to send a request head, a body, or its next request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--merchant-name", c.merchant_name, "the seller's name on the hosted pages");
  app.add_option("--merchant-logo-url", c.merchant_logo_url, "the seller's logo (https URL)");
  app.add_option("--merchant-support-email", c.merchant_support_email,
                 "where the hosted pages send customers with questions");
  app.add_option("--merchant-address", c.merchant_address,
                 "the seller's address on invoices ('|' starts a new line)");
  app.add_option("--merchant-tax-id", c.merchant_tax_id, "the seller's tax id on invoices");
  app.add_option("--invoice-prefix", c.invoice_prefix,
                 "what new invoice numbers start with (JP-000123)")
      ->capture_default_str();
  AddStripeOptions(app, c);
  AddSolanaOptions(app, c);
  AddSatsPayOptions(app, c);
  AddBtcPayOptions(app, c);
  AddPayPalOptions(app, c);
  AddEmailOptions(app, c);  // daemon/config_email.cc
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {  // a bad flag or config file: the caller says so
      *exit_code = 2;
      return Status::Invalid(std::string(e.what()) + " (jopayd --help lists the settings)");
    }
    *exit_code = app.exit(e);  // --help or --version: CLI11 prints it
    return Status::Ok();
  }
  if (c.socket.empty()) c.socket = c.data_dir + "/jopayd.sock";
  JOPAY_RETURN_IF_ERROR(ParseHostPort(c.listen, "listen", c.listen_host, c.listen_port));
  if (!c.metrics_listen.empty()) {
    JOPAY_RETURN_IF_ERROR(
        ParseHostPort(c.metrics_listen, "metrics-listen", c.metrics_host, c.metrics_port));
  }
  if (c.public_url.empty()) c.public_url = "http://" + c.listen;
  if (!c.clock_start.empty()) {
    auto t = ParseRfc3339(c.clock_start);
    if (!t.ok()) return Status::Invalid("clock-start: " + t.status().message(), "clock-start");
  }
  JOPAY_RETURN_IF_ERROR(CheckMerchant(c));
  JOPAY_RETURN_IF_ERROR(CheckSolanaUrls(c));
  JOPAY_RETURN_IF_ERROR(CheckPushProviders(c));
  JOPAY_RETURN_IF_ERROR(CheckPayPal(c));
  JOPAY_RETURN_IF_ERROR(CheckEmailConfig(c));
  JOPAY_RETURN_IF_ERROR(CheckStripeKey(c.stripe_test_secret_key, "test", "stripe-test-secret-key"));
  JOPAY_RETURN_IF_ERROR(CheckStripeKey(c.stripe_live_secret_key, "live", "stripe-live-secret-key"));
  if (auto base = boost::urls::parse_absolute_uri(c.stripe_api_base);
      !base || (base->scheme() != "https" && base->scheme() != "http")) {
    return Status::Invalid("stripe-api-base must be an http(s) URL", "stripe-api-base");
  }
  return ParseRetrySchedule(c.retry_schedule, c.retry_offsets);
}

}  // namespace jopay
