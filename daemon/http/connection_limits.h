// ConnectionLimits: how many connections a server holds at once, overall and per client, so
// that idle or slow clients cannot take every descriptor and make everyone else wait.
//
// A connection over a cap is not silently dropped: it is answered (429 when its client holds
// too many, 503 when the server is full) and closed. Answering costs a descriptor for up to a
// second, so only a bounded number of connections are being refused at once; beyond that they
// are closed unanswered.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace jopay::http {

// The key a client is counted under: an IPv4 address as is (IPv4-mapped IPv6 too), an IPv6
// address by its /64, the smallest block one subscriber normally gets, so that stepping
// through addresses of one's own network does not escape a per-client cap. Text that is not
// an address (a Unix socket peer: "") is its own key.
std::string ClientKey(std::string_view address);

enum class Admission {
  kServe,          // under both caps
  kClientFull,     // its client holds per_client connections already: answer 429
  kServerFull,     // the server holds `total` connections already: answer 503
  kDrop,           // over a cap while too many are being refused: close unanswered
};

class ConnectionLimits {
 public:
  // 0 = no cap. `max_refusing` bounds the connections being answered with a refusal at once.
  ConnectionLimits(size_t total, size_t per_client, size_t max_refusing = 64)
      : total_(total), per_client_(per_client), max_refusing_(max_refusing) {}

  // Counts a new connection from `client` (a ClientKey) and says what to do with it; a client
  // of "" (a Unix socket's peer, which has no address) is under the total cap only. Every
  // Admit is matched by one Release with the same arguments. Thread-safe.
  Admission Admit(const std::string& client);
  void Release(const std::string& client, Admission admission);

  size_t total() const { return total_; }
  size_t per_client() const { return per_client_; }
  size_t serving() const;

 private:
  const size_t total_;
  const size_t per_client_;
  const size_t max_refusing_;
  mutable std::mutex mu_;
  size_t serving_ = 0;                               // guarded by mu_
  size_t refusing_ = 0;                              // guarded by mu_
  std::unordered_map<std::string, size_t> clients_;  // serving per client, guarded by mu_
};

}  // namespace jopay::http
