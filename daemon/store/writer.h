// The one writer: a single thread owns the write connection and every mutation is a job
// submitted to it (no SQLITE_BUSY, no lost updates between concurrent requests).
//
// The thread drains whatever jobs are queued into one transaction (group commit: one fsync for
// many requests). Each job runs inside its own SAVEPOINT, so a job that fails is undone alone
// and the others still commit. A job's completion is reported only after the transaction that
// holds it has committed: a caller that hears "ok" knows the change is durable.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "daemon/store/db.h"

namespace jopay {

class Writer {
 public:
  using Job = std::function<Status(Db&)>;
  using Done = std::function<void(Status)>;

  // Takes ownership of the write connection; starts the thread.
  explicit Writer(std::unique_ptr<Db> db, size_t max_jobs_per_commit = 512);
  ~Writer();  // Stop()

  // Queues `job`; `done` runs on the writer thread after the commit (or with the failure).
  // After Stop(), `done` is called at once with Unavailable.
  void Submit(Job job, Done done);
  // Submits and waits. Must not be called from the writer thread itself.
  Status Run(Job job);
  // Called on the writer thread after every commit that held at least one successful job.
  void SetCommitHook(std::function<void()> hook);
  // Finishes every queued job, then ends the thread. Idempotent.
  void Stop();

 private:
  struct Entry {
    Job job;
    Done done;
  };
  void Loop();
  void CommitBatch(std::deque<Entry>& batch);
  Status RunJob(const Job& job);

  std::unique_ptr<Db> db_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::function<void()> commit_hook_;
  std::thread thread_;
};

}  // namespace jopay
