#include "daemon/webhooks/dispatcher.h"

#include <boost/json.hpp>

#include <algorithm>

#include "common/json_fields.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/thread_name.h"
#include "common/webhook_signing.h"
#include "daemon/events/outbox.h"

namespace jopay::webhooks {

namespace json = boost::json;

namespace {
constexpr int kPage = 1000;  // due deliveries loaded per endpoint per round
constexpr int64_t kMaxIdleMs = 60'000;

// An attempt's outcome and latency, for /metrics: delivered (2xx), rejected (another HTTP
// status) or unreachable (no HTTP answer: refused, timed out, TLS failed).
void CountAttempt(const AttemptRecord& r) {
  static auto& attempts = metrics::Global().Counters(
      "jopay_webhook_attempts_total",
      "Webhook delivery attempts by outcome: delivered (2xx), rejected (another status), "
      "unreachable (no HTTP answer).",
      {"outcome"});
  static auto& latency = metrics::Global().Histograms(
      "jopay_webhook_attempt_seconds", "Time from sending a webhook to its answer (or failure).",
      {"outcome"}, metrics::LatencyBuckets());
  const char* outcome = r.status == 0                        ? "unreachable"
                        : (r.status >= 200 && r.status < 300) ? "delivered"
                                                              : "rejected";
  attempts.With({outcome}).Add();
  latency.With({outcome}).Observe(static_cast<double>(r.latency_ms) / 1000.0);
}
}  // namespace

Dispatcher::Dispatcher(Store& store, Clock& clock, DispatcherOptions options)
    : store_(store), clock_(clock), options_(options), allow_private_(options.allow_private),
      client_(http::ClientOptions{options.max_connections, options.timeout, 512}),
      rng_(std::random_device{}()) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  thread_ = std::thread([this] {
    NameThisThread("hooks-dispatch");
    Loop();
  });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  {
    // A write still in flight reports to this object: wait for it (the writer is still up).
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !write_in_flight_ || write_done_.has_value(); });
  }
  client_.Stop();
}

void Dispatcher::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void Dispatcher::EndpointsChanged() {
  std::lock_guard lock(mu_);
  endpoints_changed_ = true;
  woken_ = true;
  cv_.notify_all();
}

void Dispatcher::RefreshEndpoints() {
  for (auto& [id, es] : endpoints_) es.active = false;
  for (Endpoint& e : EnabledEndpoints(store_.reader())) {
    auto url = http::ParseOutgoingUrl(e.url);
    if (!url.ok()) {
      LogWarn("webhooks: endpoint {} has an unusable url: {}", e.id, url.status().message());
      continue;
    }
    EndpointState& es = endpoints_[e.id];
    if (es.endpoint.url != e.url) client_.ForgetPool(e.id);
    es.endpoint = std::move(e);
    es.url = std::move(*url);
    es.active = true;
  }
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    if (!it->second.active && it->second.outstanding == 0) {
      client_.ForgetPool(it->first);
      it = endpoints_.erase(it);
    } else {
      ++it;
    }
  }
}

void Dispatcher::StartWrite(std::vector<AttemptRecord>& finished) {
  std::vector<Endpoint> active;
  for (const auto& [id, es] : endpoints_) {
    if (es.active) active.push_back(es.endpoint);
  }
  int64_t newest = NewestEventPk(store_.reader());
  bool fan_out = !active.empty() && newest > cursor_;
  if (active.empty()) cursor_ = newest;  // nobody listens: nothing to write for these events
  if (finished.empty() && !fan_out) return;
  auto w = std::make_shared<WriteResult>();
  w->fanned_out = fan_out;
  w->cursor = cursor_;
  w->newest = newest;
  w->records = std::move(finished);
  finished.clear();
  UnixSeconds now = clock_.Now();
  int batch = options_.fanout_batch;
  write_in_flight_ = true;
  store_.writer().Submit(
      [w, active = std::move(active), now, batch](Db& db) {
        w->disabled.clear();
        RecordAttempts(db, w->records, &w->disabled);
        if (w->fanned_out) w->cursor = FanOut(db, w->cursor, batch, active, now, nullptr);
        return Status::Ok();
      },
      [this, w](Status st) {
        w->status = std::move(st);
        std::lock_guard lock(mu_);
        write_done_ = std::move(*w);
        cv_.notify_all();
      });
}

void Dispatcher::ApplyWrite(WriteResult& w, std::vector<AttemptRecord>& finished, bool* more) {
  write_in_flight_ = false;
  if (!w.status.ok()) {
    // Try the records again with the next write (the deliveries stay pending meanwhile).
    LogError("webhooks: recording deliveries failed: {}", w.status.message());
    finished.insert(finished.end(), std::make_move_iterator(w.records.begin()),
                    std::make_move_iterator(w.records.end()));
    return;
  }
  if (w.fanned_out) {
    cursor_ = w.cursor;
    if (cursor_ < w.newest) *more = true;
  }
  for (const AttemptRecord& r : w.records) {
    auto it = endpoints_.find(r.endpoint_id);
    if (it != endpoints_.end()) --it->second.outstanding;
  }
  for (const auto& [id, reason] : w.disabled) {
    LogWarn("webhooks: endpoint {} disabled: {}", id, reason);
  }
  if (!w.disabled.empty()) RefreshEndpoints();
}

