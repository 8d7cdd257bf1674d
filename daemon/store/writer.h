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
#include <string>
#include <thread>
#include <vector>

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
  // As Submit/Run, for a long job (a due batch) that ends early when others wait (see
  // Waiting()): it heads a transaction of its own, without a savepoint, and the jobs waiting
  // when it returns successfully join that transaction, so they wait for one commit, not two.
  // No job queued before it shares its transaction.
  void SubmitLong(Job job, Done done);
  Status RunLong(Job job);
  // Jobs are queued behind the one running: a long job should end soon and let them in.
  bool Waiting() const { return queued_.load(std::memory_order_relaxed) > 0; }
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

  // Row changes to watched tables, for a reader that keeps rows of them between its jobs (the
  // due run's prefetched and carried batches). From then on, every insert, update or delete in
  // one of `tables` by a job that did not call ExemptFromWatch() records that job's number.
  // Blocks until the writer has taken it; call it before the jobs it must see.
  void WatchTables(std::vector<std::string> tables);
  // Inside a job: this job's own changes are not recorded (the reader accounts for them).
  void ExemptFromWatch() { exempt_ = true; }
  // The number of the last job that changed a watched table (0: none since watching began).
  uint64_t LastWatchedChange() const { return last_watched_change_.load(); }

 private:
  struct Entry {
    Job job;
    Done done;
    bool long_job = false;
  };
  void Enqueue(Entry entry);
  static void OnRowChange(void* self, int op, const char* db, const char* table,
                          sqlite3_int64 rowid);
  void Loop();
  // Moves shared jobs from the front of the queue into `batch`, up to the cap. Holds mu_.
  void TakeShared(std::deque<Entry>& batch);
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
  std::atomic<size_t> queued_{0};
  std::vector<std::string> watched_;  // writer thread only
  bool exempt_ = false;               // writer thread only; reset as each job starts
  std::atomic<uint64_t> last_watched_change_{0};
  std::thread thread_;
};

}  // namespace jopay
