#include "daemon/providers/paypal/api.h"

#include <boost/beast/core/string.hpp>

#include <charconv>

#include "common/crypto.h"
#include "daemon/providers/json_api.h"

namespace jopay::paypal {

namespace json = boost::json;
using providers::IntField;
using providers::TextField;

namespace {

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
  reply.retry_after_ms = SecondsToMs(r.retry_after);
  return reply;
}

Reply NoAnswer(std::string why) {
  Reply r;
  r.error = std::move(why);
  return r;
}

const json::object* FirstDetail(const json::value& body) {
  if (!body.is_object()) return nullptr;
  const json::value* details = body.get_object().if_contains("details");
  if (!details || !details->is_array() || details->get_array().empty()) return nullptr;
  const json::value& first = details->get_array().front();
  return first.is_object() ? &first.get_object() : nullptr;
}

}  // namespace

AccessToken AccessTokenOf(const json::value& answer) {
  AccessToken t;
  if (!answer.is_object()) return t;
  t.token = TextField(answer.get_object(), "access_token").value_or("");
  int64_t lifetime = IntField(answer.get_object(), "expires_in").value_or(0);
  int64_t margin = std::min<int64_t>(60, lifetime / 10);
  t.usable_for = std::chrono::seconds(std::max<int64_t>(0, lifetime - margin));
  return t;
}

std::string IssueOf(const json::value& body) {
  if (const json::object* d = FirstDetail(body)) {
    if (auto issue = TextField(*d, "issue")) return *issue;
  }
  if (!body.is_object()) return "";
  return TextField(body.get_object(), "name").value_or("");
}

std::string ErrorTextOf(const json::value& body) {
  std::string text;
  if (const json::object* d = FirstDetail(body)) text = TextField(*d, "description").value_or("");
  if (text.empty() && body.is_object()) {
    text = TextField(body.get_object(), "message").value_or("");
  }
  if (text.size() > 200) text.resize(200);
  return text;
}

Api::Api(Account account, http::Client& client)
    : account_(std::move(account)),
      client_(client),
      pool_(account_.livemode ? "paypal-live" : "paypal-test") {
  while (!account_.api_base.empty() && account_.api_base.back() == '/') account_.api_base.pop_back();
}

std::string Api::webhook_id() const {
  std::lock_guard lock(mu_);
  return account_.webhook_id;
}

std::string Api::client_id() const {
  std::lock_guard lock(mu_);
  return account_.client_id;
}

std::string Api::client_secret() const {
  std::lock_guard lock(mu_);
  return account_.client_secret;
}

void Api::SetCredentials(std::string client_id, std::string client_secret,
                         std::string webhook_id) {
  std::lock_guard lock(mu_);
  account_.client_id = std::move(client_id);
  account_.client_secret = std::move(client_secret);
  account_.webhook_id = std::move(webhook_id);
  token_.clear();
}

void Api::Send(const std::string& method, const std::string& path, std::string body,
               const std::string& request_id, Done done) {
  Request r{method, path, std::move(body), request_id};
  WithToken([this, r = std::move(r), done = std::move(done)](std::string token,
                                                               Reply failure) mutable {
    if (token.empty()) return done(std::move(failure));
    SendWith(r, token, false, std::move(done));
  });
}

void Api::SendWith(const Request& r, const std::string& token, bool retried, Done done) {
  http::OutgoingRequest req = Outgoing(r.method, r.path);
  if (req.url.host.empty()) return done(NoAnswer("paypal-api-base is not a usable URL"));
  req.headers.emplace_back("Authorization", "Bearer " + token);
  // The whole order back (captures, vault), not the minimal id + links answer.
  req.headers.emplace_back("Prefer", "return=representation");
  if (!r.request_id.empty()) req.headers.emplace_back("PayPal-Request-Id", r.request_id);
  if (!r.body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.body = r.body;
  client_.Send(std::move(req), [this, r, token, retried, done = std::move(done)](
                                   http::OutgoingResult result) mutable {
    Reply reply = ReplyOf(std::move(result));
    if (reply.status != 401 || retried) return done(std::move(reply));
    {
      std::lock_guard lock(mu_);
      if (token_ == token) token_.clear();  // not one a concurrent 401 already replaced
    }
    WithToken([this, r, done = std::move(done)](std::string fresh, Reply failure) mutable {
      if (fresh.empty()) return done(std::move(failure));
      SendWith(r, fresh, true, std::move(done));
    });
  });
}

http::OutgoingRequest Api::Outgoing(const std::string& method, const std::string& path) const {
  http::OutgoingRequest req;
  auto url = http::ParseOutgoingUrl(account_.api_base + path);
  if (!url.ok()) return req;  // empty host: the caller answers "not a usable URL"
  req.pool = pool_;
  req.method = method;
  req.url = std::move(*url);
  req.live = account_.livemode;
  req.allow_private = true;  // the operator's configured API base, not a user's URL
  req.keep_body = true;
  req.headers = {{"Accept", "application/json"},
                 {"User-Agent", std::string("JoPay/") + JOPAY_VERSION}};
  return req;
}

void Api::WithToken(TokenDone done) {
  std::string token;
  bool buy = false;
  {
    std::lock_guard lock(mu_);
    if (!token_.empty() && std::chrono::steady_clock::now() < token_until_) {
      token = token_;
    } else {
      waiting_.push_back(std::move(done));
      buy = !buying_;
      buying_ = true;
    }
  }
  // Outside the lock: `done` sends, and a send's answer may come back here.
  if (!token.empty()) return done(std::move(token), Reply{});
  if (buy) BuyToken();
}

void Api::BuyToken() {
  http::OutgoingRequest req = Outgoing("POST", "/v1/oauth2/token");
  if (req.url.host.empty()) return TokenBought(NoAnswer("paypal-api-base is not a usable URL"));
  req.headers.emplace_back("Authorization",
                           "Basic " + Base64Encode(client_id() + ":" + client_secret()));
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = "grant_type=client_credentials";
  client_.Send(std::move(req),
               [this](http::OutgoingResult r) { TokenBought(ReplyOf(std::move(r))); });
}

void Api::TokenBought(Reply reply) {
  AccessToken t = reply.ok() ? AccessTokenOf(reply.body) : AccessToken{};
  std::vector<TokenDone> waiting;
  {
    std::lock_guard lock(mu_);
    buying_ = false;
    waiting.swap(waiting_);
    if (!t.token.empty()) {
      token_ = t.token;
      token_until_ = std::chrono::steady_clock::now() + t.usable_for;
    }
  }
  Reply failure;
  if (t.token.empty()) {
    // The token answer's status stands for the request's: 401 = the credentials are wrong.
    failure.status = reply.ok() ? 0 : reply.status;
    failure.body = reply.body;
    failure.retry_after_ms = reply.retry_after_ms;
    failure.error = reply.status == 0 ? "no access token: " + reply.error
                    : reply.ok()      ? "no access token in PayPal's token answer"
                                      : "";
  }
  for (TokenDone& d : waiting) d(t.token, failure);
}

}  // namespace jopay::paypal
