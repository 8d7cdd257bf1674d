// The event outbox: every state change writes its event row in the same transaction as the
// change itself, so an event is never lost and never describes a change that did not commit.
// Delivery to webhook endpoints, `events listen` and the admin routes read from here: this is
// the only code that touches the events table.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
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
  int64_t pk = 0;  // the row's key; its id spells it (store/row_keys.h)
};

// Inserts `e` as a new event under a new key: sets e.pk and e.id (row_keys.h).
void InsertEvent(Db& db, Event& e);
Result<Event> LoadEvent(Db& db, const std::string& id, bool livemode);
// Newest first; filters "" = any; `since` 0 = any.
std::vector<Event> ListEvents(Db& db, bool livemode, const std::string& type,
                              const std::string& object_id, UnixSeconds since, int limit,
                              const std::string& starting_after);
boost::json::object EventView(const Event& e);

// The event with key `pk` (both modes): what a webhook delivery sends.
Result<Event> LoadEventByPk(Db& db, int64_t pk);
// Up to `limit` events (both modes) with keys after `after_pk`, oldest first. The key is the
// write order: a reader that walks them never misses one.
std::vector<Event> EventsAfter(Db& db, int64_t after_pk, int limit);
// The same without `data` (fan-out needs only what an event is and whose it is).
std::vector<Event> EventHeadsAfter(Db& db, int64_t after_pk, int limit);
// The newest event's key (0 when there is none).
int64_t NewestEventPk(Db& db);
// The sequence number the next event about `object_id` takes (1 for the first).
int64_t NextSequence(Db& db, const std::string& object_id);

}  // namespace jopay
