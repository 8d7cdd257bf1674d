#include "daemon/public/lnbits_fields.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "daemon/billing/subscription.h"

namespace jopay::pub {

namespace {

constexpr int kMaxLimit = 1000;
constexpr int kMaxOffset = 100000;

Result<int> IntParam(const std::map<std::string, std::string>& query, const std::string& name,
                     int min, int max, int fallback) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& s = it->second;
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < min || n > max) {
    return Status::Invalid(fmt::format("{} must be an integer from {} to {}", name, min, max),
                           name);
  }
  return n;
}

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

Result<std::vector<std::string>> ProvidersOfPaymentMethod(std::string_view method) {
  if (method == "card" || method == "stripe") return std::vector<std::string>{"sandbox", "stripe"};
  if (method == "lightning" || method == "onchain" || method == "paypal") {
    return std::vector<std::string>{};
  }
  return Status::Invalid(
      "payment_method must be one of card, stripe, lightning, onchain, paypal", "payment_method");
}

Result<Window> ParseWindow(const std::map<std::string, std::string>& query) {
  auto limit = IntParam(query, "limit", 1, kMaxLimit, 100);
  if (!limit.ok()) return limit.status();
  auto offset = IntParam(query, "offset", 0, kMaxOffset, 0);
  if (!offset.ok()) return offset.status();
  return Window{*limit, *offset};
}

}  // namespace jopay::pub
