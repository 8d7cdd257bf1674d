#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace jopay::metrics {

namespace {

// Numbers as Prometheus reads them: integers without a fraction, and its spellings of the
// infinities and NaN.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// {a="x",b="y"} from names and values, with `extra` (e.g. le="0.5") last; "" if none.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], EscapeLabel(values[i]));
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

// HELP text escapes backslash and newline only.
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string EscapeLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Family<Counter>& Registry::Counters(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[name];
  if (!e.counters) {
    e.help = help;
    e.type = "counter";
    e.counters = std::make_unique<Family<Counter>>(std::move(label_names),
                                                   [] { return std::make_unique<Counter>(); });
  }
  return *e.counters;
}

Family<Histogram>& Registry::Histograms(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[name];
  if (!e.histograms) {
    e.help = help;
    e.type = "histogram";
    e.histograms = std::make_unique<Family<Histogram>>(
        std::move(label_names), [bounds] { return std::make_unique<Histogram>(bounds); });
  }
  return *e.histograms;
}

void Registry::Gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names,
                     std::function<std::vector<Sample>()> read) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[name];
  e.help = help;
  e.type = "gauge";
  e.gauge_labels = std::move(label_names);
  e.gauge = std::move(read);
}

namespace {

// What Render needs of an entry, copied under the registry's lock.
struct EntryView {
  std::string name, help, type;
  const Family<Counter>* counters = nullptr;      // families live as long as the registry
  const Family<Histogram>* histograms = nullptr;
  std::vector<std::string> gauge_labels;
  std::function<std::vector<Sample>()> gauge;
};

void RenderCounters(std::string& out, const EntryView& e) {
  e.counters->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
    out += fmt::format("{}{} {}\n", e.name, LabelSet(e.counters->label_names(), values),
                       c.value());
  });
}

void RenderHistograms(std::string& out, const EntryView& e) {
  const auto& names = e.histograms->label_names();
  e.histograms->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
    std::vector<uint64_t> counts = h.Cumulative();
    for (size_t i = 0; i < counts.size(); ++i) {
      std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
      out += fmt::format("{}_bucket{} {}\n", e.name,
                         LabelSet(names, values, "le=\"" + le + "\""), counts[i]);
    }
    out += fmt::format("{}_sum{} {}\n", e.name, LabelSet(names, values), FormatValue(h.sum()));
    out += fmt::format("{}_count{} {}\n", e.name, LabelSet(names, values), counts.back());
  });
}

}  // namespace

std::string Registry::Render() {
  Counter& read_errors =
      Counters("jopay_metrics_read_errors_total",
               "Gauges that could not be read during a scrape (left out of it).")
          .With({});
  // Gauges read the store and other parts: they are called without holding the lock.
  std::vector<EntryView> entries;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : entries_) {
      entries.push_back({name, e.help, e.type, e.counters.get(), e.histograms.get(),
                         e.gauge_labels, e.gauge});
    }
  }
  std::string out;
  for (const EntryView& e : entries) {
    std::vector<Sample> samples;
    if (e.gauge) {
      try {
        samples = e.gauge();
      } catch (const std::exception&) {
        read_errors.Add();
        continue;
      }
    }
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", e.name, EscapeHelp(e.help), e.name,
                       e.type);
    if (e.counters) RenderCounters(out, e);
    if (e.histograms) RenderHistograms(out, e);
    for (const Sample& s : samples) {
      out += fmt::format("{}{} {}\n", e.name, LabelSet(e.gauge_labels, s.labels),
                         FormatValue(s.value));
    }
  }
  return out;
}

Registry& Global() {
  static Registry* registry = new Registry();  // never destroyed: counted into until exit
  return *registry;
}

}  // namespace jopay::metrics
