// The event outbox: every state change writes its event row in the same transaction as the
// change itself, so an event is never lost and never describes a change that did not commit.
// Delivery to webhook endpoints reads from here.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

struct Event {
  std::string id;  // "evt_..."
  bool livemode = false;
  std::string type;       // "subscription.renewed", ...
  std::string object_id;  // the subscription / session it is about
  int64_t sequence = 0;   // per object, only grows
  std::string data;       // the documented payload's `data`, serialized JSON
  UnixSeconds created_at = 0;
};

// Inserts a new event (a fresh id is assigned when `e.id` is empty). Returns the id.
std::string InsertEvent(Db& db, Event e);
Result<Event> LoadEvent(Db& db, const std::string& id, bool livemode);
// Newest first; filters "" = any; `since` 0 = any.
std::vector<Event> ListEvents(Db& db, bool livemode, const std::string& type,
                              const std::string& object_id, UnixSeconds since, int limit,
                              const std::string& starting_after);
boost::json::object EventView(const Event& e);

}  // namespace jopay
