#include "daemon/daemon.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "common/log.h"
#include "common/thread_name.h"
#include "daemon/admin/context.h"
#include "daemon/charges/charge_sender.h"
#include "daemon/charges/push_sender.h"
#include "daemon/charges/stripe_callbacks.h"
#include "daemon/checkout/session_expiry.h"
#include "daemon/clock/manual_clock_store.h"
#include "daemon/http/server.h"
#include "daemon/metrics_face.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/providers/sandbox.h"
#include "daemon/providers/sandbox_push.h"
#include "daemon/providers/solana/provider.h"
#include "daemon/providers/paypal/provider.h"
#include "daemon/push_providers.h"
#include "daemon/providers/stripe/provider.h"
#include "daemon/public/context.h"
#include "daemon/public/idempotency_purge.h"
#include "daemon/public/tokens.h"
#include "daemon/public_face.h"
#include "daemon/reload.h"
#include "daemon/service_manager.h"
#include "daemon/webhooks/dispatcher.h"
#include "daemon/email/card_expiry.h"
#include "daemon/email/settings.h"

namespace jopay {

namespace {

// Holds DATA_DIR/jopayd.lock for the process lifetime: a second jopayd on the same data dir
// fails here, and the kernel releases the lock however this process ends.
Result<int> TakeLock(const std::string& data_dir) {
  std::string path = data_dir + "/jopayd.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal(fmt::format("cannot open {}: {}", path, strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    return Status::Conflict(fmt::format("another jopayd (pid {}) is already running on {}",
                                        n > 0 ? std::string(pid, strcspn(pid, "\n")) : "?",
                                        data_dir));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    LogWarn("cannot write pid to {}", path);
  }
  return fd;
}

