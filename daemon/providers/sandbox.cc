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

// "NUMBER MM/YY" (or MM/YYYY): the card's expiry, split off `card_number`. Without one a test
// card expires 12/2034. Kept like a provider's: the card_expiring email reads it.
Status TakeExpiry(std::string_view& card_number, SavedCard& card) {
  card.exp_month = 12;
  card.exp_year = 2034;
  size_t slash = card_number.rfind('/');
  if (slash == std::string_view::npos) return Status::Ok();
  size_t space = card_number.rfind(' ', slash);
  std::string_view mm = card_number.substr(space == std::string_view::npos ? 0 : space + 1,
                                           slash - (space == std::string_view::npos ? 0 : space + 1));
  std::string_view yy = card_number.substr(slash + 1);
  auto number = [](std::string_view s, int& out) {
    if (s.empty() || s.size() > 4) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return true;
  };
  if (space == std::string_view::npos || !number(mm, card.exp_month) ||
      !number(yy, card.exp_year) || card.exp_month < 1 || card.exp_month > 12 ||
      (yy.size() != 2 && yy.size() != 4)) {
    return Status::Invalid("The expiry must follow the card number as MM/YY.", "card",
                           "invalid_expiry");
  }
  if (yy.size() == 2) card.exp_year += 2000;
  card_number = card_number.substr(0, space);
  return Status::Ok();
}

Result<SavedCard> SandboxProvider::Attach(std::string_view card_number) {
  SavedCard card;
  JOPAY_RETURN_IF_ERROR(TakeExpiry(card_number, card));
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
