#include "daemon/metrics_face.h"

#include <sys/stat.h>

#include <string>

#include "common/metrics.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/webhooks/deliveries.h"

namespace jopay {

namespace {

using metrics::Sample;

double FileBytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) : 0.0;
}

std::vector<Sample> One(double value) { return {Sample{{}, value}}; }

void RegisterQueueGauges(const MetricsSources& s) {
  auto& r = metrics::Global();
  r.Gauge("jopay_due_subscriptions",
          "Subscriptions whose next action (charge, retry, expiry, reminder) is due now.", {},
          [&store = s.store, &clock = s.clock] {
            return One(static_cast<double>(CountDue(store.reader(), clock.Now())));
          });
  r.Gauge("jopay_charges_pending",
          "Charges recorded as pending: on the wire or waiting to be sent (again).", {},
          [&store = s.store] { return One(static_cast<double>(CountPendingPayments(store.reader()))); });
  r.Gauge("jopay_charges_in_flight", "Charge requests on the wire to a payment provider now.", {},
          [&charges = s.charges] { return One(static_cast<double>(charges.stats().in_flight)); });
  r.Gauge("jopay_webhook_deliveries_pending",
          "Webhook deliveries still to be made, by whether they already failed once.",
          {"state"}, [&store = s.store] {
            webhooks::DeliveryBacklog b = webhooks::CountBacklog(store.reader());
            return std::vector<Sample>{
                {{"first_attempt"}, static_cast<double>(b.pending - b.retrying)},
                {{"retrying"}, static_cast<double>(b.retrying)}};
          });
}

void RegisterStoreGauges(const MetricsSources& s) {
  auto& r = metrics::Global();
  r.Gauge("jopay_store_bytes", "Size of the store's files: the database and its write-ahead log.",
          {"file"}, [path = s.store.path()] {
            return std::vector<Sample>{{{"database"}, FileBytes(path)},
                                       {{"wal"}, FileBytes(path + "-wal")}};
          });
  r.Gauge("jopay_public_connections", "Connections the public face holds now.", {},
          [count = s.public_connections] {
            return One(count ? static_cast<double>(count()) : 0.0);
          });
  r.Gauge("jopay_build_info", "The running jopayd's version (value 1).", {"version"},
          [] { return std::vector<Sample>{{{JOPAY_VERSION}, 1.0}}; });
}

}  // namespace

void RegisterScrapeGauges(const MetricsSources& sources) {
  RegisterQueueGauges(sources);
  RegisterStoreGauges(sources);
}

void AddMetricsRoutes(http::Router& router) {
  router.Add("GET", "/metrics", [](http::Request&, http::Respond respond) {
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics::Global().Render();
    respond(std::move(r));
  });
}

void CountRequest(const char* face, const http::Request& req, int status, int64_t micros) {
  static auto& requests = metrics::Global().Counters(
      "jopay_http_requests_total", "HTTP requests answered, by face, route, method and status.",
      {"face", "route", "method", "status"});
  static auto& latency = metrics::Global().Histograms(
      "jopay_http_request_seconds",
      "Time from a parsed request to its answer, by face and route.", {"face", "route"},
      metrics::LatencyBuckets());
  // Methods outside the usual set are folded: the label set stays small whatever clients send.
  static const std::string kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  std::string method = "other";
  for (const auto& m : kKnown) {
    if (req.method == m) method = m;
  }
  const std::string& route = req.route.empty() ? std::string("unmatched") : req.route;
  requests.With({face, route, method, std::to_string(status)}).Add();
  latency.With({face, route}).Observe(static_cast<double>(micros) / 1e6);
}

}  // namespace jopay
