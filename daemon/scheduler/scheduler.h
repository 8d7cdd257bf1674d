// The scheduler: the one thread that runs due billing work.
//
// On the system clock it sleeps until the earliest next_action_at (or until woken by a commit
// that may have scheduled something sooner) and runs what is due. Explicit requests (renew,
// clock set/advance) queue to the same thread, so due work never runs twice at once; the
// store's idempotency keys make it safe even if it did (crash + restart, cron + scheduler).
// Work runs in batches, each its own writer job: a kill mid-run loses no committed batch, and
// the next run picks up the rest.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.h"
#include "daemon/billing/engine.h"
#include "daemon/clock/clock.h"
#include "daemon/scheduler/due_work.h"
#include "daemon/store/store.h"

namespace jopay {

class Scheduler {
 public:
  using Done = std::function<void(Result<Summary>)>;

  Scheduler(Store& store, Engine& engine, Clock& clock, int batch_size = 10000);
  ~Scheduler();
  // Other timed work to drive (session expiry, webhook retries). Before Start(); not owned.
  void AddWork(DueWork* work);
  // Called (on the scheduler thread) after the manual clock moved, e.g. to wake a webhook
  // dispatcher whose retries are now due. Before Start().
  void OnClockMoved(std::function<void()> listener);
  // Under the manual clock, a move that sent charges to a network provider waits for their
  // answers (`settle`, up to the time it is given) before it goes on, so that `clock advance
  // 1y` bills a year through Stripe as it does through the sandbox. Before Start().
  void SetChargeSettler(std::function<bool(std::chrono::milliseconds)> settle);
  void Start();
  // Ends after the batch in progress; queued requests are answered Unavailable.
  void Stop();
  // Something changed: re-check the earliest due time.
  void Wake();

  // All due work now. dry_run: computed in memory from a read snapshot; nothing is written.
  void Renew(bool dry_run, Done done);
  // Manual clock only: fires everything due up to `target` in due-time order, then moves the
  // clock to `target` (persisted). Refuses to move back.
  void MoveClock(UnixSeconds target, Done done);
  // The earliest pending action of subscriptions or any added work, if any (read-only).
  std::optional<UnixSeconds> EarliestDue();

 private:
  std::optional<UnixSeconds> EarliestSubscriptionDue();
  std::optional<UnixSeconds> EarliestWorkDue();
  // Subscriptions, then every added work, up to `until`.
  Result<Summary> RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now);
  Result<Summary> RunSubscriptionsDue(UnixSeconds until, bool use_due_time, UnixSeconds now);
  Result<Summary> DryRun(UnixSeconds until, bool use_due_time, UnixSeconds now);
  Result<Summary> DoMoveClock(UnixSeconds target);
  void Enqueue(std::function<void()> request, Done done);
  void Loop();
  void RunTimerWork();

  Store& store_;
  Engine& engine_;
  Clock& clock_;
  int batch_size_;
  std::vector<DueWork*> works_;
  std::vector<std::function<void()>> clock_listeners_;
  std::function<bool(std::chrono::milliseconds)> settle_charges_;

  std::mutex mu_;
  std::mutex join_mu_;  // Stop() may be called from two threads; only one may join
  std::condition_variable cv_;
  std::deque<std::pair<std::function<void()>, Done>> requests_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace jopay
