#include "daemon/checkout/session_expiry.h"

#include "daemon/checkout/session.h"

namespace jopay {

std::optional<UnixSeconds> SessionExpiry::EarliestDue(Db& reader) {
  return EarliestSessionExpiry(reader);
}

Status SessionExpiry::RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now,
                             Summary& summary) {
  // Batches of their own writer jobs: a large backlog never holds one transaction long.
  for (;;) {
    int64_t n = 0;
    Status st = store_.writer().Run([&](Db& db) {
      n = ExpireDueSessions(db, until, use_due_time, now, batch_size_);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    if (n > 0) summary.work["sessions_expired"] += n;
    if (n < batch_size_) return Status::Ok();
  }
}

}  // namespace jopay
