// The Stripe-Signature header of a callback Stripe sends: "t=<unix>,v1=<hex>[,v1=<hex>...]"
// (and other schemes, such as v0, which are ignored). The signed text is "<t>.<raw body>",
// HMAC-SHA256 keyed with the endpoint's whsec_ secret; during a secret roll there is one v1
// per secret. Freshness is judged by wall-clock time, never the manual clock.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace jopay::stripe {

// Stripe's libraries' default tolerance.
inline constexpr int64_t kSignatureTolerance = 300;

// Ok when some v1 of `header` is the HMAC of `body` under one of `secrets` (compared in
// constant time) and t is within `tolerance` seconds of `now`. Otherwise kUnauthenticated,
// naming what failed: malformed header, no signature matches, or a timestamp out of
// tolerance (a stale or replayed callback).
Status VerifySignature(std::string_view header, std::string_view body,
                       const std::vector<std::string>& secrets, UnixSeconds now,
                       int64_t tolerance = kSignatureTolerance);

}  // namespace jopay::stripe