void Dispatcher::Send(EndpointState& es, const DueDelivery& d, UnixSeconds clock_now) {
  // Under the manual clock, `clock advance` writes events at their own (later) simulated
  // times before the clock itself moves: an attempt is never dated before its event.
  UnixSeconds now = std::max(clock_now, d.event_created_at);
  http::OutgoingRequest req;
  req.pool = es.endpoint.id;
  req.url = es.url;
  req.live = es.endpoint.livemode;
  req.allow_private = allow_private_.load();
  // The parsed data lives only while the body is written: a monotonic arena, no frees.
  unsigned char arena[8192];
  json::monotonic_resource mr(arena, sizeof(arena));
  req.body = WebhookBody(d.event_id, d.type, ParseStoredJson(d.data, &mr),
                         FormatRfc3339(d.event_created_at));
  // The signature's timestamp is wall-clock time even under the manual clock: receivers judge
  // freshness by their own clock (Standard Webhooks libraries allow 5 minutes), and a simulated
  // time would make them refuse every event. The billing clock dates the attempt only.
  WebhookSignatures sig = SignWebhook(req.body, d.event_id, SystemNow(),
                                      es.endpoint.SigningSecrets(now));
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", WebhookUserAgent()},
                 {"X-JoPay-Signature", sig.jopay},
                 {"webhook-id", sig.webhook_id},
                 {"webhook-timestamp", sig.webhook_timestamp},
                 {"webhook-signature", sig.webhook_signature}};
  AttemptRecord record;
  record.delivery_id = d.id;
  record.endpoint_id = es.endpoint.id;
  record.attempts_before = d.attempts;
  record.attempted_at = now;
  record.jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  ++es.outstanding;
  client_.Send(std::move(req), [this, record](http::OutgoingResult r) mutable {
    record.status = r.status;
    record.latency_ms = r.latency_ms;
    record.error = std::move(r.error);
    record.excerpt = std::move(r.excerpt);
    record.retry_after = std::move(r.retry_after);
    CountAttempt(record);
    std::lock_guard lock(mu_);
    finished_.push_back(std::move(record));
    // The loop takes every finished attempt at once, and under load it looks every 2 ms
    // anyway: wake it when the wire is nearly idle (latency) or a batch has gathered.
    size_t n = finished_.size();
    if ((n == 1 && client_.outstanding() <= 8) || n % 256 == 0) cv_.notify_all();
  });
}

void Dispatcher::DispatchDue(bool* more) {
  UnixSeconds now = clock_.Now();
  Db& db = store_.reader();
  for (auto& [id, es] : endpoints_) {
    if (!es.active) continue;
    int room = options_.max_outstanding - es.outstanding;
    if (room <= 0) continue;
    if (es.outstanding == 0) {  // nothing in flight: nothing to skip, start from the top
      es.after_due = INT64_MIN;
      es.after_id = INT64_MIN;
    }
    int limit = std::min(room, kPage);
    auto due = LoadDue(db, id, now, es.after_due, es.after_id, limit);
    for (const DueDelivery& d : due) {
      try {
        Send(es, d, now);
      } catch (const std::exception& e) {  // unparsable stored data: should not happen
        LogError("webhooks: cannot build delivery {}: {}", d.id, e.what());
      }
      es.after_due = d.due;
      es.after_id = d.id;
    }
    if (static_cast<int>(due.size()) == limit && limit == kPage) *more = true;
  }
}

std::chrono::milliseconds Dispatcher::IdleWait() {
  if (clock_.manual()) return std::chrono::milliseconds(1000);  // it moves only when told
  std::optional<UnixSeconds> earliest;
  for (auto& [id, es] : endpoints_) {
    if (!es.active || es.outstanding >= options_.max_outstanding) continue;
    auto at = EarliestDue(store_.reader(), id);
    if (at && (!earliest || *at < *earliest)) earliest = at;
  }
  int64_t ms = kMaxIdleMs;
  if (earliest) ms = std::clamp<int64_t>((*earliest - clock_.Now()) * 1000, 50, kMaxIdleMs);
  return std::chrono::milliseconds(ms);
}

void Dispatcher::Loop() {
  try {
    Db& db = store_.reader();
    int64_t saved = LoadCursor(db);
    // Never fanned out yet: start where the oldest endpoint starts (each takes only the events
    // written after it was added), so nothing written before this thread ran is missed; with
    // no endpoint, at the newest event, since earlier ones have nowhere to go.
    if (saved < 0) {
      saved = NewestEventPk(db);
      for (const Endpoint& e : EnabledEndpoints(db)) saved = std::min(saved, e.after_event_rowid);
    }
    cursor_ = saved;
  } catch (const std::exception& e) {
    LogError("webhooks: cannot read the cursor: {}", e.what());
    return;
  }
  std::vector<AttemptRecord> finished;
  for (;;) {
    bool refresh = false;
    std::optional<WriteResult> written;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      finished.insert(finished.end(), std::make_move_iterator(finished_.begin()),
                      std::make_move_iterator(finished_.end()));
      finished_.clear();
      written.swap(write_done_);
      refresh = endpoints_changed_;
      endpoints_changed_ = false;
      woken_ = false;
    }
    bool more = false;
    try {
      if (written) ApplyWrite(*written, finished, &more);
      if (refresh) RefreshEndpoints();
      if (!write_in_flight_) StartWrite(finished);
      DispatchDue(&more);
    } catch (const std::exception& e) {
      LogError("webhooks: {}", e.what());
      more = false;
    }
    if (more) continue;
    auto wait = endpoints_.empty() ? std::chrono::milliseconds(kMaxIdleMs) : IdleWait();
    if (client_.outstanding() > 0) wait = std::min(wait, std::chrono::milliseconds(2));
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] {
      return stopping_ || woken_ || endpoints_changed_ || !finished_.empty() ||
             write_done_.has_value();
    });
  }
}

}  // namespace jopay::webhooks
