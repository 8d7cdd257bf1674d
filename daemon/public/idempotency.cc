#include "daemon/public/idempotency.h"

#include <fmt/core.h>

#include <boost/beast/core/string.hpp>

#include "common/crypto.h"
#include "daemon/public/idempotency_purge.h"

namespace jopay::pub {

namespace {

constexpr size_t kMaxIdempotencyKey = 255;

struct KeptAnswer {
  std::string request_hash;
  int status = 200;
  std::string body;
};

std::string RequestHash(const http::Request& req) {
  return Sha256Hex(fmt::format("{} {}\n{}", req.method, req.path, req.body));
}

std::optional<KeptAnswer> FindKept(Db& db, bool livemode, const std::string& key,
                                   UnixSeconds now) {
  auto& q = db.Cached(
      "SELECT request_hash, status, body FROM idempotency_keys "
      "WHERE livemode=? AND key=? AND created_at > ?");
  q.Args(int64_t{livemode}, key, now - kIdempotencyWindow);
  std::optional<KeptAnswer> found;
  if (q.Step()) found = KeptAnswer{q.Text(0), static_cast<int>(q.Int(1)), q.Text(2)};
  q.Reset();
  return found;
}

http::Response Replay(const KeptAnswer& kept, const std::string& hash) {
  if (!ConstantTimeEquals(kept.request_hash, hash)) {
    return http::ErrorResponse(Status::Make(
        Status::Kind::kConflict, "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (within 24 hours).",
        "Idempotency-Key"));
  }
  http::Response r;
  r.status = kept.status;
  r.body = kept.body;
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// The Idempotency-Key header of a POST, if any; a malformed one is an error.
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

class StoredKeeper : public routes::AnswerKeeper {
 public:
  StoredKeeper(bool livemode, std::string key, std::string hash, UnixSeconds now)
      : livemode_(livemode), key_(std::move(key)), hash_(std::move(hash)), now_(now) {}

  std::optional<http::Response> Kept(Db& db) override {
    auto kept = FindKept(db, livemode_, key_, now_);
    if (!kept) return std::nullopt;
    return Replay(*kept, hash_);
  }
  void Keep(Db& db, int status, const std::string& body) override {
    db.Cached("INSERT OR REPLACE INTO idempotency_keys "
              "(livemode, key, request_hash, status, body, created_at) VALUES (?,?,?,?,?,?)")
        .Args(int64_t{livemode_}, key_, hash_, int64_t{status}, body, now_)
        .Exec();
  }

 private:
  bool livemode_;
  std::string key_;
  std::string hash_;
  UnixSeconds now_;
};

}  // namespace

Result<std::shared_ptr<routes::AnswerKeeper>> IdempotencyKeeper(Context& c, const Caller& caller,
                                                                const http::Request& req) {
  auto key = IdempotencyKeyOf(req);
  if (!key.ok()) return key.status();
  if (!*key) return std::shared_ptr<routes::AnswerKeeper>();
  return std::shared_ptr<routes::AnswerKeeper>(
      std::make_shared<StoredKeeper>(caller.livemode, **key, RequestHash(req), c.clock.Now()));
}

std::optional<http::Response> IdempotentAnswer(Context& c, const Caller& caller,
                                               const http::Request& req) {
  auto key = IdempotencyKeyOf(req);
  if (!key.ok()) return http::ErrorResponse(key.status());
  if (!*key) return std::nullopt;
  auto kept = FindKept(c.store.reader(), caller.livemode, **key, c.clock.Now());
  if (!kept) return std::nullopt;
  return Replay(*kept, RequestHash(req));
}

void WriteThen(Context& c, const Caller& caller, const http::Request& req, http::Respond respond,
               Writer::Job job, std::function<boost::json::value()> answer, int status) {
  auto keeper = IdempotencyKeeper(c, caller, req);
  if (!keeper.ok()) return respond(http::ErrorResponse(keeper.status()));
  routes::WriteThen(c.store.writer(), std::move(respond), std::move(job), std::move(answer),
                    {status, nullptr, std::move(*keeper)});
}

}  // namespace jopay::pub
