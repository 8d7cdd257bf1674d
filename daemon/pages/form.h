// The HTML-form side of HTTP for the hosted pages, on Boost.URL: reading an
// application/x-www-form-urlencoded body and adding a parameter to a merchant's URL.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/http/message.h"

namespace jopay::pages {

// The fields of an urlencoded body, decoded ('+' is a space; the last of a repeated name wins).
// A body that is not a valid query string -> Invalid "form_invalid".
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// The request's form fields; a Content-Type other than application/x-www-form-urlencoded
// (parameters such as charset allowed; a missing one is taken as the form type) -> Invalid
// "content_type_unsupported".
Result<std::map<std::string, std::string>> FormOf(const http::Request& req);

// `url` with `name=value` appended to its query ("?" or "&" as needed, value percent-encoded,
// before any fragment). `url` must parse as a URI (the checkout API validated it).
Result<std::string> WithQueryParam(std::string_view url, std::string_view name,
                                   std::string_view value);

}  // namespace jopay::pages
