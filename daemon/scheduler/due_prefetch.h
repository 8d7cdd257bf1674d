// Loads the next batch of due subscriptions on its own thread and read connection while the
// writer runs the current batch. Loading a batch with its joins is ~2.7 us of the writer's
// ~14 us per renewal, and the writer is the thread everything waits for.
//
// A batch read from a snapshot is handed to the writer only when it is exactly what the
// writer would load itself. Start() is called from inside the writer job of batch k, after
// batch k was loaded; Take() from inside a later due job. Due jobs call
// Writer::ExemptFromWatch(); every other job that changes a table the batch reads is recorded
// by the writer (Writer::WatchTables). The prefetched rows are used only if:
//  - the snapshot was begun after the last such change before Start() had settled;
//  - no such change was made between Start() and Take() (interactive jobs that touch none of
//    those tables, e.g. checkout sessions, may run in between);
//  - batch k moved every row it ran out of the window (else Discard()): the snapshot cannot
//    see batch k's own writes, and asks only for rows after batch k's last one.
// Otherwise Take() returns nothing and the writer loads the batch itself, as without prefetch.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "daemon/billing/subscription.h"
#include "daemon/store/store.h"

namespace jopay {

class DuePrefetch {
 public:
  explicit DuePrefetch(Store& store);  // starts the loader thread
  ~DuePrefetch();                      // waits for a load in progress, then ends the thread
  DuePrefetch(const DuePrefetch&) = delete;
  DuePrefetch& operator=(const DuePrefetch&) = delete;

  // From inside batch k's job: starts loading up to `limit` rows due at or before `until` after
  // (after_at, after_rowid), batch k's last row. Replaces any earlier load.
  void Start(UnixSeconds until, UnixSeconds after_at, int64_t after_rowid, int limit);
  // Batch k left rows inside the window: what was prefetched may be out of date.
  void Discard();
  // From inside a later due job: the prefetched batch if it can stand for LoadDue, else
  // nothing. Waits for a load in progress.
  std::optional<std::vector<Subscription>> Take();

 private:
  struct Request {
    UnixSeconds until, after_at;
    int64_t after_rowid;
    int limit;
    uint64_t changed_at;  // Writer::LastWatchedChange() at Start()
  };
  void Loop();

  Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Request> request_;  // waiting for the loader
  bool loading_ = false;
  bool closing_ = false;
  bool usable_ = false;             // the snapshot holds every change before Start()
  uint64_t changed_at_ = 0;         // the request's changed_at, for `result_`
  std::optional<std::vector<Subscription>> result_;
  std::thread loader_;
};

}  // namespace jopay
