// Proration: what a plan change made inside a paid period is worth, in integer minor units.
// Pure arithmetic; plan_change.h decides when it applies, engine_plan_change.h bills it.
//
// A period [start, end) was paid at `old_amount`. A change at `at` (start <= at < end) leaves
// end - at of its end - start seconds unused: that share of the old price is credited, and
// the new plan is charged for the same time (an upgrade), or for a whole new period of its
// own when the change starts one (a change of interval):
//
//   credit = round(old_amount * (end - at) / (end - start))
//   charge = round(new_amount * (end - at) / (end - start))      same interval
//          = new_amount                                          new period from `at`
//
// Rounding: each line on its own, half up (x.5 -> x + 1), because the two lines are what the
// invoice shows and must add up to its total exactly. Each line is within half a minor unit
// of its exact share, so the net is within one minor unit of the exact difference: over any
// run of changes, what the customer paid differs from the time spent on each price by at most
// one minor unit per change. Products are taken in 128 bits: an amount (< 10^12) times a
// period of up to 365 years (~1.2 * 10^10 s) does not fit in 64.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/billing/subscription.h"

namespace jopay {

// `amount` * part / whole, rounded half up. Requires 0 <= part <= whole, whole > 0, amount >= 0.
int64_t ProratedAmount(int64_t amount, int64_t part, int64_t whole);

struct Proration {
  int64_t credit = 0;  // the unused part of the old price (a positive number; the line is -credit)
  int64_t charge = 0;  // the new price for the rest of the period, or for a whole new period
  int64_t net() const { return charge - credit; }
};

// The proration of a change at `at` of a period [start, end) paid at `old_amount`. With
// `new_period` the new plan's price `new_amount` is charged whole (its period starts at `at`);
// otherwise for the unused part. `at` outside [start, end) is clamped into it.
Proration Prorate(int64_t old_amount, int64_t new_amount, UnixSeconds start, UnixSeconds end,
                  UnixSeconds at, bool new_period);

// How a plan compares with the one a subscription is on. An upgrade or a downgrade keeps the
// currency and the billing interval (interval and count) and changes the price of a period,
// so the price per unit of time; a change of interval or currency is its own kind.
enum class ChangeKind { kUpgrade, kDowngrade, kSamePrice, kInterval, kCurrency };
ChangeKind ChangeKindOf(const PlanTerms& from, const PlanTerms& to);
// "upgrade", "downgrade", "same_price", "interval", "currency".
std::string_view ChangeKindName(ChangeKind kind);

}  // namespace jopay
