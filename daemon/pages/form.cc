#include "daemon/pages/form.h"

#include <boost/url.hpp>

namespace jopay::pages {

namespace urls = boost::urls;

Result<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  if (!urls::parse_query(body)) {
    return Status::Invalid("The form data is not validly encoded.", "", "form_invalid");
  }
  urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::map<std::string, std::string> fields;
  for (auto param : urls::params_view(body, opts)) {  // valid: checked above, cannot throw
    if (param.key.empty() && !param.has_value) continue;  // "a=1&&b=2"
    fields[param.key] = param.value;
  }
  return fields;
}

Result<std::map<std::string, std::string>> FormOf(const http::Request& req) {
  if (!req.Header("Content-Type").empty() &&
      req.MediaType() != "application/x-www-form-urlencoded") {
    return Status::Invalid("Forms must be sent as application/x-www-form-urlencoded.", "",
                           "content_type_unsupported");
  }
  return ParseForm(req.body);
}

Result<std::string> WithQueryParam(std::string_view url, std::string_view name,
                                   std::string_view value) {
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed) return Status::Invalid("The URL is not valid.", "url");
  urls::url u(*parsed);
  u.params().append({name, value});
  return std::string(u.buffer());
}

}  // namespace jopay::pages
