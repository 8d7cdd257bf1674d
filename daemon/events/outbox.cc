#include "daemon/events/outbox.h"

#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/store/row_keys.h"

namespace jopay {

namespace {

// Events are found by the key their ids spell (store/row_keys.h).
constexpr KeyedTable kEventsTable{
    1, "evt_", "SELECT IFNULL(MAX(pk), 0) + 1 FROM events",
    "SELECT pk FROM events WHERE pk = IFNULL((SELECT pk FROM legacy_ids WHERE id = ?1), ?2) "
    "AND id = ?1"};

constexpr const char* kColumns =
    "pk, id, livemode, type, object_id, sequence, data, created_at";

Event Read(const Stmt& q) {
  return {q.Text(1), q.Int(2) != 0, q.Text(3), q.Text(4), q.Int(5), q.Text(6), q.Int(7),
          q.Int(0)};
}
}  // namespace

void InsertEvent(Db& db, Event& e) {
  RowKey key = NewRowKey(db, kEventsTable);
  e.pk = key.pk;
  e.id = std::move(key.id);
  static const SqlSlot sql(  // built once: this runs for every event
      fmt::format("INSERT INTO events ({}) VALUES (?,?,?,?,?,?,?,?)", kColumns));
  db.Cached(sql).ExecWith(e.pk, e.id, int64_t{e.livemode}, e.type, e.object_id, e.sequence,
                          e.data, e.created_at);
}

Result<Event> LoadEvent(Db& db, const std::string& id, bool livemode) {
  auto missing = [&] { return Status::NotFound(fmt::format("No such event: {}", id), "id"); };
  std::optional<int64_t> pk = FindPk(db, kEventsTable, id);
  if (!pk) return missing();
  auto& q = db.Cached(fmt::format("SELECT {} FROM events WHERE pk=? AND livemode=?", kColumns));
  q.Args(*pk, int64_t{livemode});
  if (!q.Step()) return missing();
  Event e = Read(q);
  q.Reset();
  return e;
}

std::vector<Event> ListEvents(Db& db, bool livemode, const std::string& type,
                              const std::string& object_id, UnixSeconds since, int limit,
                              const std::string& starting_after) {
  int64_t below = PageBelow(db, kEventsTable, starting_after);
  // With an object id the object index leads; otherwise newest rows first by key.
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM events WHERE livemode=?1 AND (?2 = '' OR type=?2) AND "
      "(?3 = '' OR object_id=?3) AND created_at >= ?4 AND pk < ?5 ORDER BY pk DESC LIMIT ?6",
      kColumns));
  q.Args(int64_t{livemode}, type, object_id, since, below, int64_t{limit});
  std::vector<Event> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

boost::json::object EventView(const Event& e) {
  return {{"id", e.id},
          {"object", "event"},
          {"livemode", e.livemode},
          {"type", e.type},
          {"object_id", e.object_id},
          {"sequence", e.sequence},
          {"created_at", FormatRfc3339(e.created_at)},
          {"data", ParseStoredJson(e.data)}};
}

Result<Event> LoadEventByPk(Db& db, int64_t pk) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM events WHERE pk=?", kColumns));
  q.Args(pk);
  if (!q.Step()) return Status::NotFound(fmt::format("No event with key {}", pk));
  Event e = Read(q);
  q.Reset();
  return e;
}

std::vector<Event> EventsAfter(Db& db, int64_t after_pk, int limit) {
  auto& q = db.Cached(
      fmt::format("SELECT {} FROM events WHERE pk > ? ORDER BY pk LIMIT ?", kColumns));
  q.Args(after_pk, int64_t{limit});
  std::vector<Event> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::vector<Event> EventHeadsAfter(Db& db, int64_t after_pk, int limit) {
  auto& q = db.Cached("SELECT pk, id, livemode, type, object_id FROM events WHERE pk > ? "
                      "ORDER BY pk LIMIT ?");
  q.Args(after_pk, int64_t{limit});
  std::vector<Event> out;
  while (q.Step()) {
    Event e;
    e.pk = q.Int(0);
    e.id = q.Text(1);
    e.livemode = q.Int(2) != 0;
    e.type = q.Text(3);
    e.object_id = q.Text(4);
    out.push_back(std::move(e));
  }
  q.Reset();
  return out;
}

int64_t NewestEventPk(Db& db) {
  auto& q = db.Cached("SELECT IFNULL(MAX(pk), 0) FROM events");
  q.Reset();
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

int64_t NextSequence(Db& db, const std::string& object_id) {
  auto& q = db.Cached("SELECT IFNULL(MAX(sequence), 0) + 1 FROM events WHERE object_id=?");
  q.Args(object_id);
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

}  // namespace jopay
