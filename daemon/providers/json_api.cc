#include "daemon/providers/json_api.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/core.h>

namespace jopay::providers {

namespace json = boost::json;

namespace {

JsonReply ReplyOf(http::OutgoingResult r) {
  JsonReply reply;
  reply.status = r.status;
  reply.error = std::move(r.error);
  if (r.status == 0) return reply;
  boost::system::error_code ec;
  reply.body = json::parse(r.body, ec);
  if (ec) reply.body = nullptr;
  return reply;
}

PushAnswer AnswerOf(PushAnswer::Kind kind, std::string detail) {
  PushAnswer a;
  a.kind = kind;
  a.detail = std::move(detail);
  return a;
}

}  // namespace

JsonApi::JsonApi(JsonApiOptions options, std::string key, http::Client& client)
    : options_(std::move(options)), key_(std::move(key)), client_(client) {}

void JsonApi::SetKey(std::string key) {
  std::lock_guard lock(mu_);
  key_ = std::move(key);
}

std::string JsonApi::key() const {
  std::lock_guard lock(mu_);
  return key_;
}

void JsonApi::Send(std::string method, const std::string& path, std::string body, Done done) {
  auto url = http::ParseOutgoingUrl(options_.api_base + path);
  if (!url.ok()) {
    JsonReply r;
    r.error = "the API base is not a usable URL: " + url.status().message();
    return done(std::move(r));
  }
  http::OutgoingRequest req;
  req.pool = options_.pool;
  req.method = std::move(method);
  req.url = std::move(*url);
  req.live = options_.livemode;
  req.allow_private = true;  // the operator's configured API base (often on their LAN)
  req.keep_body = true;
  req.headers = {{options_.key_header, options_.key_prefix + key()},
                 {"Accept", "application/json"},
                 {"User-Agent", std::string("JoPay/") + JOPAY_VERSION}};
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  client_.Send(std::move(req),
               [done = std::move(done)](http::OutgoingResult r) { done(ReplyOf(std::move(r))); });
}

PushAnswer JsonApi::Failure(const JsonReply& reply) const {
  return FailureOf(reply, options_, key());
}

namespace {

// `text` with every occurrence of `key` replaced by "***", cut to 200 bytes.
std::string Masked(std::string text, std::string_view key) {
  if (!key.empty()) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 3)) {
      text.replace(at, key.size(), "***");
    }
  }
  if (text.size() > 200) text.resize(200);
  return text;
}

}  // namespace

PushAnswer UnknownAnswer(std::string_view provider, std::string_view detail) {
  return AnswerOf(PushAnswer::Kind::kUnknown, fmt::format("{}: {}", provider, detail));
}

PushAnswer RefusedAnswer(std::string_view provider, std::string_view detail) {
  return AnswerOf(PushAnswer::Kind::kRefused, fmt::format("{}: {}", provider, detail));
}

PushAnswer FailureOf(const JsonReply& r, const JsonApiOptions& options, std::string_view key) {
  std::string_view who = options.provider;
  if (r.status == 0) return UnknownAnswer(who, "no answer (" + Masked(r.error, key) + ")");
  if (r.ok()) return UnknownAnswer(who, "a 2xx answer taken for a failure");
  std::string message = Masked(ErrorMessageOf(r.body), key);
  std::string quoted = message.empty() ? "" : ": " + message;
  if (r.status == 429 || r.status >= 500) {
    return UnknownAnswer(who, fmt::format("answered {}{}", r.status, quoted));
  }
  if (r.status == 401 || r.status == 403) {
    return RefusedAnswer(who, fmt::format("refused the key ({}{}): check {}", r.status, quoted,
                                          options.key_option));
  }
  return RefusedAnswer(who, fmt::format("refused the request ({}{})", r.status, quoted));
}

std::string ErrorMessageOf(const json::value& body) {
  if (body.is_object()) {
    const json::object& o = body.get_object();
    for (std::string_view key : {"detail", "message"}) {
      if (auto text = TextField(o, key)) return *text;
    }
    // FastAPI's validation errors: {"detail": [{"loc", "msg", "type"}, ...]}.
    const json::value* detail = o.if_contains("detail");
    if (detail && detail->is_array()) return ErrorMessageOf(*detail);
    return "";
  }
  if (!body.is_array()) return "";
  std::string out;
  for (const json::value& item : body.get_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    std::string where = TextField(o, "path").value_or("");
    std::string what = TextField(o, "message").value_or(TextField(o, "msg").value_or(""));
    if (what.empty()) continue;
    if (!out.empty()) out += "; ";
    out += where.empty() ? what : where + ": " + what;
  }
  return out;
}

std::string PathSegment(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

bool IsPlainId(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
    if (!plain) return false;
  }
  return true;
}

std::optional<std::string> TextField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<int64_t> IntField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::optional<bool> BoolField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

}  // namespace jopay::providers
