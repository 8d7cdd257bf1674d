// Authenticate: the API key of a public API request (context.h says what is accepted).
#include <boost/beast/core/string.hpp>

#include "common/log.h"
#include "daemon/auth/keys.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace {

Status Unauthenticated(std::string code, std::string message) {
  return Status::Make(Status::Kind::kUnauthenticated, std::move(code), std::move(message));
}

bool HasKeyPrefix(std::string_view secret) {
  for (std::string_view p : {"sk_test_", "sk_live_", "rk_test_", "rk_live_"}) {
    if (secret.size() > p.size() && secret.substr(0, p.size()) == p) return true;
  }
  return false;
}

// The key as sent: `Authorization: Bearer <key>`, else `X-Api-Key`; "" when neither.
Result<std::string> SentKey(const http::Request& req) {
  std::string authorization = req.Header("Authorization");
  if (authorization.empty()) return req.Header("X-Api-Key");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !boost::beast::iequals(std::string_view(authorization).substr(0, kBearer.size()), kBearer)) {
    return Unauthenticated("api_key_invalid",
                           "The Authorization header must be \"Bearer <API key>\".");
  }
  return authorization.substr(kBearer.size());
}

// Keeps the key's last_used_at (shown by `keys list`) to the minute. The write is queued and
// not waited for: the request does not depend on it, and a lost minute is harmless.
void RecordUse(Context& c, const std::string& key_id) {
  UnixSeconds now = c.clock.Now();
  if (!c.api_keys.ShouldRecordUse(key_id, now)) return;
  c.store.writer().Submit(
      [key_id, now](Db& db) {
        RecordApiKeyUse(db, key_id, now);
        return Status::Ok();
      },
      [key_id](const Status& st) {
        if (!st.ok()) LogWarn("keys: could not record the use of {}: {}", key_id, st.message());
      });
}

}  // namespace

Result<Caller> Authenticate(Context& c, const http::Request& req) {
  auto secret = SentKey(req);
  if (!secret.ok()) return secret.status();
  if (secret->empty()) {
    return Unauthenticated("api_key_missing",
                           "No API key: send \"Authorization: Bearer sk_test_...\" (or X-Api-Key).");
  }
  if (!HasKeyPrefix(*secret) || secret->size() > 200) {
    return Unauthenticated("api_key_invalid",
                           "Malformed API key: keys start with sk_test_, sk_live_, rk_test_ or "
                           "rk_live_.");
  }
  auto key = c.api_keys.Find(c.store.reader(), *secret);
  // The stored mode must agree with what the key says of itself.
  if (!key || secret->rfind(key->prefix, 0) != 0) {
    return Unauthenticated("api_key_invalid", "Invalid API key (unknown or revoked).");
  }
  if (key->livemode && c.clock.manual()) {
    return Unauthenticated("livemode_unavailable",
                           "Live keys are refused while jopayd runs a manual clock (test mode "
                           "only).");
  }
  if (key->read_only && req.method != "GET" && req.method != "HEAD") {
    return Status::Make(Status::Kind::kForbidden, "api_key_read_only",
                        "This API key is read-only: it may only GET.");
  }
  RecordUse(c, key->id);
  return Caller{key->id, key->livemode, key->read_only};
}

routes::Call CallOf(Context& c, const Caller& caller) { return {caller.livemode, c.clock.Now()}; }

}  // namespace jopay::pub
