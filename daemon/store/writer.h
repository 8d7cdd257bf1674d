// The one writer: a single thread owns the write connection and every mutation is a job
// submitted to it (no SQLITE_BUSY, no lost updates between concurrent requests).
//
// The thread drains whatever jobs are queued into one transaction (group commit: one fsync for
// many requests). Each job runs inside its own SAVEPOINT, so a job that fails is undone alone
// and the others still commit. A job's completion is reported only after the transaction that
// holds it has committed: a caller that hears "ok" knows the change is durable.
#pragma once

#include <atomic>
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

  // Job numbers, for a reader that must know whether its snapshot holds every job so far.
  // Each job takes the next number as it starts: JobsStarted() called inside a job is that
  // job's own number. JobsSettled() is the number of the last job whose transaction has ended
  // (committed, or rolled back and so without effect): a read transaction begun after reading
  // it sees every job up to that number.
  uint64_t JobsStarted() const { return jobs_started_.load(); }
  uint64_t JobsSettled() const { return jobs_settled_.load(); }

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
  std::atomic<uint64_t> jobs_started_{0};
  std::atomic<uint64_t> jobs_settled_{0};
  std::thread thread_;
};

}  // namespace jopay
