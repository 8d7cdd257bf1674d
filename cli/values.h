// Checks and conversions of command-line values, shared by the parser (which
// rejects bad values as usage errors, exit 2) and the handlers.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "common/status.h"

namespace jopay::cli {

// Empty when `value` suits `kind`, else why not ("must be a whole number ...").
// Text and files are always fine here; choices are checked by the parser.
std::string CheckValue(ValueKind kind, std::string_view value);

// Metadata entries "k=v" as a JSON object of strings. The value may hold '='
// ("a=b=c" is key a, value "b=c") or be empty; a missing '=', an empty key or
// a key given twice is Status::Invalid with param "metadata".
Result<boost::json::object> ParseKeyValues(const std::vector<std::string>& entries);

// A comma-separated list of `choices` ("card,lightning"; spaces around entries are fine) as a
// JSON array of strings in the order given. An entry not in `choices`, one given twice, or no
// entry at all is a usage error (exit 2) naming --`option`.
Result<boost::json::array> ParseChoiceList(std::string_view text,
                                           const std::vector<std::string>& choices,
                                           std::string_view option);

// `path` made absolute against `cwd` (lexically; the file need not exist).
std::string AbsolutePath(std::string_view path, std::string_view cwd);

// A lowercase copy (currency codes: the API spells them lowercase).
std::string Lowercase(std::string_view s);

}  // namespace jopay::cli
