// Input checks shared by the public API, the admin API and jopayctl, so that
// every face rejects the same inputs with the same message.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/status.h"

namespace jopay {

// Pragmatic email check, meant for the NormalizeEmail form: at most 254
// bytes; exactly one '@'; a non-empty local part; a domain that contains a
// dot and has no empty labels ("a@b.com" passes, "a@.com", "a@b." and
// "a@b..com" do not); no spaces or control characters. It does not try to be
// RFC 5322: delivery is the real test. Failure is Status::Invalid naming
// `param`; an email that is not UTF-8 or holds control characters is refused
// without being quoted.
Status ValidateEmail(std::string_view email, std::string_view param = "email");

// Metadata is a JSON object of at most 50 keys; each key is 1..40 characters
// and each value a string of at most 500 characters (characters are UTF-8
// code points, not bytes). Failure is Status::Invalid naming `param` whose
// message names the offending key.
Status ValidateMetadata(const boost::json::value& v, std::string_view param = "metadata");

// True when `s` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no
// surrogates, nothing above U+10FFFF (RFC 3629).
bool IsValidUtf8(std::string_view s);

// `s` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD, for
// text that must be shown or sent whatever bytes reached it (rows stored before inputs were
// checked, error messages that quote a request).
std::string ToValidUtf8(std::string_view s);

// Text a person typed or a merchant sent (a name, a description, a label): well-formed UTF-8,
// no NUL or other control characters (tab and newline only when `multiline`), at most
// `max_chars` characters (code points). Failure is Status::Invalid naming `param`; its message
// never quotes the text, so an error answer cannot carry the bytes that were refused.
Status ValidateText(std::string_view text, std::string_view param, size_t max_chars,
                    bool multiline = false);

// The email with ASCII whitespace trimmed from both ends and ASCII letters
// lowercased, so one customer is one row however they typed it.
std::string NormalizeEmail(std::string_view email);

}  // namespace jopay
