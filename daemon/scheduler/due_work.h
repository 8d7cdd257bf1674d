// Timed work the billing clock drives besides subscriptions: checkout sessions that expire,
// webhook deliveries waiting for their retry time, and whatever comes next. The scheduler asks
// every registered DueWork when it is next due and runs it then; under the manual clock,
// `clock advance` runs it interleaved in time order with the subscriptions' own actions.
#pragma once

#include <optional>

#include "common/status.h"
#include "common/time.h"
#include "daemon/billing/subscription.h"
#include "daemon/store/db.h"

namespace jopay {

class DueWork {
 public:
  virtual ~DueWork() = default;

  // The earliest time any item of this work is due, if any. `reader` is a read-only
  // connection of the calling (scheduler) thread.
  virtual std::optional<UnixSeconds> EarliestDue(Db& reader) = 0;

  // Does every item due at or before `until` (through the writer; called on the scheduler
  // thread). With use_due_time each item happens at its own due time (the manual clock: as if
  // the daemon had been there); otherwise at `now`. Adds what it did to summary.work (e.g.
  // "sessions_expired"). Contract: afterwards EarliestDue() is later than `until` or empty,
  // so the scheduler's loops end.
  virtual Status RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now,
                        Summary& summary) = 0;
};

}  // namespace jopay
