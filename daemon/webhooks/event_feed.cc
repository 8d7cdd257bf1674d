#include "daemon/webhooks/event_feed.h"

namespace jopay::webhooks {

FeedPage ReadFeed(Db& db, bool livemode, int64_t after, int limit) {
  FeedPage page;
  if (after < 0) {
    auto& q = db.Cached("SELECT IFNULL(MAX(rowid), 0) FROM events");
    q.Reset();
    q.Step();
    page.cursor = q.Int(0);
    q.Reset();
    return page;
  }
  page.cursor = after;
  // Other mode's events move the cursor too, so the next poll does not scan them again.
  auto& q = db.Cached("SELECT rowid, id, livemode, type, object_id, sequence, data, created_at "
                      "FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?");
  q.Args(after, int64_t{limit});
  while (q.Step()) {
    page.cursor = q.Int(0);
    if ((q.Int(2) != 0) != livemode) continue;
    page.events.push_back(
        {q.Text(1), q.Int(2) != 0, q.Text(3), q.Text(4), q.Int(5), q.Text(6), q.Int(7)});
  }
  q.Reset();
  return page;
}

}  // namespace jopay::webhooks
