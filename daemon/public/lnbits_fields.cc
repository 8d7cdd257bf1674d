#include "daemon/public/lnbits_fields.h"

#include <fmt/core.h>

#include <algorithm>

#include "daemon/billing/subscription.h"
#include "daemon/http/message.h"

namespace jopay::pub {

namespace {

constexpr int kMaxLimit = 1000;
constexpr int kMaxOffset = 100000;


}  // namespace

std::string_view LnbitsIntervalName(Interval interval) {
  switch (interval) {
    case Interval::kDay: return "daily";
    case Interval::kWeek: return "weekly";
    case Interval::kMonth: return "monthly";
    case Interval::kYear: return "yearly";
  }
  return "monthly";
}

int64_t IntervalSeconds(Interval interval, int count) {
  int64_t unit = 0;
  switch (interval) {
    case Interval::kDay: unit = 86400; break;
    case Interval::kWeek: unit = 7 * 86400; break;
    case Interval::kMonth: unit = 30 * 86400; break;
    case Interval::kYear: unit = 365 * 86400; break;
  }
  return unit * count;
}

Result<std::string> ParseSubscriptionStatus(std::string_view status) {
  if (status == "cancelled") return std::string(sub_status::kCanceled);
  if (std::find(std::begin(sub_status::kAll), std::end(sub_status::kAll), status) !=
      std::end(sub_status::kAll)) {
    return std::string(status);
  }
  return Status::Invalid(
      "status must be one of incomplete, trialing, active, past_due, canceled (or cancelled), "
      "paused, expired",
      "status");
}

std::string PaymentMethodOfProvider(std::string_view provider) {
  if (provider == "sandbox" || provider == "stripe") return "card";
  return std::string(provider);
}

Result<std::string> ParsePaymentMethodFilter(std::string_view method) {
  if (method == "card" || method == "stripe") return std::string("card");
  if (method == "lightning" || method == "onchain" || method == "paypal") {
    return std::string(method);
  }
  return Status::Invalid(
      "payment_method must be one of card, stripe, lightning, onchain, paypal", "payment_method");
}

Result<Window> ParseWindow(const std::map<std::string, std::string>& query) {
  auto limit = http::QueryInt(query, "limit", 1, kMaxLimit, 100);
  if (!limit.ok()) return limit.status();
  auto offset = http::QueryInt(query, "offset", 0, kMaxOffset, 0);
  if (!offset.ok()) return offset.status();
  return Window{static_cast<int>(*limit), static_cast<int>(*offset)};
}

}  // namespace jopay::pub
