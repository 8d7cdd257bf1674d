// The clock's work of expiring checkout sessions: a DueWork (daemon/billing/due_work.h) the
// scheduler runs when the earliest pending session's expires_at passes, on the system clock
// and under `jopayctl clock advance` alike. Counts go to summary.work["sessions_expired"].
#pragma once

#include "daemon/scheduler/due_work.h"
#include "daemon/store/store.h"

namespace jopay {

class SessionExpiry : public DueWork {
 public:
  explicit SessionExpiry(Store& store, int batch_size = 1000)
      : store_(store), batch_size_(batch_size) {}
  std::optional<UnixSeconds> EarliestDue(Db& reader) override;
  Status RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now, Summary& summary) override;

 private:
  Store& store_;
  int batch_size_;
};

}  // namespace jopay
