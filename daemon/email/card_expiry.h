// The daily look for saved cards about to expire: a DueWork (scheduler/due_work.h) that, once a
// day on the billing clock (and at start), queues a card_expiring email (queue.h) for every
// card that a subscription will charge again (active, trialing or past_due, not cancelled at
// period end) and whose expiry month is this month or the next, in UTC. One email per card and
// expiry month, ever: the queue refuses a second, so looking every day (or after a restart)
// writes nothing new, and a card replaced by one with a later expiry is looked at afresh.
//
// Candidates are read on the scheduler's reader (a full pass over the subscriptions that
// will charge again: about a second at a million); only the emails are written, in one writer
// job. It is registered only while email is on and card_expiring is on in some mode.
#pragma once

#include "daemon/email/queue.h"
#include "daemon/scheduler/due_work.h"
#include "daemon/store/store.h"

namespace jopay::email {

inline constexpr int64_t kCardCheckEvery = 86400;

class CardExpiryCheck : public DueWork {
 public:
  CardExpiryCheck(Store& store, KindsOff off) : store_(store), off_(std::move(off)) {}
  std::optional<UnixSeconds> EarliestDue(Db& reader) override;
  Status RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now, Summary& summary) override;

 private:
  Store& store_;
  KindsOff off_;
  std::optional<UnixSeconds> next_;  // scheduler thread only; empty: at once
};

// The "YYYY-MM" months a card may expire in to be told at `t`: t's month and the next.
std::pair<std::string, std::string> NoticeMonths(UnixSeconds t);

}  // namespace jopay::email
