#include "daemon/public/session_writes.h"

#include <memory>

namespace jopay::pub {

void WriteSession(Context& c, const Caller& caller, const http::Request& req,
                  http::Respond respond, SessionChange change, SessionAnswer answer) {
  auto session = std::make_shared<Session>();
  WriteThen(
      c, caller, req, std::move(respond),
      [session, live = caller.livemode, now = c.clock.Now(), change = std::move(change)](Db& db) {
        return change(db, live, now, session.get());
      },
      [session, answer = std::move(answer)] { return answer(*session); });
}

}  // namespace jopay::pub
