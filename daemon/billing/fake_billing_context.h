// Test support for the subscription rules' unit tests: a BillingContext that records what
// the rules asked for, and a few fixtures.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "daemon/billing/renewal.h"

namespace jopay::testing {

// Records what the rules asked for; charges succeed unless told otherwise.
class FakeContext : public BillingContext {
 public:
  std::deque<bool> outcomes;  // next charge results; empty = paid
  std::vector<ChargeRequest> charges;
  std::vector<std::string> events;
  std::vector<EventExtras> extras;

  ChargeOutcome Charge(const Subscription&, const ChargeRequest& r) override {
    charges.push_back(r);
    bool paid = true;
    if (!outcomes.empty()) {
      paid = outcomes.front();
      outcomes.pop_front();
    }
    return paid ? ChargeOutcome::Paid() : ChargeOutcome::Failed("card_declined", "declined");
  }
  void Emit(const Subscription&, std::string_view type, const EventExtras& x) override {
    events.emplace_back(type);
    extras.push_back(x);
  }
};

inline constexpr UnixSeconds kJan31 = 1738317600;  // 2025-01-31T10:00:00Z
inline constexpr int64_t kDay = 86400;

inline Subscription NewSub() {
  Subscription s;
  s.id = "sub_test";
  s.amount = 1499;
  s.currency = "eur";
  s.interval = Interval::kMonth;
  s.interval_count = 1;
  s.payment_method_id = "pm_test";
  return s;
}

// Runs every action due up to `until`, each at its due time (what the manual clock does).
inline Summary RunUntil(Subscription& s, UnixSeconds until, FakeContext& ctx, const Policy& policy = {}) {
  Summary sum;
  while (s.next_action_at && *s.next_action_at <= until) {
    RunDueAction(s, *s.next_action_at, policy, ctx, sum);
  }
  return sum;
}

}  // namespace jopay::testing
