// The live feed behind `jopayctl events listen`: events in write order after a cursor (an
// event key), so a poller sees every event exactly once.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "daemon/events/outbox.h"
#include "daemon/store/db.h"

namespace jopay {

struct FeedPage {
  std::vector<Event> events;  // oldest first
  int64_t cursor = 0;         // pass back as `after` for the next page
};

// Events of `livemode` after key `after` (a negative `after` = start at the newest event,
// returning none), up to `limit`.
FeedPage ReadFeed(Db& db, bool livemode, int64_t after, int limit);

}  // namespace jopay
