// What the admin routes share: the daemon's services (routes/kit.h), the webhook dispatcher
// and daemon facts, and the admin face's own rules: a request is in test mode unless it says
// `JoPay-Mode: live`, and live requests are refused while the clock is manual.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <string>

#include "daemon/admin/background.h"
#include "daemon/billing/importer.h"
#include "daemon/http/router.h"
#include "daemon/routes/kit.h"
#include "daemon/webhooks/dispatcher.h"

namespace jopay::email {
class Sender;
}

namespace jopay::admin {

struct DaemonInfo {
  std::string data_dir;
  std::string socket;
  std::string listen;
  std::string metrics;  // HOST:PORT of /metrics as bound; "" when off
  UnixSeconds started_at = 0;  // wall-clock
  std::string public_url;      // base of checkout links (set once the public port is bound)
  // The public face's connections: how many are open now (set once it listens) and its caps.
  std::function<size_t()> public_connections;
  size_t public_max_connections = 0;
  size_t public_max_per_address = 0;
};

struct Context : routes::Services {
  webhooks::Dispatcher& dispatcher;
  DaemonInfo info;
  ImportRegistry imports;
  Background background;  // long requests (backup) off the io threads
  email::Sender* email = nullptr;  // customer emails; null when smtp-host is not set
  std::string signing_key;  // of the links admin answers hand out (public/tokens.h)
};

// Test mode unless the request says `JoPay-Mode: live`.
bool IsLive(const http::Request& req);
// The request's mode and the clock's time now.
routes::Call CallOf(Context& c, const http::Request& req);

// Admin lists: `limit` 1..1000 (default 100) and `starting_after`.
Result<routes::Page> ParsePage(const http::Request& req);

using routes::ListAnswer;
using routes::Ok;
using routes::QueryValue;

// routes::WriteThen / WriteValue on the store's writer.
void WriteThen(Context& c, http::Respond respond, Writer::Job job,
               std::function<boost::json::value()> answer, routes::WriteOptions options = {});
template <class T>
void WriteValue(Context& c, http::Respond respond, std::function<Status(Db&, T&)> job,
                std::function<boost::json::value(const T&)> view,
                routes::WriteOptions options = {}) {
  routes::WriteValue<T>(c.store.writer(), std::move(respond), std::move(job), std::move(view),
                        std::move(options));
}

// Registers `fn` as an admin route: Guarded, and refused in live mode under a manual clock.
using RouteFn = void (*)(Context&, http::Request&, http::Respond);
void AddRoute(http::Router& r, Context& c, const char* method, const char* path, RouteFn fn);

// Route registration, one file per resource.
void AddPlanRoutes(http::Router& r, Context& c);
void AddSubscriptionRoutes(http::Router& r, Context& c);
void AddLedgerRoutes(http::Router& r, Context& c);   // customers, payments
void AddInvoiceRoutes(http::Router& r, Context& c);  // invoices and credit notes
void AddEventRoutes(http::Router& r, Context& c);    // events: list, get, resend, feed
void AddWebhookRoutes(http::Router& r, Context& c);  // webhook endpoints
void AddSystemRoutes(http::Router& r, Context& c);   // status, clock, renew, backup
void AddKeyRoutes(http::Router& r, Context& c);
void AddImportRoutes(http::Router& r, Context& c);
void AddSessionRoutes(http::Router& r, Context& c);  // checkout sessions
void AddReportRoutes(http::Router& r, Context& c);   // the business report
void AddEmailRoutes(http::Router& r, Context& c);    // customer emails: list, get, resend

inline void AddAdminRoutes(http::Router& r, Context& c) {
  AddPlanRoutes(r, c);
  AddSubscriptionRoutes(r, c);
  AddLedgerRoutes(r, c);
  AddInvoiceRoutes(r, c);
  AddEventRoutes(r, c);
  AddWebhookRoutes(r, c);
  AddSystemRoutes(r, c);
  AddKeyRoutes(r, c);
  AddImportRoutes(r, c);
  AddSessionRoutes(r, c);
  AddReportRoutes(r, c);
  AddEmailRoutes(r, c);
}

}  // namespace jopay::admin
