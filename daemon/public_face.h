// The public face's router, built in one place: jopayd serves it on its TCP listener
// (daemon.cc) and the HTTP fuzz target (tests/fuzz/public_http_fuzz.cc) drives the same
// routes, so what is fuzzed is what is served.
#pragma once

#include "daemon/http/router.h"
#include "daemon/public/context.h"

namespace jopay {

// Adds every route of the public face to `router`: GET /healthz, the merchant APIs and the
// payment providers' callbacks (pub::AddPublicRoutes), and the hosted checkout page and
// customer portal (pages::AddPageRoutes). The routes keep a reference to `c`, which must
// outlive the router; the merchant shown on the pages is set apart (pages::SetMerchant).
void AddPublicFaceRoutes(http::Router& router, pub::Context& c);

}  // namespace jopay
