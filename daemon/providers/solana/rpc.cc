#include "daemon/providers/solana/rpc.h"

#include <fmt/core.h>

namespace jopay::solana {

namespace json = boost::json;

namespace {

// 10 s: a wallet app waits on the answer; a healthy node answers getTransaction in well under
// a second, and a slow one is better reported than waited for.
constexpr std::chrono::milliseconds kTimeout{10000};

Status Unavailable(std::string_view why) {
  return Status::Unavailable(fmt::format("The Solana RPC could not be asked ({}); nothing was "
                                         "completed. Try again shortly.", why));
}

Result<json::value> ResultOf(const http::OutgoingResult& r) {
  if (r.status == 0) return Unavailable(r.error);
  if (r.status != 200) return Unavailable(fmt::format("HTTP {}", r.status));
  boost::system::error_code ec;
  json::value body = json::parse(r.body, ec);
  if (ec || !body.is_object()) return Unavailable("the answer is not JSON");
  const json::object& o = body.as_object();
  if (const json::value* e = o.if_contains("error"); e && !e->is_null()) {
    const json::value* message = e->is_object() ? e->as_object().if_contains("message") : nullptr;
    return Unavailable(message && message->is_string() ? std::string(message->as_string())
                                                       : std::string("an error answer"));
  }
  const json::value* result = o.if_contains("result");
  if (!result) return Unavailable("no result");
  return *result;
}

}  // namespace

Rpc::Rpc(std::string url, bool livemode)
    : url_(std::move(url)),
      livemode_(livemode),
      client_(http::ClientOptions{8, kTimeout, 512, livemode ? "solana-live" : "solana-test"}) {}

Rpc::~Rpc() { client_.Stop(); }

void Rpc::Call(const std::string& method, json::array params, Done done) {
  auto url = http::ParseOutgoingUrl(url_);
  if (!url.ok()) return done(Unavailable("solana-rpc-url is not a usable URL"));
  http::OutgoingRequest req;
  req.pool = livemode_ ? "solana-live" : "solana-test";
  req.url = std::move(*url);
  req.live = livemode_;
  req.allow_private = true;  // the operator's own node may well be on their network
  req.keep_body = true;
  req.body = json::serialize(json::object{
      {"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}});
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", std::string("JoPay/") + JOPAY_VERSION}};
  client_.Send(std::move(req),
               [done = std::move(done)](http::OutgoingResult r) { done(ResultOf(r)); });
}

void Rpc::Verify(const ChainProof& proof, std::function<void(Status)> done) {
  json::object config{{"commitment", "confirmed"},
                      {"encoding", "jsonParsed"},
                      {"maxSupportedTransactionVersion", 0}};
  Call("getTransaction", json::array{json::value(proof.signature), config},
       [this, proof, done = std::move(done)](Result<json::value> tx) {
         if (!tx.ok()) return done(tx.status());
         if (!tx->is_null()) return done(CheckTransaction(*tx, proof));
         json::array statuses{json::array{json::value(proof.signature)},
                              json::object{{"searchTransactionHistory", true}}};
         Call("getSignatureStatuses", std::move(statuses), [done](Result<json::value> st) {
           if (!st.ok()) return done(st.status());
           const json::value* value =
               st->is_object() ? st->as_object().if_contains("value") : nullptr;
           if (!value || !value->is_array() || value->as_array().size() != 1) {
             return done(Unavailable("getSignatureStatuses answered no status"));
           }
           done(ExplainMissing(value->as_array()[0]));
         });
       });
}

}  // namespace jopay::solana
