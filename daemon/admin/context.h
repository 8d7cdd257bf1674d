// What the admin routes share: the store, engine, scheduler, clock and daemon facts, and the
// small helpers that turn their results into HTTP answers (errors become JSON only here).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "daemon/admin/background.h"
#include "daemon/auth/key_cache.h"
#include "daemon/billing/clock.h"
#include "daemon/billing/engine.h"
#include "daemon/billing/importer.h"
#include "daemon/billing/scheduler.h"
#include "daemon/http/message.h"
#include "daemon/http/router.h"
#include "daemon/store/store.h"

namespace jopay::admin {

struct DaemonInfo {
  std::string data_dir;
  std::string socket;
  std::string listen;
  UnixSeconds started_at = 0;  // wall-clock
  std::string public_url;      // base of checkout links (set once the public port is bound)
};

struct Context {
  Store& store;
  Engine& engine;
  Scheduler& scheduler;
  Clock& clock;
  ApiKeyCache& api_keys;  // invalidated after a key changes
  DaemonInfo info;
  ImportRegistry imports;
  Background background;  // long requests (backup) off the io threads
};

// Test mode unless the request says `JoPay-Mode: live`.
bool IsLive(const http::Request& req);

struct Page {
  int limit = 100;
  std::string starting_after;
};
// `limit` (1..1000, default 100) and `starting_after` from the query.
Result<Page> ParsePage(const http::Request& req);
// {"object": "list", "data": [...], "has_more": bool}; `items` holds up to limit + 1 views.
boost::json::object ListAnswer(boost::json::array items, int limit);

http::Response Ok(const boost::json::value& v, int status = 200);

// Runs `job` on the writer; answers `answer()` once it has committed, or the job's error.
void WriteThen(Context& c, http::Respond respond, Writer::Job job,
               std::function<boost::json::value()> answer, int status = 200);

// Wraps a handler: a live request while the clock is manual is refused (the simulated clock
// is for test mode), and an exception becomes a 500 answer instead of a dropped connection.
http::Handler Guarded(Context& c, std::function<void(http::Request&, http::Respond)> h);

// Registers `fn` (a route function taking the Context) as a Guarded handler.
using RouteFn = void (*)(Context&, http::Request&, http::Respond);
void AddRoute(http::Router& r, Context& c, const char* method, const char* path, RouteFn fn);

// Route registration, one file per resource.
void AddPlanRoutes(http::Router& r, Context& c);
void AddSubscriptionRoutes(http::Router& r, Context& c);
void AddLedgerRoutes(http::Router& r, Context& c);  // customers, payments, events
void AddSystemRoutes(http::Router& r, Context& c);  // status, clock, renew, backup
void AddKeyRoutes(http::Router& r, Context& c);
void AddImportRoutes(http::Router& r, Context& c);
void AddSessionRoutes(http::Router& r, Context& c);  // checkout sessions

inline void AddAdminRoutes(http::Router& r, Context& c) {
  AddPlanRoutes(r, c);
  AddSubscriptionRoutes(r, c);
  AddLedgerRoutes(r, c);
  AddSystemRoutes(r, c);
  AddKeyRoutes(r, c);
  AddImportRoutes(r, c);
  AddSessionRoutes(r, c);
}

}  // namespace jopay::admin
