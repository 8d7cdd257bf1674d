#include "daemon/webhooks/deliveries.h"

#include <fmt/core.h>

#include <map>

#include "common/json_fields.h"
#include "daemon/events/outbox.h"
#include "daemon/webhooks/retry_policy.h"

namespace jopay::webhooks {

namespace json = boost::json;

namespace {

constexpr const char* kCursorKey = "webhooks_event_cursor";

json::value OptInt(std::optional<int64_t> v) { return v ? json::value(*v) : json::value(nullptr); }

void DisableEndpoint(Db& db, const std::string& id, const std::string& reason, UnixSeconds now,
                     std::vector<std::pair<std::string, std::string>>* disabled) {
  db.Cached("UPDATE webhook_endpoints SET status='disabled', disabled_reason=?, updated_at=? "
            "WHERE id=? AND status='enabled'")
      .Args(reason, now, id)
      .Exec();
  if (db.changes() > 0 && disabled) disabled->emplace_back(id, reason);
}

// Per endpoint, what the batch says about its failing streak.
struct Streak {
  bool any_success = false;
  std::optional<UnixSeconds> first_failure;  // after the last success
  UnixSeconds last_failure = 0;
  std::string last_error;
};

std::string ErrorText(const AttemptRecord& r) {
  if (!r.error.empty()) return r.error;
  return fmt::format("HTTP {}", r.status);
}

}  // namespace

std::vector<DueDelivery> LoadDue(Db& db, const std::string& endpoint_id, UnixSeconds now,
                                 UnixSeconds after_due, int64_t after_id, int limit) {
  auto& q = db.Cached(
      "SELECT id, attempts, next_attempt_at, event_pk FROM webhook_deliveries "
      "WHERE endpoint_id = ?1 AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?2 "
      "AND (next_attempt_at, id) > (?3, ?4) ORDER BY next_attempt_at, id LIMIT ?5");
  q.Args(endpoint_id, now, after_due, after_id, int64_t{limit});
  struct Row {
    int64_t id;
    int attempts;
    UnixSeconds due;
    int64_t event_pk;
  };
  std::vector<Row> rows;
  while (q.Step()) rows.push_back({q.Int(0), static_cast<int>(q.Int(1)), q.Int(2), q.Int(3)});
  q.Reset();
  std::vector<DueDelivery> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    auto e = LoadEventByPk(db, r.event_pk);  // the outbox owns the events table
    if (!e.ok()) continue;                   // cannot happen: deliveries reference their event
    out.push_back({r.id, r.attempts, r.due, std::move(e->id), std::move(e->type),
                   std::move(e->data), e->created_at});
  }
  return out;
}

