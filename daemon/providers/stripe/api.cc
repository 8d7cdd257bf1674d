#include "daemon/providers/stripe/api.h"

#include <boost/beast/core/string.hpp>

#include <charconv>

namespace jopay::stripe {

namespace json = boost::json;

namespace {

std::string HeaderOf(const http::OutgoingResult& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (boost::beast::iequals(k, name)) return v;
  }
  return "";
}

int64_t SecondsToMs(const std::string& s) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() && n > 0 ? n * 1000 : 0;
}

Reply ReplyOf(http::OutgoingResult r) {
  Reply reply;
  reply.status = r.status;
  reply.error = std::move(r.error);
  if (r.status == 0) return reply;
  boost::system::error_code ec;
  reply.body = json::parse(r.body, ec);
  if (ec) reply.body = nullptr;
  reply.should_retry = HeaderOf(r, "Stripe-Should-Retry") == "true";
  reply.replayed = HeaderOf(r, "Idempotent-Replayed") == "true";
  reply.retry_after_ms = SecondsToMs(r.retry_after);
  return reply;
}

}  // namespace

const json::object* Reply::Error() const {
  if (status >= 200 && status < 300) return nullptr;
  if (!body.is_object()) return nullptr;
  const json::value* e = body.as_object().if_contains("error");
  return e && e->is_object() ? &e->as_object() : nullptr;
}

Api::Api(Account account, http::Client& client)
    : account_(std::move(account)),
      client_(client),
      pool_(account_.livemode ? "stripe-live" : "stripe-test") {}

void Api::Post(const std::string& path, const Form& form, const std::string& idempotency_key,
               Done done) {
  Send("POST", path, EncodeForm(form), idempotency_key, std::move(done));
}

void Api::Get(const std::string& path_and_query, Done done) {
  Send("GET", path_and_query, "", "", std::move(done));
}

void Api::Send(const std::string& method, const std::string& target, std::string body,
               const std::string& idempotency_key, Done done) {
  auto url = http::ParseOutgoingUrl(account_.api_base + target);
  if (!url.ok()) {
    Reply r;
    r.error = "stripe-api-base is not a usable URL: " + url.status().message();
    return done(std::move(r));
  }
  http::OutgoingRequest req;
  req.pool = pool_;
  req.method = method;
  req.url = std::move(*url);
  req.live = account_.livemode;
  req.allow_private = true;  // the operator's configured API base, not a user's URL
  req.keep_body = true;
  req.body = std::move(body);
  req.headers = {{"Authorization", "Bearer " + secret_key()},
                 {"Stripe-Version", kApiVersion},
                 {"User-Agent", std::string("JoPay/") + JOPAY_VERSION}};
  if (method == "POST") {
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.headers.emplace_back("Idempotency-Key", idempotency_key);
  }
  client_.Send(std::move(req),
               [done = std::move(done)](http::OutgoingResult r) { done(ReplyOf(std::move(r))); });
}

std::string Api::secret_key() const {
  std::lock_guard lock(mu_);
  return account_.secret_key;
}

std::string Api::webhook_secret() const {
  std::lock_guard lock(mu_);
  return account_.webhook_secret;
}

void Api::SetSecrets(std::string secret_key, std::string webhook_secret) {
  std::lock_guard lock(mu_);
  account_.secret_key = std::move(secret_key);
  account_.webhook_secret = std::move(webhook_secret);
}

}  // namespace jopay::stripe
