#include "daemon/billing/proration.h"

#include <algorithm>

namespace jopay {

int64_t ProratedAmount(int64_t amount, int64_t part, int64_t whole) {
  using Wide = __int128;
  // floor((2 * amount * part + whole) / (2 * whole)): half up, in integers only.
  Wide twice = Wide{2} * amount * part + whole;
  return static_cast<int64_t>(twice / (Wide{2} * whole));
}

Proration Prorate(int64_t old_amount, int64_t new_amount, UnixSeconds start, UnixSeconds end,
                  UnixSeconds at, bool new_period) {
  int64_t whole = std::max<int64_t>(1, end - start);
  int64_t unused = std::clamp<int64_t>(end - at, 0, whole);
  Proration p;
  p.credit = ProratedAmount(old_amount, unused, whole);
  p.charge = new_period ? new_amount : ProratedAmount(new_amount, unused, whole);
  return p;
}

ChangeKind ChangeKindOf(const PlanTerms& from, const PlanTerms& to) {
  if (from.currency != to.currency) return ChangeKind::kCurrency;
  if (from.interval != to.interval || from.interval_count != to.interval_count) {
    return ChangeKind::kInterval;
  }
  if (to.amount > from.amount) return ChangeKind::kUpgrade;
  if (to.amount < from.amount) return ChangeKind::kDowngrade;
  return ChangeKind::kSamePrice;
}

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kUpgrade: return "upgrade";
    case ChangeKind::kDowngrade: return "downgrade";
    case ChangeKind::kSamePrice: return "same_price";
    case ChangeKind::kInterval: return "interval";
    case ChangeKind::kCurrency: return "currency";
  }
  return "";
}

}  // namespace jopay
