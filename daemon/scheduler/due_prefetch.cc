#include "daemon/scheduler/due_prefetch.h"

#include "common/thread_name.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay {

DuePrefetch::DuePrefetch(Store& store) : store_(store), loader_([this] { Loop(); }) {}

DuePrefetch::~DuePrefetch() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  loader_.join();
}

void DuePrefetch::Start(UnixSeconds until, UnixSeconds after_at, int64_t after_rowid, int limit) {
  std::lock_guard lock(mu_);
  request_ = Request{until, after_at, after_rowid, limit, store_.writer().LastWatchedChange()};
  result_.reset();
  cv_.notify_all();
}

void DuePrefetch::Discard() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !loading_; });
  request_.reset();
  result_.reset();
}

std::optional<std::vector<Subscription>> DuePrefetch::Take() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !loading_ && !request_; });
  auto result = std::move(result_);
  result_.reset();
  if (!result || !usable_ || store_.writer().LastWatchedChange() != changed_at_) {
    return std::nullopt;
  }
  return result;
}

void DuePrefetch::Loop() {
  NameThisThread("due-prefetch");
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return closing_ || request_; });
    if (closing_) return;
    Request r = *request_;
    request_.reset();
    loading_ = true;
    lock.unlock();
    // Read the settled mark before the snapshot begins: the snapshot then holds every job up
    // to the mark, and it is usable if that covers the last change made by another job.
    bool usable = store_.writer().JobsSettled() >= r.changed_at;
    std::optional<std::vector<Subscription>> rows;
    if (usable) {
      Db& db = store_.reader();
      try {
        db.Exec("BEGIN");  // LoadDueAfter's two queries read one snapshot
        rows = LoadDueAfter(db, r.until, r.after_at, r.after_rowid, r.limit);
        db.Exec("COMMIT");
      } catch (const DbError&) {
        rows.reset();  // the writer loads the batch itself
        try {
          db.Exec("ROLLBACK");
        } catch (const DbError&) {
        }
      }
    }
    lock.lock();
    loading_ = false;
    if (!request_) {  // not replaced or discarded meanwhile
      result_ = std::move(rows);
      usable_ = usable;
      changed_at_ = r.changed_at;
    }
    cv_.notify_all();
  }
}

}  // namespace jopay
