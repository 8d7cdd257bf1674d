#include "daemon/public/context.h"

#include <fmt/core.h>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>

#include "common/crypto.h"
#include "common/log.h"
#include "daemon/auth/keys.h"
#include "daemon/public/idempotency_purge.h"
#include "daemon/pages/pages.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

constexpr size_t kMaxIdempotencyKey = 255;

Status Unauthenticated(std::string code, std::string message) {
  return Status::Make(Status::Kind::kUnauthenticated, std::move(code), std::move(message));
}

bool HasKeyPrefix(std::string_view secret) {
  for (std::string_view p : {"sk_test_", "sk_live_", "rk_test_", "rk_live_"}) {
    if (secret.size() > p.size() && secret.substr(0, p.size()) == p) return true;
  }
  return false;
}

struct StoredAnswer {
  std::string request_hash;
  int status = 200;
  std::string body;
};

std::string RequestHash(const http::Request& req) {
  return Sha256Hex(fmt::format("{} {}\n{}", req.method, req.path, req.body));
}

std::optional<StoredAnswer> FindStored(Db& db, bool livemode, const std::string& key,
                                       UnixSeconds now) {
  auto& q = db.Cached(
      "SELECT request_hash, status, body FROM idempotency_keys "
      "WHERE livemode=? AND key=? AND created_at > ?");
  q.Args(int64_t{livemode}, key, now - kIdempotencyWindow);
  std::optional<StoredAnswer> found;
  if (q.Step()) found = StoredAnswer{q.Text(0), static_cast<int>(q.Int(1)), q.Text(2)};
  q.Reset();
  return found;
}

