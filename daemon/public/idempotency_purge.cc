#include "daemon/public/idempotency_purge.h"

namespace jopay::pub {

std::optional<UnixSeconds> IdempotencyPurge::EarliestDue(Db& reader) {
  auto& q = reader.Cached("SELECT MIN(created_at) FROM idempotency_keys");
  q.Step();
  auto oldest = q.OptInt(0);
  q.Reset();
  if (!oldest) return std::nullopt;
  return *oldest + kIdempotencyWindow;
}

Status IdempotencyPurge::RunDue(UnixSeconds until, bool, UnixSeconds, Summary& summary) {
  // In batches, each its own writer job, so a day of keys never holds one long transaction.
  for (;;) {
    int64_t purged = 0;
    Status st = store_.writer().Run([&](Db& db) {
      auto& del = db.Cached(
          "DELETE FROM idempotency_keys WHERE (livemode, key) IN (SELECT livemode, key FROM "
          "idempotency_keys WHERE created_at <= ? LIMIT ?)");
      del.Args(until - kIdempotencyWindow, int64_t{batch_size_}).Exec();
      purged = db.changes();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    if (purged > 0) summary.work["idempotency_keys_purged"] += purged;
    if (purged < batch_size_) return Status::Ok();
  }
}

}  // namespace jopay::pub