// The base of the links handed out: --public-url, or (its default) http://HOST:PORT with the
// port actually bound, so --listen HOST:0 still gives working links.
// `bound` is the public listener's HOST:PORT as bound (port 0 resolved, IPv6 bracketed).
std::string PublicBaseUrl(const Config& c, const std::string& bound) {
  std::string url = c.public_url;
  if (url == "http://" + c.listen) url = "http://" + bound;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Eventop's renewals in each mode: read through the mode's Solana node; test mode without
// one renews in the sandbox, live mode without one has none (its renewals fail).
void AddChainProviders(const Config& c, Providers& p) {
  if (auto url = c.SolanaRpcUrl(false); !url.empty()) {
    p.test_chain = std::make_unique<solana::ChainProvider>(url, false);
  } else {
    p.test_chain = std::make_unique<solana::SandboxChainProvider>();
  }
  if (auto url = c.SolanaRpcUrl(true); !url.empty()) {
    p.live_chain = std::make_unique<solana::ChainProvider>(url, true);
  }
}

// PayPal in each mode that has an app's client id and secret; `accounts` points at them (the
// checkout page and the callbacks talk to them too).
void AddWalletProviders(const Config& c, Providers& p, paypal::Accounts& accounts) {
  for (bool live : {false, true}) {
    const std::string& id = live ? c.paypal_live_client_id : c.paypal_test_client_id;
    const std::string& secret = live ? c.paypal_live_client_secret : c.paypal_test_client_secret;
    if (id.empty() || secret.empty()) continue;
    paypal::Account a;
    a.api_base = c.PayPalApiBase(live);
    while (!a.api_base.empty() && a.api_base.back() == '/') a.api_base.pop_back();
    a.client_id = id;
    a.client_secret = secret;
    a.webhook_id = live ? c.paypal_live_webhook_id : c.paypal_test_webhook_id;
    a.livemode = live;
    auto provider = std::make_unique<paypal::PayPalProvider>(std::move(a));
    (live ? accounts.live : accounts.test) = provider.get();
    (live ? p.live_wallets : p.test_wallets) = std::move(provider);
  }
}

// One getAccountInfo per renewal. 4/s: Solana's public clusters allow 40 calls of one method
// per 10 s from an address (solana.com/docs/references/clusters). So 10,000 renewals due at
// once take about 45 minutes to read (none is late for it: each waits pending, keeping access).
// 8 at once: the Rpc client's connections.
constexpr double kChainReadRate = 4;
constexpr int kChainReadsInFlight = 8;

// The sandbox for test mode, and Stripe in each mode that has a secret key; `accounts` points
// at the Stripe ones (the pages and callbacks talk to them too).
Providers MakeProviders(const Config& c, stripe::Accounts& accounts,
                        paypal::Accounts& paypal_accounts) {
  Providers p;
  AddWalletProviders(c, p, paypal_accounts);
  p.sandbox = std::make_unique<SandboxProvider>();
  p.sandbox_push = std::make_unique<SandboxPushProvider>();
  p.test_push = MakePushProvider(c, false);
  p.live_push = MakePushProvider(c, true);
  AddChainProviders(c, p);
  auto make = [&c](bool live, const std::string& key, const std::string& webhook_secret,
                   double rate) {
    stripe::Account a;
    a.api_base = c.stripe_api_base;
    while (!a.api_base.empty() && a.api_base.back() == '/') a.api_base.pop_back();
    a.secret_key = key;
    a.webhook_secret = webhook_secret;
    a.livemode = live;
    a.max_in_flight = c.stripe_max_in_flight;
    a.rate_limit = rate;
    return std::make_unique<stripe::StripeProvider>(std::move(a));
  };
  if (!c.stripe_test_secret_key.empty()) {
    auto s = make(false, c.stripe_test_secret_key, c.stripe_test_webhook_secret,
                  c.stripe_test_rate_limit);
    accounts.test = s.get();
    p.test_cards = std::move(s);
  }
  if (!c.stripe_live_secret_key.empty()) {
    auto s = make(true, c.stripe_live_secret_key, c.stripe_live_webhook_secret,
                  c.stripe_live_rate_limit);
    accounts.live = s.get();
    p.live_cards = std::move(s);
  }
  return p;
}

// The Solana RPC nodes configured for each mode (Eventop's on-chain completions).
solana::Endpoints MakeSolanaEndpoints(const Config& c) {
  solana::Endpoints e;
  if (auto url = c.SolanaRpcUrl(false); !url.empty()) {
    e.test = std::make_unique<solana::Rpc>(url, false);
  }
  if (auto url = c.SolanaRpcUrl(true); !url.empty()) {
    e.live = std::make_unique<solana::Rpc>(url, true);
  }
  return e;
}

// Descriptors kept back from the public face's connection cap: the admin socket's clients, the
// store's files, webhook and provider connections. So a full public face never stops them.
constexpr rlim_t kReservedDescriptors = 256;

// Raises the soft descriptor limit to the hard one (the usual soft 1,024 is far below what a
// public face needs) and returns the soft limit now in force.
rlim_t RaiseDescriptorLimit() {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
      LogWarn("cannot raise the open-files limit from {} to {}: {}", before, lim.rlim_max,
              strerror(errno));
      ::getrlimit(RLIMIT_NOFILE, &lim);
    }
  }
  return lim.rlim_cur;
}

// The public face's connection caps: the configured ones, with the total lowered to what the
// descriptor limit leaves after the reserve.
http::ServerOptions PublicServerOptions(const Config& c, http::ServerOptions base) {
  rlim_t files = RaiseDescriptorLimit();
  rlim_t budget = files > 2 * kReservedDescriptors ? files - kReservedDescriptors : files / 2;
  base.max_connections = static_cast<size_t>(c.public_max_connections);
  if (base.max_connections > budget) {
    LogWarn("public-max-connections lowered from {} to {}: the open-files limit is {} and {} "
            "are kept for the admin socket, the store and outgoing connections",
            c.public_max_connections, budget, files, files - budget);
    base.max_connections = budget;
  }
  base.max_connections_per_client = static_cast<size_t>(c.public_max_connections_per_address);
  base.read_timeout = std::chrono::seconds(c.public_read_timeout);
  return base;
}

// HOST:PORT as bound, IPv6 hosts bracketed as in URLs and in --listen.
// merchant-address is one line in a config file: '|' starts a new line on the invoice.
std::string MultiLine(std::string text) {
  std::replace(text.begin(), text.end(), '|', '\n');
  return text;
}

