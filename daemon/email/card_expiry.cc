#include "daemon/email/card_expiry.h"

#include <fmt/core.h>

#include <ctime>

#include "common/time.h"

namespace jopay::email {

namespace {

struct Candidate {
  bool livemode = false;
  std::string payment_method_id;
  std::string customer_id;
  std::string subscription_id;
  std::string expiry;  // "YYYY-MM"
};

// Cards a subscription will charge again whose expiry month is `first` or `second`.
std::vector<Candidate> Candidates(Db& db, const std::string& first, const std::string& second) {
  auto& q = db.Cached(
      "SELECT s.livemode, pm.id, pm.customer_id, s.id, "
      "printf('%04d-%02d', pm.exp_year, pm.exp_month) AS expiry "
      "FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id "
      "WHERE (s.status = 'active' OR s.status = 'trialing' OR s.status = 'past_due') "
      "AND s.cancel_at_period_end = 0 AND pm.detached_at IS NULL "
      "AND pm.exp_year IS NOT NULL AND pm.exp_month IS NOT NULL "
      "AND (expiry = ?1 OR expiry = ?2) ORDER BY s.rowid");
  q.Args(first, second);
  std::vector<Candidate> out;
  while (q.Step()) out.push_back({q.Int(0) != 0, q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  q.Reset();
  return out;
}

}  // namespace

std::pair<std::string, std::string> NoticeMonths(UnixSeconds t) {
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
  int next_year = month == 12 ? year + 1 : year, next_month = month == 12 ? 1 : month + 1;
  return {fmt::format("{:04}-{:02}", year, month), fmt::format("{:04}-{:02}", next_year, next_month)};
}

std::optional<UnixSeconds> CardExpiryCheck::EarliestDue(Db&) { return next_.value_or(0); }

Status CardExpiryCheck::RunDue(UnixSeconds until, bool use_due_time, UnixSeconds now,
                               Summary& summary) {
  if (next_ && *next_ > until) return Status::Ok();
  // A clock that jumped far ahead is looked at once, at its new time: months skipped over
  // hold cards that have expired already, which a notice no longer helps.
  UnixSeconds at = use_due_time ? until : now;
  next_ = at + kCardCheckEvery;
  auto [first, second] = NoticeMonths(at);
  std::vector<Candidate> found = Candidates(store_.reader(), first, second);
  std::erase_if(found, [this](const Candidate& c) { return off_.Off(c.livemode, "card_expiring"); });
  if (found.empty()) return Status::Ok();
  int64_t made = 0;
  Status st = store_.writer().Run([&](Db& db) {
    UnixSeconds wall = SystemNow();
    for (const Candidate& c : found) {
      made += QueueCardExpiring(db, c.livemode, c.payment_method_id, c.customer_id,
                                c.subscription_id, c.expiry, at, wall);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (made > 0) summary.work["card_expiring_emails"] += made;
  return Status::Ok();
}

}  // namespace jopay::email
