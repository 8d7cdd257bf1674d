#include "daemon/events/feed.h"

namespace jopay {

FeedPage ReadFeed(Db& db, bool livemode, int64_t after, int limit) {
  FeedPage page;
  if (after < 0) {
    page.cursor = NewestEventPk(db);
    return page;
  }
  page.cursor = after;
  // Other mode's events move the cursor too, so the next poll does not scan them again.
  for (Event& e : EventsAfter(db, after, limit)) {
    page.cursor = e.pk;
    if (e.livemode == livemode) page.events.push_back(std::move(e));
  }
  return page;
}

}  // namespace jopay
