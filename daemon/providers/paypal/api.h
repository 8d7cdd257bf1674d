// A PayPal REST app as jopayd talks to it: JSON requests with a Bearer access token that the
// app's client id and secret buy from POST /v1/oauth2/token (client credentials), over the
// outgoing HTTP client, asynchronously. PayPal-Request-Id is the idempotency header: the first
// answer under an id is replayed for a later request with the same id (for 6 hours at least,
// says the orders spec's PayPal-Request-Id parameter; ids are 1 to 108 characters).
//
// The client secret and the access token stay in here: they go out in the Authorization
// header and nowhere else; no error, detail or log line carries them.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/client.h"

namespace jopay::paypal {

struct Account {
  std::string api_base = "https://api-m.paypal.com";  // sandbox: https://api-m.sandbox.paypal.com
  std::string client_id;
  std::string client_secret;
  std::string webhook_id;  // the webhook's id in the PayPal app: checks callbacks
  bool livemode = false;
  int max_in_flight = 32;  // requests on the wire at once
};

struct Reply {
  int status = 0;           // HTTP status; 0 when no answer came (`error` says why)
  boost::json::value body;  // the parsed body; null when it was not JSON
  std::string error;        // no answer: connect / timeout / TLS failure, or no access token
  int64_t retry_after_ms = 0;
  bool ok() const { return status >= 200 && status < 300; }
};

// The access token an OAuth2 token answer ({"access_token", "token_type": "Bearer",
// "expires_in": seconds, ...}) gives, and how long jopayd may use it: expires_in less a
// margin (a minute, or a tenth of a short lifetime) so a request never goes out with a token
// that dies on the way. Empty token when the answer has none.
struct AccessToken {
  std::string token;
  std::chrono::seconds usable_for{0};
};
AccessToken AccessTokenOf(const boost::json::value& token_answer);

// PayPal's error body ({"name", "message", "debug_id", "details": [{"issue", "description",
// "field"}]}): the first detail's issue ("INSTRUMENT_DECLINED"), else the error's name; "" when
// the body has neither.
std::string IssueOf(const boost::json::value& body);
// A short human text for an error body: the first detail's description, else the message,
// cut to 200 bytes.
std::string ErrorTextOf(const boost::json::value& body);

class Api {
 public:
  using Done = std::function<void(Reply)>;

  // `client` outlives this, and is stopped before this is destroyed.
  Api(Account account, http::Client& client);

  const Account& account() const { return account_; }
  // The webhook id in force (a reload may change it with the credentials). Thread-safe.
  std::string webhook_id() const;
  // A reload's credentials, in force for requests sent from now on; the cached token is
  // dropped (it belongs to the old app). Thread-safe.
  void SetCredentials(std::string client_id, std::string client_secret, std::string webhook_id);

  // <method> <api_base><path> with `body` as JSON (none when empty), Bearer <access token>,
  // and PayPal-Request-Id when `request_id` is not empty. Buys a token first when none is
  // cached (one purchase at a time; other requests wait for it). A 401 drops the token and
  // the request is sent once more with a fresh one (a token PayPal revoked early). `done`
  // runs on the client's thread. A token that cannot be bought gives the token answer's
  // status (401: bad credentials) or status 0.
  void Send(const std::string& method, const std::string& path, std::string body,
            const std::string& request_id, Done done);

 private:
  using TokenDone = std::function<void(std::string token, Reply failure)>;
  struct Request {
    std::string method, path, body, request_id;
  };

  void WithToken(TokenDone done);
  void BuyToken();
  void TokenBought(Reply reply);
  void SendWith(const Request& r, const std::string& token, bool retried, Done done);
  http::OutgoingRequest Outgoing(const std::string& method, const std::string& path) const;
  std::string client_id() const;
  std::string client_secret() const;

  Account account_;  // client_id, client_secret, webhook_id guarded by mu_
  http::Client& client_;
  std::string pool_;
  mutable std::mutex mu_;
  std::string token_;  // guarded by mu_, with its deadline
  std::chrono::steady_clock::time_point token_until_;
  bool buying_ = false;
  std::vector<TokenDone> waiting_;  // requests waiting for the token being bought
};

}  // namespace jopay::paypal
