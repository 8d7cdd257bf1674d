// The delivery records: one row per (event, endpoint) to deliver, one row per attempt.
//
// Fan-out turns new events (keys past the dispatcher's cursor, kept in meta) into
// pending deliveries in the dispatcher's own writer jobs, never inside the billing
// transactions that wrote the events. Recording an attempt decides what comes next: delivered,
// tried again later (retry_policy.h), failed for good, and whether the endpoint is disabled
// (410 Gone, or nothing but failures for 5 days).
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"
#include "daemon/webhooks/endpoints.h"

namespace jopay::webhooks {

struct DueDelivery {
  int64_t id = 0;
  int attempts = 0;  // made so far
  UnixSeconds due = 0;
  std::string event_id;
  std::string type;
  std::string data;  // JSON text
  UnixSeconds event_created_at = 0;
};

// Pending deliveries of one endpoint due at or before `now`, in (due, id) order after the
// position (after_due, after_id).
std::vector<DueDelivery> LoadDue(Db& db, const std::string& endpoint_id, UnixSeconds now,
                                 UnixSeconds after_due, int64_t after_id, int limit);
// The earliest due time of an endpoint's pending deliveries.
std::optional<UnixSeconds> EarliestDue(Db& db, const std::string& endpoint_id);

// The fan-out cursor: the key of the last event fanned out.
int64_t LoadCursor(Db& db);

// Deliveries still to be made (both modes), and how many of them failed at least once.
struct DeliveryBacklog {
  int64_t pending = 0;
  int64_t retrying = 0;
};
DeliveryBacklog CountBacklog(Db& db);

// Fans out up to `limit` events after `cursor` to `endpoints` (enabled ones, both modes) and
// stores the new cursor. Returns the new cursor; `created` counts the deliveries made.
int64_t FanOut(Db& db, int64_t cursor, int limit, const std::vector<Endpoint>& endpoints,
               UnixSeconds now, int64_t* created);

// A new pending delivery of the event (its key and id) due at `now`. Returns its id.
int64_t InsertDelivery(Db& db, bool livemode, int64_t event_pk, const std::string& event_id,
                       const std::string& endpoint_id, UnixSeconds now);

struct AttemptRecord {
  int64_t delivery_id = 0;
  std::string endpoint_id;
  int attempts_before = 0;
  UnixSeconds attempted_at = 0;
  int status = 0;  // 0: no HTTP answer
  int64_t latency_ms = 0;
  std::string error;
  std::string excerpt;
  std::string retry_after;
  double jitter = 0;  // [0, 1)
};

// Records the attempts and their consequences. Endpoints this disabled are appended to
// `disabled` as (id, reason).
void RecordAttempts(Db& db, const std::vector<AttemptRecord>& records,
                    std::vector<std::pair<std::string, std::string>>* disabled);

// The deliveries of an event and all their attempts, for `events get`.
boost::json::array DeliveriesOfEvent(Db& db, const std::string& event_id);
boost::json::array AttemptsOfEvent(Db& db, const std::string& event_id);

}  // namespace jopay::webhooks
