// POST /eventop/checkout/{id}/complete: Eventop's wallet app completes a session with the
// on-chain proof {subscriptionPda, userWallet, signature} (checkout/onchain.h). No API key, as
// in Eventop's reference (the customer's app holds none): the unguessable session id is the
// capability, as for the hosted page, and the proof is believed only once an RPC node shows it
// (test mode without a node: any well-formed proof, the sandbox).
//
// Order, so that a refusal changes nothing and the RPC is never asked inside a transaction:
// the body is checked; the session is read and checked on a reader (a repeat of a completed
// call answers from here, without the RPC); the proof is checked on chain (solana/rpc.h, on
// the HTTP client's thread); then a writer job checks the session again and completes it.
#include <boost/url/url.hpp>
#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/checkout/onchain.h"
#include "daemon/providers/solana/base58.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

Result<solana::ChainProof> ParseProof(const json::object& body) {
  JOPAY_RETURN_IF_ERROR(RejectUnknown(body, {"subscriptionPda", "userWallet", "signature"}));
  std::optional<std::string> pda, wallet, signature;
  JOPAY_RETURN_IF_ERROR(GetString(body, "subscriptionPda", pda, 128));
  JOPAY_RETURN_IF_ERROR(GetString(body, "userWallet", wallet, 128));
  JOPAY_RETURN_IF_ERROR(GetString(body, "signature", signature, 128));
  JOPAY_RETURN_IF_ERROR(Require(pda.has_value(), "subscriptionPda"));
  JOPAY_RETURN_IF_ERROR(Require(wallet.has_value(), "userWallet"));
  JOPAY_RETURN_IF_ERROR(Require(signature.has_value(), "signature"));
  JOPAY_RETURN_IF_ERROR(solana::CheckPubkey(*pda, "subscriptionPda"));
  JOPAY_RETURN_IF_ERROR(solana::CheckPubkey(*wallet, "userWallet"));
  JOPAY_RETURN_IF_ERROR(solana::CheckSignature(*signature, "signature"));
  return solana::ChainProof{*signature, *pda, *wallet};
}

// Session ids name their mode nowhere and the call takes no key: look in test, then live.
Result<Session> FindSession(Db& db, const std::string& id) {
  auto s = LoadSession(db, id, false);
  if (s.ok() || s.status().kind() != Status::Kind::kNotFound) return s;
  s = LoadSession(db, id, true);
  if (s.ok()) return s;
  return Status::Make(s.status().kind(), s.status().code(), s.status().message(), "sessionId");
}

// The merchant's success URL with ?session_id= (or &session_id=) as Eventop appends it.
std::string SuccessUrl(const Session& s) {
  boost::urls::url url(s.success_url);  // the session's create call validated it
  url.params().append({"session_id", s.id});
  return std::string(url.buffer());
}

http::Response Answer(const Session& s, const solana::ChainProof& proof) {
  return http::JsonResponse(200, json::object{{"sessionId", s.id},
                                              {"status", s.status},
                                              {"subscriptionPda", proof.account},
                                              {"successUrl", SuccessUrl(s)}});
}

void Complete(Context& c, const Session& s, const solana::ChainProof& proof,
              http::Respond respond) {
  auto done = std::make_shared<Session>();
  c.store.writer().Submit(
      [&c, done, proof, live = s.livemode, id = s.id, now = c.clock.Now()](Db& db) {
        bool already = false;
        return CompleteOnChain(db, c.engine, live, id, proof, now, done.get(), &already);
      },
      [respond, done, proof](Status st) {
        respond(st.ok() ? Answer(*done, proof) : ErrorAnswer(st));
      });
}

// The proof on chain, then the completion; live mode without a node refuses.
void ProveThenComplete(Context& c, const Session& s, const solana::ChainProof& proof,
                       http::Respond respond) {
  solana::Rpc* rpc = c.solana ? c.solana->For(s.livemode) : nullptr;
  if (!rpc && s.livemode) {
    return respond(ErrorAnswer(Status::Invalid(
        "Live mode has no Solana RPC configured (solana-rpc-url): an on-chain proof cannot be "
        "checked, so nothing was completed.",
        "", "provider_unavailable")));
  }
  if (!rpc) return Complete(c, s, proof, std::move(respond));  // test mode: the sandbox
  rpc->Verify(proof, [&c, s, proof, respond](Status st) {
    if (!st.ok()) return respond(ErrorAnswer(st));
    Complete(c, s, proof, respond);
  });
}

void CompleteRoute(Context& c, http::Request& req, http::Respond respond) {
  if (Status st = RequireJsonBody(req); !st.ok()) return respond(ErrorAnswer(st));
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(ErrorAnswer(body.status()));
  auto proof = ParseProof(*body);
  if (!proof.ok()) return respond(ErrorAnswer(proof.status()));
  Db& db = c.store.reader();
  auto s = FindSession(db, req.params["id"]);
  if (!s.ok()) return respond(ErrorAnswer(s.status()));
  bool already = false;
  Status st = CheckCompletableOnChain(db, *s, *proof, c.clock.Now(), &already);
  if (!st.ok()) return respond(ErrorAnswer(st));
  if (already) return respond(Answer(*s, *proof));
  ProveThenComplete(c, *s, *proof, std::move(respond));
}

}  // namespace

void AddEventopCompleteRoute(http::Router& r, Context& c) {
  AddOpenRoute(r, c, "POST", "/eventop/checkout/{id}/complete", CompleteRoute);
}

}  // namespace jopay::pub
