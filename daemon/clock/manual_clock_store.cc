#include "daemon/clock/manual_clock_store.h"

namespace jopay {

Result<UnixSeconds> LoadManualClock(Db& reader, const std::string& clock_start) {
  auto& q = reader.Cached("SELECT value FROM meta WHERE key = 'clock_now'");
  q.Reset();
  std::optional<std::string> saved;
  if (q.Step()) saved = q.Text(0);
  q.Reset();
  if (saved) return std::stoll(*saved);  // a restarted test daemon keeps its simulated time
  if (!clock_start.empty()) return ParseRfc3339(clock_start);
  return SystemNow();
}

void SaveManualClock(Db& db, UnixSeconds now) {
  db.Cached("INSERT INTO meta (key, value) VALUES ('clock_now', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .Args(std::to_string(now))
      .Exec();
}

}  // namespace jopay
