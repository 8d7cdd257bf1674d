// JSON text exactly as JavaScript's JSON.stringify writes it.
//
// Webhook bodies are signed as bytes, and many receivers verify the signature over
// JSON.stringify(JSON.parse(body)) (the Express pattern in the examples of docs/reference/jopay-checkout-api.txt). So the
// body must already be that fixed point:
//  - strings: Boost.JSON's escaping is JavaScript's (\b \f \n \r \t \" \\ short, other control
//    characters as \u00xx lowercase, '/' and all non-ASCII as they are); reused here.
//  - numbers: integers up to 2^53 as they are; anything else (doubles, larger integers) as
//    JavaScript's Number.prototype.toString prints the nearest double (1.5, 1e+21, 1e-7,
//    9007199254740992), since that is what JSON.parse turns it into.
//  - objects: keys that are array indices ("0", "12"; canonical uint32 below 2^32 - 1) first in
//    ascending numeric order, then the other keys in their order: JavaScript objects order
//    their properties that way. A repeated key keeps its first place and its last value.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace jopay {

std::string JsStringify(const boost::json::value& v);
// The same, appended to `out`; and a lone string, quoted and escaped.
void JsStringifyTo(const boost::json::value& v, std::string& out);
void JsQuoteTo(std::string_view text, std::string& out);

// A double as JavaScript's Number.prototype.toString writes it ("null" for NaN/Infinity, as
// JSON.stringify does).
std::string JsNumber(double d);

}  // namespace jopay
