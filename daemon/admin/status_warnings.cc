#include "daemon/admin/status_warnings.h"

#include <sys/statvfs.h>

#include <fmt/core.h>

#include "common/time.h"
#include "daemon/billing/push_charges.h"
#include "daemon/webhooks/deliveries.h"
#include "daemon/webhooks/endpoints.h"

namespace jopay::admin {

namespace {

void ProviderWarnings(Context& c, boost::json::array& out) {
  if (!c.engine.CardProvider(true)) {
    out.emplace_back("live mode has no payment provider: live card payments are refused "
                     "(set stripe-live-secret-key, jopayd.conf(5))");
  }
  for (auto [mode, account] : {std::pair{"test", c.stripe.test}, {"live", c.stripe.live}}) {
    if (account && account->api().webhook_secret().empty()) {
      out.emplace_back(fmt::format("Stripe {} mode has no webhook secret: its callbacks are "
                                   "refused (set stripe-{}-webhook-secret)", mode, mode));
    }
  }
}

void WebhookWarnings(Db& db, bool live, boost::json::array& out) {
  for (const webhooks::Endpoint& e : webhooks::ListEndpoints(db, live)) {
    if (!e.enabled) {
      out.emplace_back(fmt::format("webhook endpoint {} ({}) is disabled{}: its events are not "
                                   "sent (jopayctl webhooks enable {})",
                                   e.id, e.url,
                                   e.disabled_reason ? ": " + *e.disabled_reason : "", e.id));
    } else if (e.failing_since) {
      out.emplace_back(fmt::format("webhook endpoint {} ({}) has failed every delivery since {}: "
                                   "they are retried, and it is disabled after 5 days",
                                   e.id, e.url, FormatRfc3339(*e.failing_since)));
    }
  }
}

void StoreWarnings(Context& c, boost::json::array& out) {
  Store::CheckpointState cp = c.store.checkpoint_state();
  if (!cp.held && cp.frames_behind >= kWalFramesBehind) {
    out.emplace_back(fmt::format("the WAL holds {} pages not copied into the database: "
                                 "checkpoints are not keeping up, most likely a reader holds an "
                                 "old snapshot (a backup or sqlite3 session left open)",
                                 cp.frames_behind));
  }
  struct statvfs fs {};
  if (::statvfs(c.info.data_dir.c_str(), &fs) == 0 && fs.f_blocks > 0) {
    int64_t free = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    int64_t total = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
    if (free < kDiskFreeBytes ||
        static_cast<double>(free) < kDiskFreeFraction * static_cast<double>(total)) {
      out.emplace_back(fmt::format("the disk of {} is nearly full ({} MiB free of {} MiB): the "
                                   "store refuses every write once it is full",
                                   c.info.data_dir, free >> 20, total >> 20));
    }
  }
}

}  // namespace

boost::json::array StatusWarnings(Context& c, Db& db, bool live) {
  boost::json::array out;
  ProviderWarnings(c, out);
  WebhookWarnings(db, live, out);
  StoreWarnings(c, out);
  if (int64_t late = CountUnapplied(db, live); late > 0) {
    out.emplace_back(fmt::format(
        "{} Lightning / on-chain payment(s) came after their subscription had moved on and pay "
        "nothing: refund or credit them (jopayctl payments list --status paid; push.unapplied)",
        late));
  }
  size_t open = c.info.public_connections ? c.info.public_connections() : 0;
  if (c.info.public_max_connections != 0 && open * 10 >= c.info.public_max_connections * 9) {
    out.emplace_back(fmt::format("the public face holds {} connections of its {} at most: new "
                                 "clients are refused when it is full (raise "
                                 "public-max-connections and the open-files limit)",
                                 open, c.info.public_max_connections));
  }
  return out;
}

}  // namespace jopay::admin
