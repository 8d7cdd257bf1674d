// /metrics, the Prometheus face: counting happens where the work is done (common/metrics.h:
// charges in billing/payments.cc, due runs in the scheduler, webhook attempts in the
// dispatcher, commits in the writer); this face adds the HTTP requests of the other faces,
// what is read when scraped (queues, the store's files, connections), and serves the text on
// a listener of its own (--metrics-listen), never on the public face.
#pragma once

#include <cstdint>
#include <functional>

#include "daemon/charges/charge_sender.h"
#include "daemon/clock/clock.h"
#include "daemon/http/router.h"
#include "daemon/store/store.h"

namespace jopay {

// What the scrape-time gauges read. Everything must outlive the metrics listener.
struct MetricsSources {
  Store& store;
  Clock& clock;
  ChargeSender& charges;
  std::function<size_t()> public_connections;
};

// Registers the gauges read at each scrape: due subscriptions, charges pending and in flight,
// webhook deliveries pending and retrying, the database and WAL sizes, public connections,
// build info.
void RegisterScrapeGauges(const MetricsSources& sources);

// GET /metrics: every metric in the text format (version 0.0.4).
void AddMetricsRoutes(http::Router& router);

// Counts an answered request of `face` ("public", "admin") by route pattern, method and status
// code, with its latency. Requests that matched no route count under route "unmatched".
void CountRequest(const char* face, const http::Request& req, int status, int64_t micros);

}  // namespace jopay
