// The webhook dispatcher: turns the event outbox into signed HTTP deliveries.
//
// One thread of its own loops: (1) one writer job records the attempts that finished and fans
// new events out to the enabled endpoints (a cursor over events.rowid in meta; the billing
// transactions that write events are never touched, and with no endpoint enabled nothing is
// written at all); (2) for every endpoint with room, the pending deliveries that are due are
// signed afresh (timestamp = wall-clock now, never the manual clock) and handed to the HTTP client, at most
// `max_outstanding` per endpoint between sending and recording. Due times come from the
// billing clock: under the manual clock retries wait for `clock advance` (Wake() from
// scheduler.OnClockMoved). Nothing is lost on a crash: a delivery stays pending until the
// attempt that ends it is committed, so after a restart it is simply sent again.
#pragma once

#include <atomic>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/clock/clock.h"
#include "daemon/store/store.h"
#include "daemon/webhooks/deliveries.h"
#include "daemon/http/outgoing_url.h"
#include "daemon/webhooks/endpoints.h"
#include "daemon/http/client.h"

namespace jopay::webhooks {

struct DispatcherOptions {
  bool allow_private = false;  // live endpoints on internal addresses (jopayd.conf)
  int max_connections = 32;    // per endpoint, on the wire at once
  int max_outstanding = 2048;  // per endpoint, sent and not yet recorded
  int fanout_batch = 5000;     // events per fan-out job
  std::chrono::milliseconds timeout{15000};
};

class Dispatcher {
 public:
  Dispatcher(Store& store, Clock& clock, DispatcherOptions options);
  ~Dispatcher();  // Stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  // Ends the loop (attempts in flight stay pending in the store), then the HTTP client.
  void Stop();
  // Something may be due: new events committed, deliveries added, the clock moved.
  void Wake();
  // An endpoint was added, changed, enabled, disabled or removed.
  void EndpointsChanged();

  const DispatcherOptions& options() const { return options_; }
  // Whether live endpoints may resolve to internal addresses, from the next attempt on (a
  // SIGHUP reload). Thread-safe.
  void SetAllowPrivate(bool allow) { allow_private_ = allow; }

 private:
  struct EndpointState {
    Endpoint endpoint;
    http::OutgoingUrl url;
    bool active = false;   // enabled now
    int outstanding = 0;   // sent, not yet recorded
    UnixSeconds after_due = INT64_MIN;  // the position of the last delivery loaded
    int64_t after_id = INT64_MIN;
  };

  // One writer job at a time records finished attempts and fans out new events; the loop
  // goes on sending meanwhile (the commit's fsync overlaps the HTTP work).
  struct WriteResult {
    Status status;
    bool fanned_out = false;
    int64_t cursor = 0;
    int64_t newest = 0;
    std::vector<AttemptRecord> records;
    std::vector<std::pair<std::string, std::string>> disabled;
  };

  void Loop();
  void RefreshEndpoints();
  void StartWrite(std::vector<AttemptRecord>& finished);
  // Applies a committed write; sets *more when fan-out has more to do.
  void ApplyWrite(WriteResult& w, std::vector<AttemptRecord>& finished, bool* more);
  // Sends what is due; sets *more if a page was full.
  void DispatchDue(bool* more);
  void Send(EndpointState& es, const DueDelivery& d, UnixSeconds now);
  std::chrono::milliseconds IdleWait();

  Store& store_;
  Clock& clock_;
  DispatcherOptions options_;
  std::atomic<bool> allow_private_;  // options_.allow_private until SetAllowPrivate
  http::Client client_;
  std::mt19937_64 rng_;
  int64_t cursor_ = 0;
  std::map<std::string, EndpointState> endpoints_;  // dispatcher thread only

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<AttemptRecord> finished_;
  std::optional<WriteResult> write_done_;
  bool write_in_flight_ = false;  // set by the loop, cleared when it applies the result
  bool woken_ = false;
  bool endpoints_changed_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jopay::webhooks
