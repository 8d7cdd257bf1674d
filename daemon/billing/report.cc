#include "daemon/billing/report.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "daemon/billing/subscription.h"

namespace jopay {

namespace {

namespace chrono = std::chrono;

chrono::year_month MonthOf(UnixSeconds t) {
  chrono::year_month_day ymd{chrono::floor<chrono::days>(chrono::sys_seconds{chrono::seconds{t}})};
  return ymd.year() / ymd.month();
}

UnixSeconds StartOf(chrono::year_month m) {
  return chrono::sys_seconds{chrono::sys_days{m / 1}}.time_since_epoch().count();
}

Result<UnixSeconds> ParseTime(std::string_view text, std::string_view param, UnixSeconds now) {
  auto t = ParseRfc3339(text);
  if (!t.ok()) return Status::Invalid(t.status().message(), std::string(param));
  if (*t < 0) return Status::Invalid(fmt::format("{} must be 1970 or later", param), std::string(param));
  if (*t > now) {
    return Status::Invalid(fmt::format("{} must not be later than now ({}): a report cannot see "
                                       "the future", param, FormatRfc3339(now)),
                           std::string(param));
  }
  return *t;
}

// The statuses whose subscriptions MRR counts (report.h).
bool CountsInMrr(std::string_view status) {
  return status == sub_status::kActive || status == sub_status::kPastDue ||
         status == sub_status::kCanceled;
}

// The status a subscription had before its first status change (report.h: imports).
std::string StatusBeforeFirstChange(const SubscriptionHistory& h) {
  if (h.changes.empty()) return h.status;
  const StatusChange& first = h.changes.front();
  if (first.type == "subscription.created") return std::string(sub_status::kIncomplete);
  if (first.type == "subscription.trial_ending") return std::string(sub_status::kTrialing);
  if (first.type == "subscription.resumed") return std::string(sub_status::kPaused);
  if (first.type == "subscription.updated") return first.status;  // changes no status
  if (first.type == "subscription.expired") {
    return std::string(h.canceled ? sub_status::kCanceled : sub_status::kPastDue);
  }
  return std::string(sub_status::kActive);  // renewed, payment_failed, cancelled, paused
}

// The terms a subscription billed before its first recorded change: the plan a first plan
// change left, else the first event's (no event changed them before it), else today's.
RecurringTerms TermsBeforeFirstChange(const SubscriptionHistory& h) {
  if (h.changes.empty()) return {h.amount, h.currency, h.interval, h.interval_count};
  const StatusChange& first = h.changes.front();
  return first.previous ? *first.previous : first.terms;
}

// A subscription's status and terms at times that only move forward: each change is passed
// once.
class HistoryWalk {
 public:
  struct State {
    std::string status;  // "" before the subscription was created
    RecurringTerms terms;
  };
  explicit HistoryWalk(const SubscriptionHistory& h)
      : h_(h), before_first_{StatusBeforeFirstChange(h), TermsBeforeFirstChange(h)} {}
  // The state at `t`: every change at or before t applied.
  State At(UnixSeconds t) {
    while (next_ < h_.changes.size() && h_.changes[next_].at <= t) ++next_;
    if (next_ > 0) return {h_.changes[next_ - 1].status, h_.changes[next_ - 1].terms};
    if (h_.created_at <= t) return before_first_;
    return {};
  }

 private:
  const SubscriptionHistory& h_;
  State before_first_;
  size_t next_ = 0;
};

bool Within(UnixSeconds t, const ReportRange& r) { return r.since <= t && t <= r.until; }

// The period's calendar months, first to last.
std::vector<UnixSeconds> MonthStarts(const ReportRange& r) {
  std::vector<UnixSeconds> starts;
  for (auto m = MonthOf(r.since); StartOf(m) <= r.until; m += chrono::months{1}) {
    starts.push_back(StartOf(m));
  }
  return starts;
}

// When each month's MRR is taken: its last second, or until in until's month.
std::vector<UnixSeconds> MrrPoints(const std::vector<UnixSeconds>& starts, const ReportRange& r) {
  std::vector<UnixSeconds> points;
  for (UnixSeconds start : starts) {
    UnixSeconds next = StartOf(MonthOf(start) + chrono::months{1});
    points.push_back(std::min(next - 1, r.until));
  }
  return points;
}

// Index of the month holding t (t within the period).
size_t MonthIndex(const std::vector<UnixSeconds>& starts, UnixSeconds t) {
  return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), t) - starts.begin()) - 1;
}

