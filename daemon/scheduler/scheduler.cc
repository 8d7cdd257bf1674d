#include "daemon/scheduler/scheduler.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/log.h"
#include "common/metrics.h"
#include "common/thread_name.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/clock/manual_clock_store.h"
#include "daemon/scheduler/due_prefetch.h"

namespace jopay {

namespace {
constexpr int64_t kMaxSleepSeconds = 60;  // re-check now and then even with nothing due
// Once requests wait for the writer, a due batch runs at most this long before it commits and
// lets them in (it runs on where it stopped right after). A request then waits about one slice
// and one commit, whatever the size of the run. Measured at 1M (bench/README.md): p99 36 ms
// for checkout sessions (was 171 ms); the commit's fsync is most of it. A shorter slice cut the
// p99 little and the renewal rate much (1 ms: p99 30 ms at two thirds of the rate).
constexpr auto kBusySlice = std::chrono::milliseconds(5);

// What a committed due batch did, for /metrics (its charges are counted as they settle).
void CountBatch(const Summary& part) {
  static auto& actions = metrics::Global().Counters(
      "jopay_due_actions_total",
      "What due runs did: renewed (successful charges), failed (declined charges), retried "
      "(dunning retries among them), expired (subscriptions ended), reminders (trial ending).",
      {"action"});
  static metrics::Counter* counters[] = {&actions.With({"renewed"}), &actions.With({"failed"}),
                                         &actions.With({"retried"}), &actions.With({"expired"}),
                                         &actions.With({"reminders"})};
  const int64_t values[] = {part.renewed, part.failed, part.retried, part.expired,
                            part.reminders};
  for (size_t i = 0; i < std::size(values); ++i) {
    if (values[i] > 0) counters[i]->Add(static_cast<uint64_t>(values[i]));
  }
}
}  // namespace

Scheduler::Scheduler(Store& store, Engine& engine, Clock& clock, int batch_size)
    : store_(store), engine_(engine), clock_(clock), batch_size_(batch_size) {
  // Due batches are loaded ahead and carried over between writer jobs (DuePrefetch): the
  // writer tells them when another job changed what a due row is read from.
  store_.writer().WatchTables(DueRowTables());
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::AddWork(DueWork* work) { works_.push_back(work); }

void Scheduler::OnClockMoved(std::function<void()> listener) {
  clock_listeners_.push_back(std::move(listener));
}

void Scheduler::SetChargeSettler(std::function<bool(std::chrono::milliseconds)> settle) {
  settle_charges_ = std::move(settle);
}

void Scheduler::Start() { thread_ = std::thread([this] { Loop(); }); }

void Scheduler::Stop() {
  std::deque<std::pair<std::function<void()>, Done>> dropped;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    dropped.swap(requests_);
    cv_.notify_all();
  }
  for (auto& r : dropped) r.second(Status::Unavailable("jopayd is shutting down"));
  std::lock_guard join_lock(join_mu_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Scheduler::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void Scheduler::Enqueue(std::function<void()> request, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      requests_.emplace_back(std::move(request), std::move(done));
      cv_.notify_all();
      return;
    }
  }
  done(Status::Unavailable("jopayd is shutting down"));
}

void Scheduler::Renew(bool dry_run, Done done) {
  auto shared_done = std::make_shared<Done>(std::move(done));
  Enqueue(
      [this, dry_run, shared_done] {
        UnixSeconds now = clock_.Now();
        bool manual = clock_.manual();
        (*shared_done)(dry_run ? DryRun(now, manual, now) : RunDue(now, manual, now));
      },
      [shared_done](Result<Summary> r) { (*shared_done)(std::move(r)); });
}

void Scheduler::MoveClock(UnixSeconds target, Done done) {
  auto shared_done = std::make_shared<Done>(std::move(done));
  Enqueue([this, target, shared_done] { (*shared_done)(DoMoveClock(target)); },
          [shared_done](Result<Summary> r) { (*shared_done)(std::move(r)); });
}

Result<Summary> Scheduler::DoMoveClock(UnixSeconds target) {
  if (!clock_.manual()) {
    return Status::Conflict("The clock is the system clock; start jopayd with --clock manual "
                            "(test mode) to move it.", "clock_not_manual");
  }
  if (target < clock_.Now()) {
    return Status::Invalid(fmt::format("The clock cannot go back (it is {}).",
                                       FormatRfc3339(clock_.Now())), "time");
  }
  // Subscriptions and the other work interleave in time order: the subscriptions run up to
  // the next moment some other work is due, then that work runs, and so on up to the target.
  // Actions due before the clock's time now were missed (e.g. imported in the clock's past):
  // they run now, and only what falls due inside (now, target] runs at its own time.
  const UnixSeconds start = clock_.Now();
  Summary fired;
  for (;;) {
    std::optional<UnixSeconds> other = EarliestWorkDue();
    UnixSeconds step = other ? std::clamp(*other, start, target) : target;
    auto part = RunSubscriptionsDue(step, true, start);
    if (!part.ok()) return part;
    fired.Add(*part);
    // Charges sent to a network provider: let them be answered, then run what their answers
    // made due inside this step (the next renewal of a month already past, a retry).
    auto sent = [](const Summary& s) {
      auto it = s.work.find("charges_sent");
      return it != s.work.end() && it->second > 0;
    };
    while (settle_charges_ && sent(*part)) {
      if (!settle_charges_(std::chrono::seconds(60))) {
        LogWarn("clock: charges are still pending after 60 s; the clock moves on without them");
        break;
      }
      part = RunSubscriptionsDue(step, true, start);
      if (!part.ok()) return part;
      fired.Add(*part);
    }
    for (DueWork* w : works_) {
      Status st = w->RunDue(step, true, step, fired);
      if (!st.ok()) return st;
    }
    if (step >= target) break;
  }
  Status st = store_.writer().Run([target](Db& db) {
    SaveManualClock(db, target);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  clock_.Set(target);
  for (auto& listener : clock_listeners_) listener();
  return fired;
}

Result<Summary> Scheduler::RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now) {
  auto total = RunSubscriptionsDue(until, use_due_time, now);
  if (!total.ok()) return total;
  for (DueWork* w : works_) {
    Status st = w->RunDue(until, use_due_time, now, *total);
    if (!st.ok()) return st;
  }
  return total;
}

Result<Summary> Scheduler::RunSubscriptionsDue(UnixSeconds until, bool use_due_time,
                                               UnixSeconds now) {
  Summary total;
  Store::CheckpointHold hold(store_);  // the run gets both cores; the copying comes after it
  Writer& writer = store_.writer();
  // Made when a batch comes back full: a run of a few due rows needs no second thread.
  std::optional<DuePrefetch> prefetch;
  // The rows a batch left when it gave way to waiting requests, and the writer's change mark
  // then: the next batch runs them if no other job has changed what they were read from.
  std::vector<Subscription> carried;
  uint64_t carried_at = 0;
  const size_t full = static_cast<size_t>(batch_size_);
  int64_t batches = 0, prefetched = 0, gave_way = 0;
  for (;;) {
    Summary part;
    int64_t processed = 0;
    // Each batch heads a transaction of its own; the requests it kept waiting join its commit.
    Status st = writer.RunLong([&](Db& db) {
      writer.ExemptFromWatch();  // the due run accounts for its own changes
      const auto started = std::chrono::steady_clock::now();
      part = Summary();
      std::optional<std::vector<Subscription>> due;
      const bool carry = !carried.empty() && writer.LastWatchedChange() == carried_at;
      if (carry) {
        due = std::move(carried);
      } else if (prefetch && carried.empty()) {
        due = prefetch->Take();
        prefetched += due ? 1 : 0;
      }
      carried.clear();
      if (!due) due = LoadDue(db, until, batch_size_);
      // A new batch of `full` rows: load the next one while this one runs. Carried rows are
      // the rest of a batch whose successor is already being loaded.
      if (!carry && due->size() == full) {
        if (!prefetch) prefetch.emplace(store_);
        prefetch->Start(until, *due->back().next_action_at, due->back().rowid, batch_size_);
      }
      auto give_way = [&] {
        return writer.Waiting() && std::chrono::steady_clock::now() - started >= kBusySlice;
      };
      Engine::DueRun run = engine_.RunDueRows(db, *due, until, use_due_time, now, part, give_way);
      processed = run.processed;
      if (!run.ran_left_window) {
        if (prefetch) prefetch->Discard();  // the next batch is loaded again, in time order
      } else if (run.yielded) {
        carried.assign(std::make_move_iterator(due->begin() + processed),
                       std::make_move_iterator(due->end()));
        carried_at = writer.LastWatchedChange();
        ++gave_way;
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    CountBatch(part);
    total.Add(part);
    ++batches;
    // Work done may schedule more inside the window (next month, a retry): run until a
    // batch finds nothing due. Every action moves its row's next_action_at forward, so
    // this ends.
    if (processed == 0) break;
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("jopayd is shutting down; due work was interrupted "
                                              "between batches and resumes at the next start");
  }
  if (batches > 1) {
    LogDebug("due subscriptions: {} batches, {} of them loaded ahead while the one before ran, "
             "{} gave way to requests", batches, prefetched, gave_way);
  }
  return total;
}

Result<Summary> Scheduler::DryRun(UnixSeconds until, bool use_due_time, UnixSeconds now) {
  // In memory, from a read snapshot page by page: every due subscription runs through the same
  // lifecycle as for real, up to `until`, with nothing written and the writer never blocked.
  // Subscriptions are independent, so simulating each one alone gives the real run's counts.
  Summary total;
  Db& db = store_.reader();
  UnixSeconds after_at = INT64_MIN;
  int64_t after_rowid = INT64_MIN;
  try {
    db.Exec("BEGIN");  // one snapshot for every page
    for (;;) {
      auto page = LoadDueAfter(db, until, after_at, after_rowid, batch_size_);
      for (const Subscription& s : page) engine_.Simulate(s, until, use_due_time, now, total);
      if (page.size() < static_cast<size_t>(batch_size_)) break;
      after_at = *page.back().next_action_at;
      after_rowid = page.back().rowid;
    }
    db.Exec("COMMIT");
  } catch (const DbError& e) {
    try {
      db.Exec("ROLLBACK");
    } catch (const DbError&) {
    }
    return Status::Internal(e.what());
  }
  return total;
}

std::optional<UnixSeconds> Scheduler::EarliestDue() {
  auto subs = EarliestSubscriptionDue();
  auto other = EarliestWorkDue();
  if (subs && other) return std::min(*subs, *other);
  return subs ? subs : other;
}

std::optional<UnixSeconds> Scheduler::EarliestWorkDue() {
  std::optional<UnixSeconds> earliest;
  for (DueWork* w : works_) {
    auto at = w->EarliestDue(store_.reader());
    if (at && (!earliest || *at < *earliest)) earliest = at;
  }
  return earliest;
}

std::optional<UnixSeconds> Scheduler::EarliestSubscriptionDue() {
  auto& q = store_.reader().Cached(
      "SELECT MIN(next_action_at) FROM subscriptions WHERE next_action_at IS NOT NULL");
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

void Scheduler::RunTimerWork() {
  UnixSeconds now = clock_.Now();
  auto result = RunDue(now, false, now);
  if (!result.ok()) {
    LogError("due work failed: {}", result.status().message());
    return;
  }
  const Summary& s = *result;
  if (auto late = s.work.find("caught_up"); late != s.work.end() && late->second > 0) {
    LogWarn("due work: {} actions were more than a minute overdue (was jopayd stopped?); they "
            "ran now, and the retries they scheduled are spaced from now", late->second);
  }
  if (s.renewed || s.failed || s.expired || s.reminders) {
    LogInfo("due work: renewed {}, failed {}, retried {}, expired {}, reminders {}", s.renewed,
            s.failed, s.retried, s.expired, s.reminders);
  }
  for (const auto& [name, n] : s.work) {
    if (n > 0) LogInfo("due work: {} {}", name, n);
  }
}

void Scheduler::Loop() {
  NameThisThread("scheduler");
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!requests_.empty()) {
      auto request = std::move(requests_.front().first);
      requests_.pop_front();
      lock.unlock();
      request();
      lock.lock();
      continue;
    }
    if (clock_.manual()) {  // a simulated clock only moves when told to
      cv_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
      continue;
    }
    woken_ = false;
    lock.unlock();
    UnixSeconds now = clock_.Now();
    std::optional<UnixSeconds> earliest;
    try {
      earliest = EarliestDue();
      if (earliest && *earliest <= now) {
        RunTimerWork();
        lock.lock();
        continue;
      }
    } catch (const std::exception& e) {
      LogError("scheduler: {}", e.what());
    }
    lock.lock();
    int64_t wait = earliest ? std::clamp<int64_t>(*earliest - now, 1, kMaxSleepSeconds)
                            : kMaxSleepSeconds;
    cv_.wait_for(lock, std::chrono::seconds(wait),
                 [this] { return stopping_ || woken_ || !requests_.empty(); });
  }
}

}  // namespace jopay