std::optional<UnixSeconds> EarliestDue(Db& db, const std::string& endpoint_id) {
  auto& q = db.Cached("SELECT MIN(next_attempt_at) FROM webhook_deliveries "
                      "WHERE endpoint_id = ? AND next_attempt_at IS NOT NULL");
  q.Args(endpoint_id);
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

DeliveryBacklog CountBacklog(Db& db) {
  auto& q = db.Cached("SELECT count(*), coalesce(sum(attempts > 0), 0) FROM webhook_deliveries "
                      "WHERE next_attempt_at IS NOT NULL");
  q.Step();
  DeliveryBacklog b{q.Int(0), q.Int(1)};
  q.Reset();
  return b;
}

int64_t LoadCursor(Db& db) {
  auto& q = db.Cached("SELECT value FROM meta WHERE key = ?");
  q.Args(kCursorKey);
  int64_t cursor = -1;
  if (q.Step()) cursor = std::stoll(q.Text(0));
  q.Reset();
  return cursor;  // -1: never fanned out (the dispatcher starts at the newest event)
}

int64_t FanOut(Db& db, int64_t cursor, int limit, const std::vector<Endpoint>& endpoints,
               UnixSeconds now, int64_t* created) {
  int64_t made = 0;
  for (const Event& r : EventHeadsAfter(db, cursor, limit)) {
    cursor = r.pk;
    if (r.type == "webhook.test") continue;  // a test goes to its one endpoint, written with it
    for (const Endpoint& e : endpoints) {
      if (e.livemode != r.livemode || r.pk <= e.after_event_rowid || !e.Wants(r.type)) continue;
      InsertDelivery(db, r.livemode, r.pk, r.id, e.id, now);
      ++made;
    }
  }
  db.Cached("INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .Args(kCursorKey, std::to_string(cursor))
      .Exec();
  if (created) *created = made;
  return cursor;
}

int64_t InsertDelivery(Db& db, bool livemode, int64_t event_pk, const std::string& event_id,
                       const std::string& endpoint_id, UnixSeconds now) {
  db.Cached("INSERT INTO webhook_deliveries (livemode, event_pk, event_id, endpoint_id, status, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)")
      .Args(int64_t{livemode}, event_pk, event_id, endpoint_id, now, now)
      .Exec();
  return sqlite3_last_insert_rowid(db.raw());
}

void RecordAttempts(Db& db, const std::vector<AttemptRecord>& records,
                    std::vector<std::pair<std::string, std::string>>* disabled) {
  std::map<std::string, Streak> streaks;
  for (const AttemptRecord& r : records) {
    db.Cached("INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, attempted_at, "
              "status_code, latency_ms, error, response_excerpt) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .Args(r.delivery_id, int64_t{r.attempts_before + 1}, r.attempted_at,
              r.status ? std::optional<int64_t>(r.status) : std::nullopt, r.latency_ms,
              r.error.empty() ? std::nullopt : std::optional<std::string>(r.error), r.excerpt)
        .Exec();
    Outcome outcome = r.status ? Classify(r.status) : Outcome::kRetry;
    Streak& s = streaks[r.endpoint_id];
    std::optional<int64_t> next;
    std::string status = "pending";
    if (outcome == Outcome::kDelivered) {
      status = "delivered";
      s.any_success = true;
      s.first_failure.reset();
    } else {
      if (!s.first_failure) s.first_failure = r.attempted_at;
      s.last_failure = r.attempted_at;
      s.last_error = ErrorText(r);
      if (outcome == Outcome::kGone) {
        status = "failed";
        DisableEndpoint(db, r.endpoint_id,
                        fmt::format("the endpoint answered 410 Gone at {}",
                                    FormatRfc3339(r.attempted_at)),
                        r.attempted_at, disabled);
      } else {
        std::optional<int64_t> delay;
        if ((r.status == 429 || r.status == 503) && !r.retry_after.empty() &&
            r.attempts_before + 1 < kMaxAttempts) {
          delay = ParseRetryAfter(r.retry_after, r.attempted_at);
        }
        if (!delay) delay = RetryDelay(r.attempts_before + 1, r.jitter);
        if (delay) {
          next = r.attempted_at + *delay;
        } else {
          status = "failed";
        }
      }
    }
    bool finished = status != "pending";
    // A delivery already ended meanwhile (its endpoint was removed) keeps its end; the attempt
    // is still on record.
    db.Cached("UPDATE webhook_deliveries SET status=?, attempts=attempts+1, next_attempt_at=?, "
              "last_status=?, last_error=?, finished_at=? WHERE id=? AND status='pending'")
        .Args(status, next, r.status ? std::optional<int64_t>(r.status) : std::nullopt,
              outcome == Outcome::kDelivered ? std::nullopt
                                             : std::optional<std::string>(ErrorText(r)),
              finished ? std::optional<int64_t>(r.attempted_at) : std::nullopt, r.delivery_id)
        .Exec();
  }
  for (const auto& [endpoint_id, s] : streaks) {
    if (s.any_success) {
      db.Cached("UPDATE webhook_endpoints SET failing_since=? WHERE id=? AND "
                "failing_since IS NOT ?")
          .Args(s.first_failure, endpoint_id, s.first_failure)
          .Exec();
    } else if (s.first_failure) {
      db.Cached("UPDATE webhook_endpoints SET failing_since=? WHERE id=? AND failing_since IS NULL")
          .Args(*s.first_failure, endpoint_id)
          .Exec();
    }
    if (!s.first_failure) continue;
    auto& q = db.Cached("SELECT failing_since FROM webhook_endpoints WHERE id=?");
    q.Args(endpoint_id);
    std::optional<int64_t> since;
    if (q.Step()) since = q.OptInt(0);
    q.Reset();
    if (since && s.last_failure - *since >= kDisableAfterFailingSeconds) {
      DisableEndpoint(db, endpoint_id,
                      fmt::format("every delivery attempt failed for 5 days (since {}); last "
                                  "error: {}",
                                  FormatRfc3339(*since), s.last_error),
                      s.last_failure, disabled);
    }
  }
}

json::array DeliveriesOfEvent(Db& db, const std::string& event_id) {
  auto& q = db.Cached(
      "SELECT d.id, d.endpoint_id, w.url, d.status, d.attempts, d.next_attempt_at, "
      "d.last_status, d.last_error, d.created_at, d.finished_at FROM webhook_deliveries d "
      "JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.event_id = ? ORDER BY d.id");
  q.Args(event_id);
  json::array out;
  while (q.Step()) {
    out.push_back(json::object{{"id", q.Int(0)},
                               {"object", "webhook_delivery"},
                               {"endpoint_id", q.Text(1)},
                               {"url", q.Text(2)},
                               {"status", q.Text(3)},
                               {"attempts", q.Int(4)},
                               {"next_attempt_at", TimeOrNull(q.OptInt(5))},
                               {"last_status", OptInt(q.OptInt(6))},
                               {"last_error", TextOrNull(q.OptText(7))},
                               {"created_at", FormatRfc3339(q.Int(8))},
                               {"finished_at", TimeOrNull(q.OptInt(9))}});
  }
  q.Reset();
  return out;
}

json::array AttemptsOfEvent(Db& db, const std::string& event_id) {
  auto& q = db.Cached(
      "SELECT a.delivery_id, d.endpoint_id, a.attempted_at, a.status_code, a.latency_ms, "
      "a.error, a.response_excerpt, a.attempt FROM webhook_attempts a JOIN webhook_deliveries d "
      "ON d.id = a.delivery_id WHERE d.event_id = ? ORDER BY a.attempted_at, a.delivery_id, "
      "a.attempt");
  q.Args(event_id);
  json::array out;
  while (q.Step()) {
    out.push_back(json::object{{"delivery_id", q.Int(0)},
                               {"object", "webhook_attempt"},
                               {"attempt", q.Int(7)},
                               {"endpoint_id", q.Text(1)},
                               {"attempted_at", FormatRfc3339(q.Int(2))},
                               {"status_code", OptInt(q.OptInt(3))},
                               {"latency_ms", q.Int(4)},
                               {"error", TextOrNull(q.OptText(5))},
                               {"response_excerpt", q.Text(6)}});
  }
  q.Reset();
  return out;
}

}  // namespace jopay::webhooks
