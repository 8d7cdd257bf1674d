// What the business report reads from the store (report.h LoadReportInput): read-only
// aggregate queries over subscriptions, events and payments, on a reader connection.
#include "daemon/billing/report.h"

namespace jopay {

namespace {

// One read transaction: the three reads see the same committed state.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db) : db_(db) { db_.Exec("BEGIN"); }
  ~ReadSnapshot() {
    try {
      db_.Exec("COMMIT");
    } catch (const DbError&) {  // a read transaction has nothing to lose
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db& db_;
};

// Every subscription of the mode: one in another currency now may have billed in the asked one
// before a plan change.
std::vector<SubscriptionHistory> LoadSubscriptions(Db& db, bool livemode) {
  auto& q = db.Cached(
      "SELECT id, currency, status, amount, interval, interval_count, created_at, "
      "canceled_at IS NOT NULL FROM subscriptions WHERE livemode = ?1 ORDER BY id");
  q.Args(int64_t{livemode});
  std::vector<SubscriptionHistory> out;
  while (q.Step()) {
    SubscriptionHistory h;
    h.id = q.Text(0);
    h.currency = q.Text(1);
    h.status = q.Text(2);
    h.amount = q.Int(3);
    auto interval = ParseInterval(q.Text(4));
    h.interval = interval.ok() ? *interval : Interval::kMonth;  // the schema allows no other
    h.interval_count = static_cast<int>(q.Int(5));
    h.created_at = q.Int(6);
    h.canceled = q.Int(7) != 0;
    out.push_back(std::move(h));
  }
  q.Reset();
  return out;
}

// Terms from four columns from `i` on (amount, currency, interval, interval_count).
RecurringTerms TermsAt(Stmt& q, int i) {
  auto interval = ParseInterval(q.Text(i + 2));
  return {q.Int(i), q.Text(i + 1), interval.ok() ? *interval : Interval::kMonth,
          static_cast<int>(q.Int(i + 3))};
}

// Attaches each subscription's status and terms changes up to `until` (both lists ordered by
// id).
void LoadStatusChanges(Db& db, bool livemode, UnixSeconds until,
                       std::vector<SubscriptionHistory>& subs) {
  // The status and terms after each subscription event, and the ones before it (lag): only
  // the events that changed them are read into memory (a renewal of an active subscription
  // changes neither). A plan change carries the terms it left (previous_plan).
  auto& q = db.Cached(
      "SELECT object_id, created_at, type, status, json_extract(terms, '$[0]'), "
      "       json_extract(terms, '$[1]'), json_extract(terms, '$[2]'), "
      "       json_extract(terms, '$[3]'), previous_plan IS NOT NULL, "
      "       json_extract(previous_plan, '$.amount'), json_extract(previous_plan, '$.currency'), "
      "       json_extract(previous_plan, '$.interval'), "
      "       json_extract(previous_plan, '$.interval_count') FROM ("
      "  SELECT *, lag(status) OVER w AS status_before, lag(terms) OVER w AS terms_before FROM ("
      // One json_extract of several paths reads the event's JSON once; it answers an array.
      "    SELECT object_id, created_at, type, sequence, pk, "
      "           json_extract(data, '$.status') AS status, "
      "           json_extract(data, '$.amount_cents', '$.currency', '$.plan_interval', "
      "             '$.interval_count') AS terms, "
      "           json_extract(data, '$.previous_plan') AS previous_plan "
      "    FROM events WHERE livemode = ?1 AND type LIKE 'subscription.%' AND created_at <= ?2)"
      "  WINDOW w AS (PARTITION BY object_id ORDER BY sequence, pk)) "
      "WHERE status_before IS NULL OR status_before IS NOT status OR terms_before IS NOT terms "
      "ORDER BY object_id, sequence, pk");
  q.Args(int64_t{livemode}, until);
  auto sub = subs.begin();
  while (q.Step()) {
    std::string id = q.Text(0);
    while (sub != subs.end() && sub->id < id) ++sub;
    if (sub == subs.end()) break;
    if (sub->id != id) continue;  // a subscription no longer stored
    StatusChange ch{q.Int(1), q.Text(2), q.Text(3), TermsAt(q, 4), std::nullopt};
    if (q.Int(8) != 0) ch.previous = TermsAt(q, 9);
    sub->changes.push_back(std::move(ch));
  }
  q.Reset();
}

std::vector<MoneyMove> Moves(Stmt& q) {
  std::vector<MoneyMove> out;
  while (q.Step()) out.push_back({q.Text(0), q.Int(1), q.Int(2)});
  q.Reset();
  return out;
}

// Paid charges of the period (a refunded payment was paid too).
std::vector<MoneyMove> LoadPayments(Db& db, bool livemode, const std::string& currency,
                                    const ReportRange& r) {
  auto& q = db.Cached(
      "SELECT currency, paid_at, amount FROM payments WHERE livemode = ?1 AND "
      "(status = 'paid' OR status = 'refunded') AND paid_at BETWEEN ?2 AND ?3 AND "
      "(?4 = '' OR currency = ?4)");
  q.Args(int64_t{livemode}, r.since, r.until, currency);
  return Moves(q);
}

// Money given back in the period: what each payment.refunded event added to its payment's
// amount_refunded (the events carry the running total).
std::vector<MoneyMove> LoadRefunds(Db& db, bool livemode, const std::string& currency,
                                   const ReportRange& r) {
  auto& q = db.Cached(
      "SELECT currency, created_at, refunded - coalesce(before, 0) FROM ("
      "  SELECT json_extract(data, '$.currency') AS currency, created_at, "
      "         json_extract(data, '$.amount_refunded') AS refunded, "
      "         lag(json_extract(data, '$.amount_refunded')) OVER (PARTITION BY object_id "
      "           ORDER BY sequence, pk) AS before "
      "  FROM events WHERE livemode = ?1 AND type = 'payment.refunded') "
      "WHERE created_at BETWEEN ?2 AND ?3 AND (?4 = '' OR currency = ?4)");
  q.Args(int64_t{livemode}, r.since, r.until, currency);
  return Moves(q);
}

}  // namespace

ReportInput LoadReportInput(Db& db, bool livemode, const std::string& currency,
                            const ReportRange& range) {
  ReadSnapshot snapshot(db);
  ReportInput in;
  in.currency = currency;
  in.subscriptions = LoadSubscriptions(db, livemode);
  LoadStatusChanges(db, livemode, range.until, in.subscriptions);
  in.payments = LoadPayments(db, livemode, currency, range);
  in.refunds = LoadRefunds(db, livemode, currency, range);
  return in;
}

}  // namespace jopay
