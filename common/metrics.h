// Metrics in the Prometheus text exposition format (version 0.0.4): counters and histograms
// kept by the code that counts, gauges read when scraped, all in one process-wide registry.
//
// A family is one metric name with its help, type and label names; each combination of label
// values is a child created on first use and kept for the process lifetime, so label values
// must come from small closed sets (route patterns, status codes, currencies), never from ids.
// Counting is lock-free (atomics); finding a child takes the family's mutex.
//
//   static auto& requests = metrics::Global().Counters("jopay_x_total", "X done.", {"route"});
//   requests.With({"/v1/plans"}).Add();
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace jopay::metrics {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Observations counted into cumulative buckets by upper bound (`le`), plus their sum and count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= bounds()[i], for i < bounds().size(); then the total count.
  std::vector<uint64_t> Cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, the last one is +Inf
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, from half a millisecond to ten seconds.
std::vector<double> LatencyBuckets();

template <class T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}
  // The child for these label values (one per label name, in order); made on first use.
  T& With(const std::vector<std::string>& values) {
    std::lock_guard lock(mu_);
    auto& child = children_[values];
    if (!child) child = make_();
    return *child;
  }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(values, child) for each child, in label order.
  template <class Fn>
  void ForEach(Fn fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

// One value of a gauge read at scrape time, with its label values.
struct Sample {
  std::vector<std::string> labels;
  double value = 0;
};

class Registry {
 public:
  // A family by name: the first call creates it, later calls with the same name return it
  // (their help and labels must match the first). Returned references live as long as the
  // registry.
  Family<Counter>& Counters(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
  Family<Histogram>& Histograms(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds);
  // A gauge whose samples `read` gives at each scrape (on the scraping thread). Registering a
  // name again replaces its reader: a daemon restarted in one process (tests) reads its own.
  void Gauge(const std::string& name, const std::string& help,
             std::vector<std::string> label_names, std::function<std::vector<Sample>()> read);
  // Every family, sorted by name, in the text format. A gauge reader that throws is skipped
  // (and counted in jopay_metrics_read_errors_total) rather than failing the scrape.
  std::string Render();

 private:
  struct Entry {
    std::string help;
    std::string type;  // counter, histogram, gauge
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Histogram>> histograms;
    std::vector<std::string> gauge_labels;
    std::function<std::vector<Sample>()> gauge;
  };

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// The process's registry.
Registry& Global();

// A label value in the text format: backslash, double quote and newline escaped.
std::string EscapeLabel(const std::string& value);

}  // namespace jopay::metrics