std::string HostPort(const std::string& host, unsigned short port) {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

// `base` with every answer of `face` counted for /metrics, and logged at debug level.
http::ServerOptions WithAnswersCounted(http::ServerOptions base, const char* face) {
  base.on_answer = [face](const http::Request& req, int status, int64_t micros) {
    CountRequest(face, req, status, micros);
    if (LogEnabled(LogLevel::kDebug)) {
      LogDebug("http: {} {} -> {} in {} us", req.method, req.path, status, micros);
    }
  };
  return base;
}

}  // namespace

int RunDaemon(const Config& config, std::function<Status(Config&)> reread) {
  ApplyLogLevel(config.log_level);
  ApplyLogFormat(config.log_format);
  // The store holds customer emails and payment history: not for other users' eyes. (The
  // admin socket is chmod'ed 0660 on its own.)
  ::umask(027);
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  // A socket elsewhere (e.g. /run/jopay/jopayd.sock) needs its directory too.
  std::filesystem::path socket_dir = std::filesystem::path(config.socket).parent_path();
  if (!socket_dir.empty()) std::filesystem::create_directories(socket_dir, ec);
  auto lock = TakeLock(config.data_dir);
  if (!lock.ok()) {
    LogError("{}", lock.status().message());
    return 1;
  }
  auto store = Store::Open(config.data_dir + "/jopay.db");
  if (!store.ok()) {
    LogError("{}", store.status().message());
    return 1;
  }
  bool manual = config.clock == "manual";
  Result<UnixSeconds> start =
      manual ? LoadManualClock((*store)->reader(), config.clock_start) : Result<UnixSeconds>(0);
  if (!start.ok()) {
    LogError("{}", start.status().message());
    return 1;
  }
  Clock clock = manual ? Clock::Manual(*start) : Clock::System();
  Policy policy;
  policy.retry_offsets = config.retry_offsets;
  policy.push_lead = int64_t{config.push_lead_days} * 86400;
  stripe::Accounts stripe_accounts;
  paypal::Accounts paypal_accounts;
  Engine engine(policy, MakeProviders(config, stripe_accounts, paypal_accounts));
  engine.set_invoice_issuer({.name = config.merchant_name,
                             .address = MultiLine(config.merchant_address),
                             .tax_id = config.merchant_tax_id,
                             .support_email = config.merchant_support_email,
                             .logo_url = config.merchant_logo_url,
                             .number_prefix = config.invoice_prefix});
  Scheduler scheduler(**store, engine, clock, config.due_batch);
  ChargeSender charges(**store, engine, clock);
  if (stripe_accounts.test) {
    charges.AddAccount(false, "stripe", config.stripe_test_rate_limit, config.stripe_max_in_flight);
  }
  // PayPal's default REST limits are not published; 10 requests/s keeps well inside them.
  for (bool live : {false, true}) {
    if (paypal_accounts.For(live)) charges.AddAccount(live, "paypal", 10, 16);
  }
  if (stripe_accounts.live) {
    charges.AddAccount(true, "stripe", config.stripe_live_rate_limit, config.stripe_max_in_flight);
  }
  for (bool live : {false, true}) {
    if (!config.SolanaRpcUrl(live).empty()) {
      charges.AddAccount(live, "solana", kChainReadRate, kChainReadsInFlight);
    }
  }
  PushSenderOptions push_options;
  push_options.poll_interval = std::chrono::seconds(config.push_poll_seconds);
  PushSender push_charges(**store, engine, clock, push_options);
  scheduler.SetChargeSettler([&charges](std::chrono::milliseconds t) {
    return charges.WaitSettled(t);
  });
  webhooks::DispatcherOptions hook_options;
  hook_options.allow_private = config.webhooks_allow_private;
  hook_options.max_connections = config.webhooks_connections;
  webhooks::Dispatcher dispatcher(**store, clock, hook_options);
  scheduler.OnClockMoved([&dispatcher] { dispatcher.Wake(); });
  // Customer emails (daemon/email/): a sender only when smtp-host is set.
  auto made_sender = email::MakeSender(config, **store, clock);
  if (!made_sender.ok()) {
    LogError("{}", made_sender.status().message());
    return 1;
  }
  std::unique_ptr<email::Sender> emails = std::move(*made_sender);
  if (!emails) {
    if (Status forgot = email::ForgetCursor(**store); !forgot.ok()) {
      LogWarn("email: {}", forgot.message());
    }
  }
  std::unique_ptr<email::CardExpiryCheck> card_check;
  if (emails) {
    card_check = std::make_unique<email::CardExpiryCheck>(**store, emails->kinds_off());
    scheduler.AddWork(card_check.get());
  }
  (*store)->writer().SetCommitHook([&scheduler, &dispatcher, &charges, &push_charges,
                                    email = emails.get()] {
    scheduler.Wake();
    dispatcher.Wake();
    charges.Wake();
    push_charges.Wake();
    if (email) email->Wake();
  });
  SessionExpiry session_expiry(**store);
  scheduler.AddWork(&session_expiry);
  pub::IdempotencyPurge idempotency_purge(**store);
  scheduler.AddWork(&idempotency_purge);
  auto signing_key = LoadOrCreateSigningKey(**store);
  if (!signing_key.ok()) {
    LogError("{}", signing_key.status().message());
    return 1;
  }

  boost::asio::io_context io;
  ApiKeyCache api_keys;
  routes::Services services{**store, engine, scheduler, clock, api_keys, charges, stripe_accounts};
  admin::Context ctx{services,
                     dispatcher,
                     {std::filesystem::absolute(config.data_dir).string(), config.socket,
                      config.listen, "", SystemNow(), "", {}, 0, 0},
                     {},
                     {}};
  ctx.signing_key = *signing_key;
  http::Router admin_router;
  admin::AddAdminRoutes(admin_router, ctx);
  http::ServerOptions server_options;
  server_options.on_error = [](const std::string& what) { LogError("http: {}", what); };
  http::Server admin_server(io, admin_router, WithAnswersCounted(server_options, "admin"));
  http::Router public_router;
  StripeCallbacks stripe_events(**store, engine, clock, stripe_accounts);
  pub::Context public_ctx{services, "", *signing_key, stripe_events, config.merchant_name,
                          config.merchant_logo_url};
  pub::AddressLimits anonymous_limits(config.public_rate_limit);
  public_ctx.anonymous_limits = &anonymous_limits;
  solana::Endpoints solana = MakeSolanaEndpoints(config);
  public_ctx.solana = &solana;
  public_ctx.push_sender = &push_charges;
  public_ctx.paypal = paypal_accounts;
  pages::SetMerchant({config.merchant_name, config.merchant_logo_url,
                      config.merchant_support_email});
  if (config.merchant_name.empty()) {
    LogWarn("merchant-name is not set: the hosted checkout and portal pages do not say who "
            "the customer is paying (jopayd.conf(5))");
  }
  AddPublicFaceRoutes(public_router, public_ctx);  // the APIs, callbacks and hosted pages
  http::ServerOptions public_options =
      PublicServerOptions(config, WithAnswersCounted(server_options, "public"));
  http::Server public_server(io, public_router, public_options);
  ctx.info.public_connections = [&public_server] { return public_server.active_connections(); };
  ctx.info.public_max_connections = public_options.max_connections;
  ctx.info.public_max_per_address = public_options.max_connections_per_client;
  http::Router metrics_router;
  AddMetricsRoutes(metrics_router);
  http::Server metrics_server(io, metrics_router, server_options);

  Status st = admin_server.ListenUnix(config.socket, 0660);
  if (st.ok()) st = public_server.ListenTcp(config.listen_host, config.listen_port);
  if (st.ok() && !config.metrics_listen.empty()) {
    RegisterScrapeGauges({**store, clock, charges, ctx.info.public_connections});
    st = metrics_server.ListenTcp(config.metrics_host, config.metrics_port);
    ctx.info.metrics = HostPort(config.metrics_host, metrics_server.tcp_port());
  }
  if (!st.ok()) {
    LogError("{}", st.message());
    return 1;
  }
  ctx.info.listen = HostPort(config.listen_host, public_server.tcp_port());
  public_ctx.public_url = PublicBaseUrl(config, ctx.info.listen);
  ctx.info.public_url = public_ctx.public_url;
  engine.set_public_url(public_ctx.public_url);
  if (emails) {
    emails->SetLinks(public_ctx.public_url, *signing_key);
    ctx.email = emails.get();
  }
  scheduler.Start();
  dispatcher.Start();
  charges.Start();
  push_charges.Start();
  stripe_events.Start();
  if (emails) emails->Start();
  LogInfo("jopayd {} ready: socket {}, public http://{}, clock {} ({})", JOPAY_VERSION,
          config.socket, ctx.info.listen, config.clock,
          FormatRfc3339(clock.Now()));
  LogInfo("cards: test mode through {}, live mode through {}",
          stripe_accounts.test ? "Stripe" : "the sandbox",
          stripe_accounts.live ? "Stripe" : "nothing");
  if (!stripe_accounts.live) {
    LogWarn("live mode has no payment provider: live card payments are refused until "
            "stripe-live-secret-key is set (jopayd.conf(5))");
  }
  LogInfo("eventop on-chain completions: test mode {}, live mode {}",
          solana.test ? "proven through the Solana RPC" : "sandbox (any well-formed proof)",
          solana.live ? "proven through the Solana RPC" : "refused (no solana-rpc-url)");
  if (!ctx.info.metrics.empty()) LogInfo("metrics: http://{}/metrics", ctx.info.metrics);
  if (emails) {
    LogInfo("email: customer emails through {}:{} (tls {}) from {}", config.smtp_host,
            config.smtp_port, config.smtp_tls, emails->from_address());
  } else {
    LogInfo("email: off (smtp-host is not set): no customer email is queued");
  }
  const std::string serving = fmt::format("serving {} and http://{}", config.socket,
                                          ctx.info.listen);
  NotifyReady(serving);
  Watchdog watchdog((*store)->writer());
  watchdog.Start();

  // SIGHUP: read the configuration again and apply what can change while running.
  Config running = config;
  Reloadable reloadable{stripe_accounts, dispatcher};
  boost::asio::signal_set hangups(io, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_hangup =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        NotifyReloading();
        Config fresh;
        Status read = reread(fresh);
        if (!read.ok()) {
          LogError("reload: {}; the running configuration stays", read.message());
        } else {
          auto restart = ApplyReload(running, fresh, reloadable);
          if (!restart.empty()) {
            LogWarn("reload: {} changed but take effect only after a restart",
                    fmt::join(restart, ", "));
          }
          LogInfo("reload: done");
        }
        NotifyReady(serving);
        hangups.async_wait(on_hangup);
      };
  hangups.async_wait(on_hangup);
  // On a signal: stop accepting, and stop the scheduler on a thread of its own (it finishes
  // its batch first, and in-flight responses that wait for it still need the io threads).
  std::thread stopper;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    LogInfo("signal {}: shutting down", sig);
    NotifyStopping();
    hangups.cancel();
    admin_server.Stop();
    public_server.Stop();
    metrics_server.Stop();
    stopper = std::thread([&scheduler, &dispatcher, &charges, &stripe_events, &push_charges,
                           email = emails.get()] {
      if (email) email->Stop();  // cuts an SMTP session short: its email stays pending
      stripe_events.Stop();
      push_charges.Stop();
      charges.Stop();  // first: a clock move waiting for charges to settle ends at once
      scheduler.Stop();
      dispatcher.Stop();
    });
  });
  std::thread second([&io] {
    NameThisThread("io");
    io.run();
  });
  io.run();
  second.join();
  if (stopper.joinable()) stopper.join();
  stripe_events.Stop();
  push_charges.Stop();
  charges.Stop();
  scheduler.Stop();
  dispatcher.Stop();
  if (emails) emails->Stop();
  ctx.background.JoinAll();
  solana.Shutdown();  // before the store closes: no proof's writer job is submitted after it
  (*store)->Close();
  ::close(*lock);
  LogInfo("stopped");
  return 0;
}

}  // namespace jopay
