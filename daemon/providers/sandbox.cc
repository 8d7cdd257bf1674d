#include "daemon/providers/sandbox.h"

#include <algorithm>
#include <cctype>

namespace jopay {

namespace {

constexpr std::string_view kSucceeds = "sandbox_ok";
constexpr std::string_view kChargesFail = "sandbox_charges_fail";

struct RefusedCard {
  std::string_view number;
  std::string_view code;
  std::string_view message;
};
constexpr RefusedCard kRefused[] = {
    {"4000000000000002", "card_declined", "Your card was declined."},
    {"4000000000009995", "insufficient_funds", "Your card has insufficient funds."},
    {"4000000000000069", "expired_card", "Your card has expired."},
};

std::string DigitsOnly(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::string CardBrand(std::string_view d) {
  if (d.starts_with("4")) return "visa";
  if (d.starts_with("34") || d.starts_with("37")) return "amex";
  if (d.starts_with("6011") || d.starts_with("65")) return "discover";
  if (d.size() >= 2 && ((d[0] == '5' && d[1] >= '1' && d[1] <= '5') || d.starts_with("2"))) {
    return "mastercard";
  }
  return "unknown";
}

Result<SavedCard> SandboxProvider::Attach(std::string_view card_number) {
  std::string d = DigitsOnly(card_number);
  bool digits = !d.empty() && std::all_of(d.begin(), d.end(), [](unsigned char c) {
    return std::isdigit(c);
  });
  if (!digits || d.size() < 13 || d.size() > 19 || !LuhnValid(d)) {
    return Status::Invalid("The card number is not a valid card number.", "card",
                           "incorrect_number");
  }
  for (const auto& r : kRefused) {
    if (d == r.number) return Status::PaymentFailed(std::string(r.code), std::string(r.message));
  }
  std::string ref(d == "4000000000000341" ? kChargesFail : kSucceeds);
  SavedCard card;
  card.provider = "sandbox";
  card.provider_ref = ref;
  card.brand = CardBrand(d);
  card.last4 = d.substr(d.size() - 4);
  return card;
}

ChargeOutcome SandboxProvider::Charge(std::string_view provider_ref, int64_t, std::string_view,
                                      std::string_view) {
  if (provider_ref == kSucceeds) return ChargeOutcome::Paid();
  if (provider_ref == kChargesFail) return ChargeOutcome::Failed("card_declined", "Your card was declined.");
  return ChargeOutcome::Failed("payment_method_unusable", "The saved payment method cannot be charged.");
}

}  // namespace jopay
