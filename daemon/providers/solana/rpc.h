// A Solana JSON-RPC node as jopayd asks it (solana-rpc-url, or one per mode), over the outgoing
// HTTP client, asynchronously: never on the writer, never inside a transaction. The URL may
// carry a provider's API key in its path or query, so it is never logged or answered.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "daemon/http/client.h"
#include "daemon/providers/solana/proof.h"

namespace jopay::solana {

class Rpc {
 public:
  using Done = std::function<void(Result<boost::json::value>)>;

  // `url`: an absolute http(s) URL (config.cc checked it).
  Rpc(std::string url, bool livemode);
  ~Rpc();

  // Calls `method` with `params`; `done` runs on the client's thread with the `result`, or
  // kUnavailable when no answer came, it was not JSON-RPC, or it carried an `error`.
  void Call(const std::string& method, boost::json::array params, Done done);

  // Proves `proof` as proof.h describes: getTransaction (commitment "confirmed", encoding
  // "jsonParsed", v0 transactions too), and when that finds nothing getSignatureStatuses with
  // the history searched, to say whether to try again. `done` gets Ok when it holds.
  void Verify(const ChainProof& proof, std::function<void(Status)> done);

  // Stops the client: no `done` runs after this returns. At shutdown.
  void Shutdown() { client_.Stop(); }

 private:
  std::string url_;
  bool livemode_;
  http::Client client_;
};

// The nodes of both modes; either may be missing (test mode without one is a sandbox).
struct Endpoints {
  std::unique_ptr<Rpc> test;
  std::unique_ptr<Rpc> live;
  Rpc* For(bool livemode) const { return livemode ? live.get() : test.get(); }
  void Shutdown() {
    if (test) test->Shutdown();
    if (live) live->Shutdown();
  }
};

}  // namespace jopay::solana