http::Response Replay(const StoredAnswer& stored, const std::string& hash) {
  if (!ConstantTimeEquals(stored.request_hash, hash)) {
    return ErrorAnswer(Status::Make(
        Status::Kind::kConflict, "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (within 24 hours).",
        "Idempotency-Key"));
  }
  http::Response r;
  r.status = stored.status;
  r.body = stored.body;
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// The Idempotency-Key header, if any; a malformed one is an error.
Result<std::optional<std::string>> IdempotencyKeyOf(const http::Request& req) {
  bool present = false;
  for (const auto& [name, value] : req.headers) {
    if (boost::beast::iequals(name, "Idempotency-Key")) present = true;
  }
  if (!present || req.method != "POST") return std::optional<std::string>();
  std::string key = req.Header("Idempotency-Key");
  if (key.empty() || key.size() > kMaxIdempotencyKey) {
    return Status::Invalid(
        fmt::format("Idempotency-Key must be 1 to {} characters", kMaxIdempotencyKey),
        "Idempotency-Key");
  }
  return std::optional<std::string>(key);
}

template <class F>
http::Handler Guarded(F f) {
  return [f = std::move(f)](http::Request& req, http::Respond respond) {
    try {
      f(req, respond);
    } catch (const std::exception& e) {
      LogError("{} {}: {}", req.method, req.target, e.what());
      respond(ErrorAnswer(Status::Internal(e.what())));
    }
  };
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

http::Response ErrorAnswer(const Status& s) {
  http::Response r = http::ErrorResponse(s);
  if (s.kind() == Status::Kind::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"jopay\"");
  }
  return r;
}

Result<Caller> Authenticate(Context& c, const http::Request& req) {
  std::string secret;
  std::string authorization = req.Header("Authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() ||
        !boost::beast::iequals(std::string_view(authorization).substr(0, kBearer.size()), kBearer)) {
      return Unauthenticated("api_key_invalid",
                             "The Authorization header must be \"Bearer <API key>\".");
    }
    secret = authorization.substr(kBearer.size());
  } else {
    secret = req.Header("X-Api-Key");
  }
  if (secret.empty()) {
    return Unauthenticated("api_key_missing",
                           "No API key: send \"Authorization: Bearer sk_test_...\" (or X-Api-Key).");
  }
  if (!HasKeyPrefix(secret) || secret.size() > 200) {
    return Unauthenticated("api_key_invalid",
                           "Malformed API key: keys start with sk_test_, sk_live_, rk_test_ or "
                           "rk_live_.");
  }
  auto key = c.api_keys.Find(c.store.reader(), secret);
  // The stored mode must agree with what the key says of itself.
  if (!key || secret.rfind(key->prefix, 0) != 0) {
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

std::optional<http::Response> IdempotentAnswer(Context& c, const Caller& caller,
                                               const http::Request& req) {
  auto key = IdempotencyKeyOf(req);
  if (!key.ok()) return ErrorAnswer(key.status());
  if (!*key) return std::nullopt;
  auto stored = FindStored(c.store.reader(), caller.livemode, **key, c.clock.Now());
  if (!stored) return std::nullopt;
  return Replay(*stored, RequestHash(req));
}

void AddApiRoute(http::Router& r, Context& c, const char* method, const char* path, ApiFn fn) {
  r.Add(method, path, Guarded([&c, fn](http::Request& req, http::Respond respond) {
          auto caller = Authenticate(c, req);
          if (!caller.ok()) return respond(ErrorAnswer(caller.status()));
          if (auto answer = IdempotentAnswer(c, *caller, req)) return respond(std::move(*answer));
          fn(c, *caller, req, std::move(respond));
        }));
}

void AddOpenRoute(http::Router& r, Context& c, const char* method, const char* path, OpenFn fn) {
  r.Add(method, path, Guarded([&c, fn](http::Request& req, http::Respond respond) {
          fn(c, req, std::move(respond));
        }));
}

void WriteThen(Context& c, const Caller& caller, const http::Request& req, http::Respond respond,
               Writer::Job job, std::function<json::value()> answer, int status) {
  auto key = IdempotencyKeyOf(req);
  if (!key.ok()) return respond(ErrorAnswer(key.status()));
  struct State {
    std::optional<StoredAnswer> replay;
    std::string body;
  };
  auto state = std::make_shared<State>();
  std::string hash = *key ? RequestHash(req) : "";
  bool live = caller.livemode;
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [state, key = *key, hash, live, now, status, job = std::move(job),
       answer = std::move(answer)](Db& db) -> Status {
        if (key) {
          state->replay = FindStored(db, live, *key, now);
          if (state->replay) return Status::Ok();  // answered from the store; job not run
        }
        JOPAY_RETURN_IF_ERROR(job(db));
        try {
          state->body = json::serialize(answer());
        } catch (const std::exception& e) {  // never let a view error escape onto the writer
          return Status::Internal(e.what());
        }
        if (key) {
          db.Cached("INSERT OR REPLACE INTO idempotency_keys "
                    "(livemode, key, request_hash, status, body, created_at) VALUES (?,?,?,?,?,?)")
              .Args(int64_t{live}, *key, hash, int64_t{status}, state->body, now)
              .Exec();
        }
        return Status::Ok();
      },
      [state, respond, hash, status](Status st) {
        if (!st.ok()) return respond(ErrorAnswer(st));
        if (state->replay) return respond(Replay(*state->replay, hash));
        http::Response r;
        r.status = status;
        r.body = std::move(state->body);
        respond(std::move(r));
      });
}

Result<Page> ParsePage(const http::Request& req) {
  Page page;
  auto limit = http::QueryInt(req.query, "limit", 1, 100, page.limit);
  if (!limit.ok()) return limit.status();
  page.limit = static_cast<int>(*limit);
  if (auto it = req.query.find("starting_after"); it != req.query.end()) {
    page.starting_after = it->second;
  }
  return page;
}

Status RejectUnknownQuery(const http::Request& req,
                          std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : req.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::Invalid(fmt::format("unknown query parameter: {}", name), name,
                             "parameter_unknown");
    }
  }
  return Status::Ok();
}

void AddPublicRoutes(http::Router& r, Context& c) {
  AddCheckoutSessionRoutes(r, c);
  AddCheckoutSubscriptionRoutes(r, c);
  AddLnbitsRoutes(r, c);
  AddEventopRoutes(r, c);
  pages::AddPageRoutes(r, c);  // hosted checkout page and customer portal (HTML)
}

}  // namespace jopay::pub
