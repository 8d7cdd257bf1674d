#include "daemon/store/writer.h"

#include <chrono>
#include <future>

#include "common/metrics.h"
#include "common/thread_name.h"

namespace jopay {

namespace {

// Jobs per commit and the time from BEGIN to the end of COMMIT, for /metrics.
void ObserveCommit(size_t jobs, std::chrono::steady_clock::duration took) {
  static auto& sizes = metrics::Global()
                           .Histograms("jopay_writer_batch_jobs",
                                       "Jobs committed together by the store's one writer.",
                                       {}, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024})
                           .With({});
  static auto& latency =
      metrics::Global()
          .Histograms("jopay_writer_commit_seconds",
                      "Time from BEGIN to the end of COMMIT of each writer transaction.", {},
                      metrics::LatencyBuckets())
          .With({});
  sizes.Observe(static_cast<double>(jobs));
  latency.Observe(std::chrono::duration<double>(took).count());
}

}  // namespace

Writer::Writer(std::unique_ptr<Db> db, size_t max_jobs_per_commit)
    : db_(std::move(db)), max_batch_(max_jobs_per_commit), thread_([this] { Loop(); }) {}

Writer::~Writer() { Stop(); }

void Writer::Submit(Job job, Done done) { Enqueue({std::move(job), std::move(done), false}); }

void Writer::SubmitLong(Job job, Done done) {
  Enqueue({std::move(job), std::move(done), true});
}

void Writer::Enqueue(Entry entry) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(entry));
      queued_.store(queue_.size(), std::memory_order_relaxed);
      cv_.notify_one();
      return;
    }
  }
  entry.done(Status::Unavailable("jopayd is shutting down"));
}

Status Writer::Run(Job job) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Submit(std::move(job), [&promise](Status st) { promise.set_value(std::move(st)); });
  return future.get();
}

Status Writer::RunLong(Job job) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  SubmitLong(std::move(job), [&promise](Status st) { promise.set_value(std::move(st)); });
  return future.get();
}

void Writer::WatchTables(std::vector<std::string> tables) {
  Run([this, &tables](Db& db) {
    for (auto& t : tables) watched_.push_back(std::move(t));
    sqlite3_update_hook(db.raw(), &Writer::OnRowChange, this);
    return Status::Ok();
  });
}

void Writer::OnRowChange(void* self, int, const char*, const char* table, sqlite3_int64) {
  auto* w = static_cast<Writer*>(self);
  if (w->exempt_) return;
  for (const auto& t : w->watched_) {
    if (t == table) {
      w->last_watched_change_.store(w->jobs_started_.load());
      return;
    }
  }
}

void Writer::SetCommitHook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  commit_hook_ = std::move(hook);
}

void Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Writer::Loop() {
  NameThisThread("store-writer");
  for (;;) {
    std::deque<Entry> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // A long job heads a transaction of its own; shared jobs queued before it share one.
      if (queue_.front().long_job) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        TakeShared(batch);
      }
      queued_.store(queue_.size(), std::memory_order_relaxed);
    }
    CommitBatch(batch);
  }
}

void Writer::TakeShared(std::deque<Entry>& batch) {
  while (!queue_.empty() && batch.size() < max_batch_ && !queue_.front().long_job) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void Writer::CommitBatch(std::deque<Entry>& batch) {
  std::vector<Status> results(batch.size());
  bool any_ok = false;
  Status commit_status;
  // A lone job needs no SAVEPOINT: on failure the whole transaction is rolled back, which
  // undoes exactly that job. Skipping it matters: inside a savepoint SQLite keeps statement
  // sub-journals whose upkeep grows with the transaction, and a renewal batch is one large
  // job (measured: 720 renewals/s with the savepoint).
  const bool long_head = batch.front().long_job;
  bool savepoints = batch.size() > 1;
  // Transaction control goes through cached statements: sqlite3_exec would parse each
  // SAVEPOINT/RELEASE again, twice per job on the hot path of every public POST.
  auto run = [this](const char* sql) { db_->Cached(sql).Exec(); };
  auto& after_commit = db_->after_commit();
  const auto began = std::chrono::steady_clock::now();
  try {
    run("BEGIN IMMEDIATE");
    for (size_t i = 0; i < batch.size(); ++i) {
      if (savepoints) run("SAVEPOINT job");
      const size_t mark = after_commit.size();
      results[i] = RunJob(batch[i].job);
      if (!results[i].ok()) after_commit.resize(mark);  // its effects are undone
      if (savepoints) {
        if (!results[i].ok()) run("ROLLBACK TO job");
        run("RELEASE job");
      }
      any_ok = any_ok || results[i].ok();
      if (i == 0 && long_head && results[0].ok()) {
        // The jobs a long job kept waiting join its commit: one commit for both, not two.
        std::lock_guard lock(mu_);
        TakeShared(batch);
        queued_.store(queue_.size(), std::memory_order_relaxed);
        results.resize(batch.size());
        savepoints = true;
      }
    }
    run(any_ok ? "COMMIT" : "ROLLBACK");
  } catch (const DbError& e) {
    commit_status = Status::Internal(std::string("commit failed: ") + e.what());
    try {
      db_->Exec("ROLLBACK");
    } catch (const DbError&) {
      // Already rolled back by SQLite; nothing more to undo.
    }
  }
  jobs_settled_.store(jobs_started_.load());  // committed or rolled back: they are settled
  if (commit_status.ok() && any_ok) {
    for (auto& fn : after_commit) fn();
    ObserveCommit(batch.size(), std::chrono::steady_clock::now() - began);
  }
  after_commit.clear();
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done(commit_status.ok() ? std::move(results[i]) : commit_status);
  }
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    hook = commit_hook_;
  }
  if (commit_status.ok() && any_ok && hook) hook();
}

Status Writer::RunJob(const Job& job) {
  jobs_started_.fetch_add(1);
  exempt_ = false;
  try {
    return job(*db_);
  } catch (const std::exception& e) {
    return Status::Internal(e.what());
  }
}

}  // namespace jopay
