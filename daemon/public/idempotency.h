// Idempotency-Key on the public API's POSTs, as Stripe does it: the first answer to a key is
// kept (in the same transaction as the change it answers) for 24 hours, keyed by (mode, key)
// with a hash of method, path and body. The same request under the key gets the kept answer
// again (header `Idempotent-Replayed: true`) and changes nothing; a different request under the
// key gets 409 "idempotency_key_reused". Failed requests are not kept (a retry runs again).
// Keys are 1 to 255 characters.
#pragma once

#include <memory>
#include <optional>

#include "daemon/public/context.h"

namespace jopay::pub {

// The keeper routes::WriteThen uses for this request, or nullptr when it has no
// Idempotency-Key. A malformed key -> kInvalid naming the header.
Result<std::shared_ptr<routes::AnswerKeeper>> IdempotencyKeeper(Context& c, const Caller& caller,
                                                                const http::Request& req);

// Fast path before any work: the kept answer when the request's key was already used (a
// replay, or the 409), else nothing. The keeper makes the authoritative check inside the job.
std::optional<http::Response> IdempotentAnswer(Context& c, const Caller& caller,
                                               const http::Request& req);

}  // namespace jopay::pub
