// A Stripe account as jopayd talks to it: the REST API (form-encoded requests, Bearer secret
// key, a pinned Stripe-Version, Idempotency-Key on every POST) over the outgoing HTTP client,
// asynchronously. Secrets stay in here: no error, log line or answer carries them.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <mutex>
#include <string>

#include "daemon/http/client.h"
#include "daemon/providers/stripe/form.h"

namespace jopay::stripe {

// Pinned so that answers keep the shapes jopayd reads.
inline constexpr const char* kApiVersion = "2024-06-20";

struct Account {
  std::string api_base = "https://api.stripe.com";  // tests point it at a local stand-in
  std::string secret_key;                           // sk_test_... / sk_live_... (or rk_)
  std::string webhook_secret;                       // whsec_...: checks callbacks
  bool livemode = false;
  int max_in_flight = 64;   // requests on the wire at once
  double rate_limit = 20;   // requests per second (token bucket; Stripe allows 25 test, 100 live)
};

struct Reply {
  int status = 0;            // HTTP status; 0 when no answer came (`error` says why)
  boost::json::value body;   // the parsed body; null when it was not JSON
  std::string error;         // no answer: connect / timeout / TLS failure
  bool should_retry = false; // Stripe-Should-Retry: true
  int64_t retry_after_ms = 0;
  bool replayed = false;     // Idempotent-Replayed: true (the key's first answer again)

  // The error object of a non-2xx answer ({type, code, decline_code, message, ...}), or null.
  const boost::json::object* Error() const;
};

class Api {
 public:
  using Done = std::function<void(Reply)>;

  // `client` outlives this. Each account has its own connection pool.
  Api(Account account, http::Client& client);

  // The account as configured at start; its secrets may since have been replaced (below).
  const Account& account() const { return account_; }
  // The secrets in force. SetSecrets replaces them (a SIGHUP reload: a rolled key) for the
  // requests sent and callbacks checked from then on. Thread-safe.
  std::string webhook_secret() const;
  void SetSecrets(std::string secret_key, std::string webhook_secret);

  // POST <api_base><path> with `form` under `idempotency_key` (required: every POST jopayd
  // makes can be repeated safely). `done` runs on the client's thread.
  void Post(const std::string& path, const Form& form, const std::string& idempotency_key,
            Done done);
  // GET <api_base><path_and_query>.
  void Get(const std::string& path_and_query, Done done);

 private:
  void Send(const std::string& method, const std::string& target, std::string body,
            const std::string& idempotency_key, Done done);

  std::string secret_key() const;

  Account account_;  // secret_key and webhook_secret guarded by mu_
  mutable std::mutex mu_;
  http::Client& client_;
  std::string pool_;
};

}  // namespace jopay::stripe
