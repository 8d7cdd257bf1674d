#include "daemon/providers/solana/provider.h"

#include <fmt/core.h>

#include "daemon/providers/solana/account.h"

namespace jopay::solana {

namespace json = boost::json;

namespace {

Status NoCardNumbers() {
  return Status::Invalid("Eventop subscriptions are paid on chain; card numbers are not taken.",
                         "card", "card_numbers_not_accepted");
}

}  // namespace

Result<SavedCard> ChainProvider::Attach(std::string_view) { return NoCardNumbers(); }

ChargeOutcome ChainProvider::Charge(std::string_view, int64_t, std::string_view,
                                    std::string_view) {
  // Never asked: a network provider's charges go through the charge sender.
  return ChargeOutcome::Failed("provider_unavailable", "Solana charges are read off the writer.");
}

void ChainProvider::SendCharge(const ChargeIntent& intent, AnswerFn done) {
  std::string account = intent.provider_method;
  if (account.empty()) {  // the method is gone (LoadSavedCard found none)
    ChargeAnswer a;
    a.kind = ChargeAnswer::Kind::kDeclined;
    a.failure_code = "no_payment_method";
    a.failure_message = "The subscription has no Eventop subscription account.";
    return done(a);
  }
  rpc_.Call("getAccountInfo", AccountInfoParams(account),
            [account, done = std::move(done)](Result<json::value> r) {
              if (r.ok()) return done(AccountAnswer(*r, account));
              ChargeAnswer unknown;
              unknown.kind = ChargeAnswer::Kind::kUnknown;
              unknown.detail = "getAccountInfo: " + r.status().message();
              done(unknown);
            });
}

void ChainProvider::SendRefund(const RefundIntent&, AnswerFn done) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kDeclined;
  a.failure_code = "refund_not_supported";
  a.failure_message =
      "Eventop payments are made on chain; refund the customer's wallet from the merchant's.";
  done(a);
}

Result<SavedCard> SandboxChainProvider::Attach(std::string_view) { return NoCardNumbers(); }

ChargeOutcome SandboxChainProvider::Charge(std::string_view provider_ref, int64_t,
                                           std::string_view, std::string_view) {
  ChargeOutcome paid = ChargeOutcome::Paid();
  paid.provider_ref = fmt::format("solana:{}:sandbox", provider_ref);
  return paid;
}

}  // namespace jopay::solana