// What happened to one subscription in the period: sign-up, churn, resume, dunning.
void CountPeriodChanges(const SubscriptionHistory& h, const ReportRange& r, CurrencyReport& c) {
  std::string previous = StatusBeforeFirstChange(h);
  bool created = false, resumed = false, went_past_due = false, recovered = false;
  for (const StatusChange& ch : h.changes) {
    bool in = Within(ch.at, r);
    created |= in && ch.type == "subscription.created";
    resumed |= in && ch.type == "subscription.resumed";
    if (in && ch.type == "subscription.expired") {
      ++(h.canceled ? c.churned_voluntary : c.churned_failed_payment);
    }
    if (in && ch.status == sub_status::kPastDue && previous != sub_status::kPastDue) {
      went_past_due = true;
    }
    recovered |= went_past_due && ch.status == sub_status::kActive;
    previous = ch.status;
  }
  c.new_subscriptions += created;
  c.reactivated += resumed;
  c.went_past_due += went_past_due;
  c.recovered += recovered;
}

std::set<std::string> CurrenciesOf(const ReportInput& in) {
  if (!in.currency.empty()) return {in.currency};
  std::set<std::string> all;
  for (const auto& s : in.subscriptions) {
    all.insert(s.currency);
    for (const StatusChange& ch : s.changes) all.insert(ch.terms.currency);  // billed before
  }
  for (const auto* moves : {&in.payments, &in.refunds}) {
    for (const auto& m : *moves) all.insert(m.currency);
  }
  return all;
}

}  // namespace

Result<ReportRange> ParseReportRange(std::string_view since, std::string_view until,
                                     UnixSeconds now) {
  ReportRange r{0, now};
  if (!until.empty()) {
    auto t = ParseTime(until, "until", now);
    if (!t.ok()) return t.status();
    r.until = *t;
  }
  r.since = StartOf(MonthOf(r.until) - chrono::months{12});
  if (!since.empty()) {
    auto t = ParseTime(since, "since", now);
    if (!t.ok()) return t.status();
    r.since = *t;
  }
  if (r.since >= r.until) {
    return Status::Invalid(fmt::format("since ({}) must be before until ({})",
                                       FormatRfc3339(r.since), FormatRfc3339(r.until)),
                           "since");
  }
  auto months = (MonthOf(r.until) - MonthOf(r.since)).count() + 1;
  if (months > kReportMaxMonths) {
    return Status::Invalid(fmt::format("the period spans {} calendar months; a report covers "
                                       "{} at most", months, kReportMaxMonths),
                           "since");
  }
  return r;
}

void RecurringTotal::Add(int64_t amount, Interval interval, int count) {
  // A period's amount per year: amount x periods a year / count; per month, that over 12.
  static constexpr int kPerYear[] = {365, 52, 12, 1};  // day, week, month, year
  twelfths_by_count_[std::max(count, 1)] +=
      static_cast<__int128>(amount) * kPerYear[static_cast<int>(interval)];
}

int64_t RecurringTotal::Mrr() const { return Rounded(1); }

int64_t RecurringTotal::Arr() const { return Rounded(12); }

// round_half_up(scale x sum of N_c / (12 c)): every fraction over the least common
// denominator, so the sum is exact before its one rounding. cpp_int: with many interval
// counts that denominator outgrows any machine integer.
int64_t RecurringTotal::Rounded(int64_t scale) const {
  using boost::multiprecision::cpp_int;
  cpp_int denominator = 1;
  for (const auto& [count, ignored] : twelfths_by_count_) {
    denominator = boost::multiprecision::lcm(denominator, cpp_int(12 * count));
  }
  cpp_int numerator = 0;
  for (const auto& [count, sum] : twelfths_by_count_) {
    numerator += cpp_int(sum) * (denominator / (12 * count));
  }
  numerator *= scale;
  cpp_int rounded = (2 * numerator + denominator) / (2 * denominator);  // all >= 0: floor
  return rounded.convert_to<int64_t>();
}

