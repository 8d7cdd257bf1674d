// The clock's work of forgetting Idempotency-Key answers once their 24 h window has passed
// (context.h, WriteThen): a DueWork, so the table stays as small as one day of POSTs. Answers
// older than the window are never replayed whether or not they are purged yet; this only
// reclaims the space. Counts go to summary.work["idempotency_keys_purged"].
#pragma once

#include "daemon/scheduler/due_work.h"
#include "daemon/store/store.h"

namespace jopay::pub {

inline constexpr int64_t kIdempotencyWindow = 24 * 3600;

class IdempotencyPurge : public DueWork {
 public:
  explicit IdempotencyPurge(Store& store, int batch_size = 5000)
      : store_(store), batch_size_(batch_size) {}
  std::optional<UnixSeconds> EarliestDue(Db& reader) override;
  Status RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now, Summary& summary) override;

 private:
  Store& store_;
  int batch_size_;
};

}  // namespace jopay::pub
