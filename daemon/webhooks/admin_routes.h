// The admin routes of webhooks (docs/admin-api.md): /v1/webhook_endpoints (add, list, get,
// remove, disable, enable, rotate, test), POST /v1/events/{id}/resend and GET /v1/events/feed
// (what `jopayctl events listen` polls).
#pragma once

#include "daemon/admin/context.h"
#include "daemon/webhooks/dispatcher.h"

namespace jopay::webhooks {

void AddWebhookRoutes(http::Router& r, admin::Context& c, Dispatcher& dispatcher);

}  // namespace jopay::webhooks
