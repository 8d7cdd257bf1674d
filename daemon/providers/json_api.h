// The JSON-over-HTTP plumbing the push providers (SatsPay, BTCPay) share: one account's API
// base and key, requests sent asynchronously over the outgoing HTTP client, answers parsed,
// and failures turned into PushAnswers once, the same way for both.
//
// The key stays in here: it goes out in one header and nowhere else, and any text of the
// provider's that is quoted in an answer's detail has it masked first.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "daemon/http/client.h"
#include "daemon/providers/push_provider.h"

namespace jopay::providers {

struct JsonReply {
  int status = 0;           // HTTP status; 0 when no answer came (`error` says why)
  boost::json::value body;  // the parsed body; null when it was not JSON
  std::string error;        // no answer: connect / timeout / TLS failure, or a bad API base
  bool ok() const { return status >= 200 && status < 300; }
};

struct JsonApiOptions {
  std::string provider;     // "SatsPay": names the provider in details
  std::string pool;         // "satspay-test": the client's connection pool
  std::string api_base;     // no trailing slash
  std::string key_header;   // "X-Api-Key", "Authorization"
  std::string key_prefix;   // "" or "token "
  std::string key_option;   // "satspay-test-api-key": what a refused key points the operator at
  bool livemode = false;
};

class JsonApi {
 public:
  using Done = std::function<void(JsonReply)>;

  // `client` outlives this.
  JsonApi(JsonApiOptions options, std::string key, http::Client& client);

  const JsonApiOptions& options() const { return options_; }
  // Replaces the key for requests sent from now on. Thread-safe.
  void SetKey(std::string key);

  // <method> <api_base><path> with `body` as application/json (none when empty). `done`
  // runs on the client's thread, or at once when the URL does not parse.
  void Send(std::string method, const std::string& path, std::string body, Done done);

  // FailureOf(reply) under this account's options and key.
  PushAnswer Failure(const JsonReply& reply) const;

 private:
  std::string key() const;

  JsonApiOptions options_;
  mutable std::mutex mu_;
  std::string key_;  // guarded by mu_
  http::Client& client_;
};

// The answer for a reply that is not a 2xx: no answer, 5xx and 429 -> kUnknown (ask again
// later); any other status -> kRefused, naming the status and quoting the provider's error
// message with `key` masked ("***") and cut to 200 bytes. A 2xx gives kUnknown too: its
// caller should not have asked.
PushAnswer FailureOf(const JsonReply& reply, const JsonApiOptions& options, std::string_view key);

// kUnknown / kRefused with `detail` prefixed by the provider's name ("SatsPay: ...").
PushAnswer UnknownAnswer(std::string_view provider, std::string_view detail);
PushAnswer RefusedAnswer(std::string_view provider, std::string_view detail);

// The message a provider put in an error body: FastAPI's {"detail": "..."}, BTCPay's
// {"code", "message"} or its validation list [{"path", "message"}, ...]; "" when none.
std::string ErrorMessageOf(const boost::json::value& body);

// `s` percent-encoded as one path segment (every byte but A-Z a-z 0-9 - . _ ~).
std::string PathSegment(std::string_view s);

// True for a provider's id as SatsPay and BTCPay make them: 1 to 100 of A-Z a-z 0-9 - _.
// Anything else is refused before it goes into a URL.
bool IsPlainId(std::string_view id);

// Typed reads of answer fields: absent, null or of another type -> nullopt.
std::optional<std::string> TextField(const boost::json::object& o, std::string_view key);
std::optional<int64_t> IntField(const boost::json::object& o, std::string_view key);
std::optional<bool> BoolField(const boost::json::object& o, std::string_view key);

}  // namespace jopay::providers
