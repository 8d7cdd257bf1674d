#include "daemon/http/message.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "common/validate.h"

namespace jopay::http {

std::string Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, name)) return value;
  }
  return "";
}

std::string Request::MediaType() const {
  std::string type = Header("Content-Type");
  type.resize(std::min(type.find(';'), type.size()));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return type;
}

Status ParseTarget(Request& req) {
  auto parsed = boost::urls::parse_origin_form(req.target);
  if (!parsed) {
    return Status::Invalid("request target is not a valid path: " + req.target, "",
                           "target_invalid");
  }
  const boost::urls::url_view& url = *parsed;
  req.path = url.path();
  req.segments.clear();
  for (auto segment : url.segments()) req.segments.push_back(segment);
  req.query.clear();
  // params() decodes percent-escapes and '+' as a space, as HTML forms and curl send them.
  for (auto param : url.params()) req.query[param.key] = param.value;
  return Status::Ok();
}

Response JsonResponse(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(v);
  // Strings that are not UTF-8 (a path segment quoted in a 404, a row stored before inputs
  // were checked) would make the body invalid JSON: Boost.JSON copies their bytes as they are.
  if (!IsValidUtf8(r.body)) r.body = ToValidUtf8(r.body);
  return r;
}

namespace {
// An error message may quote what the request sent (an unknown id in the path): it is shown
// as text, never as the bytes that came, and never at length.
std::string Quotable(std::string_view message) {
  constexpr size_t kMaxBytes = 1000;
  std::string out = ToValidUtf8(message);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto u = static_cast<unsigned char>(out[i]);
    if (u < 0x20 || u == 0x7F) out.replace(i, 1, "\xEF\xBF\xBD"), i += 2;
  }
  if (out.size() > kMaxBytes) {
    size_t cut = kMaxBytes;
    while ((static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  return out;
}
}  // namespace

Response ErrorResponse(const Status& s) {
  boost::json::object error;
  error["code"] = s.code();
  error["message"] = Quotable(s.message());
  if (s.param().empty()) {
    error["param"] = nullptr;
  } else {
    error["param"] = s.param();
  }
  Response r = JsonResponse(s.http_status(), boost::json::object{{"error", std::move(error)}});
  if (s.kind() == Status::Kind::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"jopay\"");
  }
  return r;
}

Result<int64_t> QueryInt(const std::map<std::string, std::string>& query,
                         const std::string& name, int64_t min, int64_t max, int64_t fallback) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& s = it->second;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < min || n > max) {
    return Status::Invalid(fmt::format("{} must be an integer from {} to {}", name, min, max),
                           name);
  }
  return n;
}

}  // namespace jopay::http
