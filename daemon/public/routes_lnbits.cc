// Registers the LNbits-style face: /api/v1 (API key) and /public (no key). See lnbits.h.
#include "daemon/public/lnbits.h"

namespace jopay::pub {

void AddLnbitsRoutes(http::Router& r, Context& c) {
  AddLnbitsPlanRoutes(r, c);
  AddLnbitsSubscriptionRoutes(r, c);
  AddLnbitsPeopleRoutes(r, c);
  AddLnbitsPublicRoutes(r, c);
}

}  // namespace jopay::pub
