// Completing a session by an on-chain proof (onchain.h): the checks, the completion through
// the provider path, and the proof's columns (migration "Eventop on-chain completion").
#include <fmt/core.h>

#include "daemon/checkout/onchain.h"

namespace jopay {

namespace {

// Another session of this mode completed by `signature`, if any.
std::optional<std::string> SessionOfSignature(Db& db, bool livemode, const std::string& signature) {
  auto& q = db.Cached("SELECT id FROM checkout_sessions WHERE livemode=? AND chain_signature=?");
  q.Args(int64_t{livemode}, signature);
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  return id;
}

void SaveChainProof(Db& db, const std::string& id, const solana::ChainProof& p) {
  db.Cached("UPDATE checkout_sessions SET chain_signature=?, chain_account=?, chain_wallet=? "
            "WHERE id=?")
      .Args(p.signature, p.account, p.wallet, id)
      .Exec();
}

Status NotCompletable(const Session& s, UnixSeconds now) {
  if (s.status == session_status::kCompleted) {
    return Status::Conflict(fmt::format("Session {} is already completed, by another proof.", s.id),
                            "session_completed");
  }
  if (s.status == session_status::kExpired ||
      (s.status == session_status::kPending && now >= s.expires_at)) {
    return Status::Conflict(fmt::format("Session {} has expired.", s.id), "session_expired");
  }
  return Status::Conflict(fmt::format("Session {} is {}.", s.id, s.status), "session_not_pending");
}

// The proof as a provider's settled checkout: the account is the saved method, and the
// transaction pays the first period unless the subscription starts with a trial.
ProviderCheckout SettledBy(const Session& s, const solana::ChainProof& p, int trial_days) {
  ProviderCheckout paid;
  paid.provider_session = p.signature;
  paid.jopay_object = s.id;
  paid.card.provider = "solana";
  paid.card.provider_ref = p.account;
  paid.card.brand = "solana";
  paid.card.last4 = p.account.substr(p.account.size() - 4);
  paid.card.provider_customer = p.wallet;
  if (trial_days == 0) paid.charge_ref = p.signature;
  paid.amount_paid = s.amount;
  paid.currency = s.currency;
  return paid;
}

}  // namespace

std::optional<solana::ChainProof> LoadChainProof(Db& db, const std::string& id) {
  auto& q = db.Cached("SELECT chain_signature, chain_account, chain_wallet FROM checkout_sessions "
                      "WHERE id=? AND chain_signature IS NOT NULL");
  q.Args(id);
  std::optional<solana::ChainProof> proof;
  if (q.Step()) proof = solana::ChainProof{q.Text(0), q.Text(1), q.Text(2)};
  q.Reset();
  return proof;
}

Status CheckCompletableOnChain(Db& db, const Session& s, const solana::ChainProof& proof,
                               UnixSeconds now, bool* already) {
  *already = false;
  if (s.status == session_status::kCompleted && LoadChainProof(db, s.id) == proof) {
    *already = true;
    return Status::Ok();
  }
  if (!s.subscription_mode()) {
    return Status::Conflict(fmt::format("Session {} sells no subscription: an on-chain proof "
                                        "cannot complete it.", s.id),
                            "session_not_subscription");
  }
  if (!s.Payable(now)) return NotCompletable(s, now);
  if (auto other = SessionOfSignature(db, s.livemode, proof.signature)) {
    return Status::Conflict(fmt::format("The transaction {} already completed session {}; a "
                                        "signature completes one session only.",
                                        proof.signature, *other),
                            "signature_already_used");
  }
  if (!s.customer_email) {
    return Status::Invalid(fmt::format("Session {} has no customer email to subscribe.", s.id),
                           "customerEmail", "parameter_missing");
  }
  return Status::Ok();
}

Status CompleteOnChain(Db& db, Engine& engine, bool livemode, const std::string& id,
                       const solana::ChainProof& proof, UnixSeconds now, Session* out,
                       bool* already) {
  auto s = LoadSession(db, id, livemode);
  if (!s.ok()) return s.status();
  JOPAY_RETURN_IF_ERROR(CheckCompletableOnChain(db, *s, proof, now, already));
  if (*already) {
    *out = std::move(*s);
    return Status::Ok();
  }
  bool raced = false;  // CompleteWithProvider's own "already": cannot be, it was pending above
  ProviderCheckout paid = SettledBy(*s, proof, TrialDaysOf(db, *s));
  JOPAY_RETURN_IF_ERROR(CompleteWithProvider(db, engine, livemode, id, paid, now, out, &raced));
  SaveChainProof(db, id, proof);
  return Status::Ok();
}

}  // namespace jopay
