// Pure translations between JoPay's terms and the spellings of the LNbits-style (/api/v1,
// /public) and Eventop-style (/eventop/checkout) APIs. No store access: unit-tested in
// lnbits_fields_test.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/period.h"
#include "common/status.h"

namespace jopay::pub {

// "daily", "weekly", "monthly", "yearly": LNbits' spelling of a plan's interval unit
// (ParseInterval accepts these and day/week/month/year alike).
std::string_view LnbitsIntervalName(Interval interval);

// Eventop's paymentInterval in seconds for `count` intervals: day 86400, week 604800, and,
// as calendar units have no fixed length, month = 30 days (2592000, the reference's example)
// and year = 365 days (31536000).
int64_t IntervalSeconds(Interval interval, int count);

// A subscription status filter: JoPay's spellings plus LNbits' "cancelled" (-> "canceled").
// Anything else -> Status::Invalid naming "status".
Result<std::string> ParseSubscriptionStatus(std::string_view status);

// How a payment was made, as LNbits names it: "card" for card providers (the sandbox,
// Stripe), else the provider's own name.
std::string PaymentMethodOfProvider(std::string_view provider);
// A payment_method filter: "card" (also "stripe"), "lightning", "onchain" or "paypal", as
// LnbitsPaymentView names a payment's method. Anything else -> Status::Invalid naming
// "payment_method".
Result<std::string> ParsePaymentMethodFilter(std::string_view method);

// A list window of /api/v1: `limit` (1..1000, default 100) and `offset` (0..100000, default 0).
struct Window {
  int limit = 100;
  int offset = 0;
};
Result<Window> ParseWindow(const std::map<std::string, std::string>& query);

}  // namespace jopay::pub
