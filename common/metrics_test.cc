#include "common/metrics.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace jopay::metrics {

TEST_CASE("counters render one line per label set, in the text format") {
  Registry r;
  auto& charges = r.Counters("jopay_charges_total", "Charges.", {"provider", "outcome"});
  charges.With({"sandbox", "paid"}).Add(3);
  charges.With({"sandbox", "failed"}).Add();
  r.Counters("jopay_charges_total", "Charges.", {"provider", "outcome"})
      .With({"sandbox", "paid"})
      .Add();  // the same family and child again
  std::string text = r.Render();
  CHECK(text.find("# HELP jopay_charges_total Charges.\n# TYPE jopay_charges_total counter\n") !=
        std::string::npos);
  CHECK(text.find("jopay_charges_total{provider=\"sandbox\",outcome=\"failed\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("jopay_charges_total{provider=\"sandbox\",outcome=\"paid\"} 4\n") !=
        std::string::npos);
}

TEST_CASE("a histogram's buckets are cumulative and end with +Inf, sum and count") {
  Registry r;
  auto& h = r.Histograms("jopay_x_seconds", "X.", {"route"}, {0.1, 1});
  auto& child = h.With({"/a"});
  child.Observe(0.05);
  child.Observe(0.1);  // on a bound: counted in that bucket (le means <=)
  child.Observe(0.5);
  child.Observe(7);
  std::string text = r.Render();
  CHECK(text.find("jopay_x_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n") != std::string::npos);
  CHECK(text.find("jopay_x_seconds_bucket{route=\"/a\",le=\"1\"} 3\n") != std::string::npos);
  CHECK(text.find("jopay_x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n") != std::string::npos);
  CHECK(text.find("jopay_x_seconds_sum{route=\"/a\"} 7.65\n") != std::string::npos);
  CHECK(text.find("jopay_x_seconds_count{route=\"/a\"} 4\n") != std::string::npos);
}

TEST_CASE("gauges are read at each scrape; one that throws is left out and counted") {
  Registry r;
  int depth = 5;
  r.Gauge("jopay_queue", "Queue.", {"queue"}, [&depth] {
    return std::vector<Sample>{{{"due"}, static_cast<double>(depth)}};
  });
  r.Gauge("jopay_broken", "Broken.", {}, []() -> std::vector<Sample> {
    throw std::runtime_error("no store");
  });
  CHECK(r.Render().find("jopay_queue{queue=\"due\"} 5\n") != std::string::npos);
  depth = 7;
  std::string text = r.Render();
  CHECK(text.find("jopay_queue{queue=\"due\"} 7\n") != std::string::npos);
  CHECK(text.find("jopay_broken") == std::string::npos);
  CHECK(text.find("jopay_metrics_read_errors_total 2\n") != std::string::npos);
}

TEST_CASE("label values are escaped; help text keeps quotes") {
  CHECK(EscapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  Registry r;
  r.Counters("jopay_y_total", "Say \"hi\".", {"v"}).With({"x\"y"}).Add();
  std::string text = r.Render();
  CHECK(text.find("# HELP jopay_y_total Say \"hi\".\n") != std::string::npos);
  CHECK(text.find("jopay_y_total{v=\"x\\\"y\"} 1\n") != std::string::npos);
}

}  // namespace jopay::metrics