Report ComputeReport(const ReportInput& in, const ReportRange& range) {
  Report report;
  report.range = range;
  std::vector<UnixSeconds> starts = MonthStarts(range);
  std::vector<UnixSeconds> points = MrrPoints(starts, range);
  std::map<std::string, std::vector<RecurringTotal>> mrr;
  for (const std::string& cur : CurrenciesOf(in)) {
    CurrencyReport& c = report.currencies[cur];
    for (auto s : sub_status::kAll) c.subscribers[std::string(s)] = 0;
    for (UnixSeconds start : starts) c.months.push_back({start});
    mrr[cur].resize(points.size());
  }
  for (const SubscriptionHistory& h : in.subscriptions) {
    if (auto it = report.currencies.find(h.currency); it != report.currencies.end()) {
      ++it->second.subscribers[h.status];
      CountPeriodChanges(h, range, it->second);
    }
    // Each month's MRR at the price and in the currency billed then (a plan change moves it).
    HistoryWalk walk(h);
    for (size_t i = 0; i < points.size(); ++i) {
      HistoryWalk::State at = walk.At(points[i]);
      auto totals = mrr.find(at.terms.currency);
      if (!CountsInMrr(at.status) || totals == mrr.end()) continue;
      totals->second[i].Add(at.terms.amount, at.terms.interval, at.terms.interval_count);
    }
  }
  auto add_moves = [&](const std::vector<MoneyMove>& moves, int64_t MonthFigures::*field,
                       int64_t CurrencyReport::*total) {
    for (const MoneyMove& m : moves) {
      auto it = report.currencies.find(m.currency);
      if (it == report.currencies.end() || !Within(m.at, range)) continue;
      it->second.months[MonthIndex(starts, m.at)].*field += m.amount;
      it->second.*total += m.amount;
    }
  };
  add_moves(in.payments, &MonthFigures::payments, &CurrencyReport::payments);
  add_moves(in.refunds, &MonthFigures::refunds, &CurrencyReport::refunds);
  for (auto& [cur, c] : report.currencies) {
    const std::vector<RecurringTotal>& totals = mrr[cur];
    for (size_t i = 0; i < totals.size(); ++i) c.months[i].mrr = totals[i].Mrr();
    c.mrr = totals.back().Mrr();
    c.arr = totals.back().Arr();
  }
  return report;
}

namespace {

boost::json::object CurrencyView(const CurrencyReport& c) {
  namespace json = boost::json;
  json::object subscribers;
  for (const auto& [status, n] : c.subscribers) subscribers[status] = n;
  json::array months;
  for (const MonthFigures& m : c.months) {
    auto ym = MonthOf(m.start);
    months.push_back(json::object{
        {"month", fmt::format("{:04}-{:02}", static_cast<int>(ym.year()),
                              static_cast<unsigned>(ym.month()))},
        {"mrr", m.mrr},
        {"payments", m.payments},
        {"refunds", m.refunds},
        {"revenue", m.payments - m.refunds}});
  }
  json::value rate = nullptr;
  if (c.went_past_due > 0) rate = (c.recovered * 20000 + c.went_past_due) / (2 * c.went_past_due);
  return {{"mrr", c.mrr},
          {"arr", c.arr},
          {"subscribers", std::move(subscribers)},
          {"new_subscriptions", c.new_subscriptions},
          {"churned", json::object{{"voluntary", c.churned_voluntary},
                                   {"failed_payment", c.churned_failed_payment},
                                   {"total", c.churned_voluntary + c.churned_failed_payment}}},
          {"reactivated", c.reactivated},
          {"recovery", json::object{{"went_past_due", c.went_past_due},
                                    {"recovered", c.recovered},
                                    {"rate_bp", rate}}},
          {"revenue", json::object{{"payments", c.payments},
                                   {"refunds", c.refunds},
                                   {"net", c.payments - c.refunds}}},
          {"months", std::move(months)}};
}

}  // namespace

boost::json::object ReportView(const Report& r) {
  boost::json::object currencies;
  for (const auto& [cur, c] : r.currencies) currencies[cur] = CurrencyView(c);
  return {{"object", "report"},
          {"livemode", r.livemode},
          {"since", FormatRfc3339(r.range.since)},
          {"until", FormatRfc3339(r.range.until)},
          {"now", FormatRfc3339(r.now)},
          {"currencies", std::move(currencies)}};
}

}  // namespace jopay
