#include "common/json_fields.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/time.h"
#include "common/validate.h"

namespace jopay {

namespace json = boost::json;

namespace {
const json::value* Find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}
}  // namespace

Status GetString(const json::object& o, std::string_view key, std::optional<std::string>& out,
                 size_t max_len) {
  out.reset();
  const json::value* v = Find(o, key);
  if (!v) return Status::Ok();
  if (!v->is_string()) return Status::Invalid(fmt::format("{} must be a string", key), std::string(key));
  const auto& s = v->get_string();
  // Text only: UTF-8 (Boost.JSON's parser checks it; a value built otherwise may not be), no NUL
  // or other control characters but tab and line breaks, at most max_len characters.
  JOPAY_RETURN_IF_ERROR(ValidateText(s, key, max_len, /*multiline=*/true));
  out = std::string(s);
  return Status::Ok();
}

boost::json::value ParseStoredJson(std::string_view text, boost::json::storage_ptr sp) {
  if (IsValidUtf8(text)) return json::parse(text, std::move(sp));
  return json::parse(ToValidUtf8(text), std::move(sp));
}

Status GetInt(const json::object& o, std::string_view key, std::optional<int64_t>& out,
              int64_t min, int64_t max) {
  out.reset();
  const json::value* v = Find(o, key);
  if (!v) return Status::Ok();
  std::optional<int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->get_uint64());
  }
  if (!n || *n < min || *n > max) {
    return Status::Invalid(fmt::format("{} must be an integer from {} to {}", key, min, max),
                           std::string(key));
  }
  out = n;
  return Status::Ok();
}

Status GetBool(const json::object& o, std::string_view key, std::optional<bool>& out) {
  out.reset();
  const json::value* v = Find(o, key);
  if (!v) return Status::Ok();
  if (!v->is_bool()) return Status::Invalid(fmt::format("{} must be true or false", key), std::string(key));
  out = v->get_bool();
  return Status::Ok();
}

Status RejectUnknown(const json::object& o, std::initializer_list<std::string_view> known) {
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      return Status::Invalid(fmt::format("unknown field: {}", k), std::string(k),
                             "parameter_unknown");
    }
  }
  return Status::Ok();
}

Result<json::object> ParseObject(std::string_view body, std::string_view what) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) {
    return Status::Invalid(fmt::format("{} is not valid JSON: {}", what, ec.message()), "",
                           "invalid_json");
  }
  if (!v.is_object()) {
    return Status::Invalid(fmt::format("{} must be a JSON object", what), "", "invalid_json");
  }
  return std::move(v.get_object());
}

Status Require(bool present, std::string_view key) {
  if (present) return Status::Ok();
  return Status::Invalid(fmt::format("missing required param: {}", key), std::string(key),
                         "parameter_missing");
}

json::value TextOrNull(const std::optional<std::string>& s, json::storage_ptr sp) {
  return s ? json::value(*s, sp) : json::value(nullptr, sp);
}

json::value TimeOrNull(const std::optional<int64_t>& t, json::storage_ptr sp) {
  return t ? json::value(FormatRfc3339(*t), sp) : json::value(nullptr, sp);
}

}  // namespace jopay
