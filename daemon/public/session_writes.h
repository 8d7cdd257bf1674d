// The one way the public faces (/api/checkout/v1 and /eventop/checkout) change a checkout
// session: the change runs on the writer in the caller's mode at the clock's time, through
// WriteThen (so Idempotency-Key holds), and the answer is rendered from the session it left.
// Each face brings only its own change (create from its parsed body, cancel an id) and its
// own spelling of the answer.
#pragma once

#include <boost/json.hpp>

#include <functional>

#include "daemon/checkout/session.h"
#include "daemon/public/context.h"

namespace jopay::pub {

// Runs on the writer, inside the job: fills `out` with the session as changed.
using SessionChange = std::function<Status(Db& db, bool livemode, UnixSeconds now, Session* out)>;
// Renders the answer (on the writer, after the change) from the changed session.
using SessionAnswer = std::function<boost::json::value(const Session& s)>;

void WriteSession(Context& c, const Caller& caller, const http::Request& req,
                  http::Respond respond, SessionChange change, SessionAnswer answer);

}  // namespace jopay::pub
