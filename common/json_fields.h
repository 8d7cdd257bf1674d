// Typed reads of request fields from a JSON object, with errors that name the field.
//
// Each Get* leaves `out` empty when the key is absent (or null) and fails with
// Status::Invalid(param = key) when it is present with the wrong type or out of range.
// Integers must be JSON integers that fit int64: 10.0, 1e3, "10" and 2^64 are rejected.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace jopay {

Status GetString(const boost::json::object& o, std::string_view key,
                 std::optional<std::string>& out, size_t max_len = 5000);
Status GetInt(const boost::json::object& o, std::string_view key, std::optional<int64_t>& out,
              int64_t min, int64_t max);
Status GetBool(const boost::json::object& o, std::string_view key, std::optional<bool>& out);
// Fails on the first key of `o` not in `known`, naming it.
Status RejectUnknown(const boost::json::object& o, std::initializer_list<std::string_view> known);
// Parses JSON text that jopayd stored itself (event data). Rows written before inputs were
// checked may hold bytes that are not UTF-8 (a customer's name): those become U+FFFD instead
// of failing every reader of the row. Throws boost::system::system_error on other bad JSON.
boost::json::value ParseStoredJson(std::string_view text, boost::json::storage_ptr sp = {});

// Parses a request body that must be a JSON object (an empty body is an empty object).
// Depth is limited to 32 levels. `what` names the text in error messages.
Result<boost::json::object> ParseObject(std::string_view body,
                                        std::string_view what = "request body");
// "missing required param: X" when `present` is false.
Status Require(bool present, std::string_view key);

// Optional fields of views: the text, or null; a time (Unix seconds) as RFC 3339, or null.
boost::json::value TextOrNull(const std::optional<std::string>& s,
                              boost::json::storage_ptr sp = {});
boost::json::value TimeOrNull(const std::optional<int64_t>& t, boost::json::storage_ptr sp = {});

}  // namespace jopay
