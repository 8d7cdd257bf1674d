#include "daemon/events/outbox.h"

#include <fmt/core.h>

#include "common/ids.h"

namespace jopay {

namespace {
constexpr const char* kColumns = "id, livemode, type, object_id, sequence, data, created_at";

Event Read(const Stmt& q) {
  return {q.Text(0), q.Int(1) != 0, q.Text(2), q.Text(3), q.Int(4), q.Text(5), q.Int(6)};
}
}  // namespace

std::string InsertEvent(Db& db, Event e) {
  if (e.id.empty()) e.id = NewId("evt_");
  static const std::string sql =  // built once: this runs for every event
      fmt::format("INSERT INTO events ({}) VALUES (?,?,?,?,?,?,?)", kColumns);
  db.Cached(sql)
      .Args(e.id, int64_t{e.livemode}, e.type, e.object_id, e.sequence, e.data, e.created_at)
      .Exec();
  return e.id;
}

Result<Event> LoadEvent(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM events WHERE id=? AND livemode=?", kColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such event: {}", id), "id");
  Event e = Read(q);
  q.Reset();
  return e;
}

std::vector<Event> ListEvents(Db& db, bool livemode, const std::string& type,
                              const std::string& object_id, UnixSeconds since, int limit,
                              const std::string& starting_after) {
  // With an object id the object index leads; otherwise newest rows first by rowid.
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM events WHERE livemode=?1 AND (?2 = '' OR type=?2) AND "
      "(?3 = '' OR object_id=?3) AND created_at >= ?4 AND "
      "(?5 = '' OR rowid < (SELECT rowid FROM events WHERE id=?5)) ORDER BY rowid DESC LIMIT ?6",
      kColumns));
  q.Args(int64_t{livemode}, type, object_id, since, starting_after, int64_t{limit});
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
          {"data", boost::json::parse(e.data)}};
}

}  // namespace jopay
