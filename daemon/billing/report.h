// The business report (GET /v1/report, `jopayctl report`): per currency, what the subscriptions
// are worth a month and a year, who subscribes now, and what happened in a period.
//
// Everything is read on a reader connection from three records: the subscriptions' rows, the
// status every subscription event carries (events.data.status is the status after the event,
// so the events of a subscription are its status history, exact to the second), and the
// payments and payment.refunded events (money in, money back). Business time is the billing
// clock's (a manual clock under test), as every stored time is.
//
// Definitions (also in jopayctl(1) and docs/admin-api.md):
//  - Period: since..until, both ends inclusive, to the second. until defaults to now; since to
//    the first instant of the calendar month (UTC) 12 months before until.
//  - MRR as of a time T: the sum over the subscriptions whose status at T is active, past_due
//    or canceled (JoPay's canceled still runs to its period end: Stripe's "active, cancels at
//    period end", which Stripe's MRR counts too) of the amount it billed at T (its events
//    carry its terms: a plan change moves it, also to another currency) normalized to a month:
//    month amount/n, year amount/(12n), week amount*52/(12n), day amount*365/(12n), for n
//    intervals a period. Summed exactly (integers and one common denominator) and rounded once,
//    half up, to minor units. trialing, paused, incomplete and expired count nothing. ARR is
//    12 x the exact MRR, rounded once the same way (so it may differ from 12 x the rounded MRR
//    by up to 6 minor units). The headline MRR is as of until; each month's is as of its last
//    second (or until, for until's month).
//  - Subscribers: every subscription by its status now (the rows as they are).
//  - New: subscription.created in the period (sign-ups, trials included; imports are moves
//    from another system, not sign-ups, and have no such event).
//  - Churned: subscription.expired in the period: voluntary when it was canceled (by the
//    customer, the operator or a plan's archiving; canceled_at is set), failed_payment when
//    dunning ran out. An incomplete subscription that never started ends unannounced and is
//    not churn.
//  - Reactivated: subscriptions resumed from a pause in the period (subscription.resumed).
//    JoPay has no way back from canceled or expired: a returning customer subscribes anew.
//  - Recovery: of the subscriptions that went past_due in the period, those that were active
//    again by until; the rate in basis points (1/100 %), rounded half up.
//  - Revenue per calendar month (UTC) within the period: payments paid in it minus money
//    refunded in it (each payment.refunded event gives back what its amount_refunded grew by,
//    whichever way the refund came: jopayctl, or the provider's dashboard).
//
// Subscriptions imported with `subscriptions import` have no events before their first change;
// before it, their status is read from what that change must have changed (a renewal, a
// cancellation, a failure or a pause from a running subscription; a resume from a paused one).
// That is exact for everything jopayd started itself and the one reading the record allows
// for imports.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/period.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

// The period a report covers, both ends inclusive.
struct ReportRange {
  UnixSeconds since = 0;
  UnixSeconds until = 0;
};

// The longest period a report covers: 10 years of months (each month is one MRR point).
inline constexpr int kReportMaxMonths = 121;

// The period from the query's texts ("" = absent; RFC 3339 or a bare date). until defaults to
// `now`, since to the start of the month 12 months before until. kInvalid naming the parameter
// when a time does not parse, lies before 1970 or after `now` (a report cannot see the
// future), when since is not before until, or when the period spans more than
// kReportMaxMonths calendar months.
Result<ReportRange> ParseReportRange(std::string_view since, std::string_view until,
                                     UnixSeconds now);

// A sum of recurring amounts normalized to a month, kept exact: numerators per interval count
// over the common denominator 12 x count, so nothing is rounded until Mrr() or Arr().
class RecurringTotal {
 public:
  // Requires amount >= 0 and count >= 1.
  void Add(int64_t amount, Interval interval, int count);
  int64_t Mrr() const;  // rounded half up to minor units
  int64_t Arr() const;  // 12 x the exact MRR, rounded half up

 private:
  int64_t Rounded(int64_t scale) const;
  std::map<int, __int128> twelfths_by_count_;  // count -> sum of amount x periods per year
};

// What a subscription bills, as MRR counts it.
struct RecurringTerms {
  int64_t amount = 0;
  std::string currency;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  bool operator==(const RecurringTerms&) const = default;
};

// One change of a subscription's status or terms, from its events: the first event and every
// later one whose status or terms (a plan change) differ from the one before.
struct StatusChange {
  UnixSeconds at = 0;
  std::string type;      // "subscription.created", ...
  std::string status;    // after the event
  RecurringTerms terms;  // after the event
  std::optional<RecurringTerms> previous;  // a plan change's previous_plan
};

struct SubscriptionHistory {
  std::string id;
  std::string currency;  // now (its subscribers' count); MRR takes each time's terms
  std::string status;    // now
  int64_t amount = 0;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  UnixSeconds created_at = 0;
  bool canceled = false;               // canceled_at is set
  std::vector<StatusChange> changes;  // oldest first, none after the period's until
};

// Money paid (a payment's amount at paid_at) or given back (at the refund event).
struct MoneyMove {
  std::string currency;
  UnixSeconds at = 0;
  int64_t amount = 0;
};

struct ReportInput {
  std::vector<SubscriptionHistory> subscriptions;
  std::vector<MoneyMove> payments;  // within the period
  std::vector<MoneyMove> refunds;   // within the period
  std::string currency;             // the one asked for; "" = every currency found
};

struct MonthFigures {
  UnixSeconds start = 0;  // the month's first instant (the period's months: first may be cut)
  int64_t mrr = 0;        // as of the month's last second, or until
  int64_t payments = 0;
  int64_t refunds = 0;
};

struct CurrencyReport {
  int64_t mrr = 0;
  int64_t arr = 0;
  std::map<std::string, int64_t, std::less<>> subscribers;  // status -> count, now
  int64_t new_subscriptions = 0;
  int64_t churned_voluntary = 0;
  int64_t churned_failed_payment = 0;
  int64_t reactivated = 0;
  int64_t went_past_due = 0;
  int64_t recovered = 0;
  int64_t payments = 0;
  int64_t refunds = 0;
  std::vector<MonthFigures> months;
};

struct Report {
  bool livemode = false;
  ReportRange range;
  UnixSeconds now = 0;
  std::map<std::string, CurrencyReport> currencies;
};

// The report of `in` over `range` (the definitions above). Pure: no store, no clock.
Report ComputeReport(const ReportInput& in, const ReportRange& range);

// What ComputeReport needs, read from the store in one read transaction: the subscriptions of
// the mode (of `currency` only unless it is ""), their status changes up to until, and the
// payments and refunds of the period. report_rows.cc.
ReportInput LoadReportInput(Db& db, bool livemode, const std::string& currency,
                            const ReportRange& range);

// The answer of GET /v1/report.
boost::json::object ReportView(const Report& r);

}  // namespace jopay
