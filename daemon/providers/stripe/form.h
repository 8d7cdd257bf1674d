// Stripe's request bodies: application/x-www-form-urlencoded, nested fields spelled with
// brackets (metadata[jopay_key]=..., line_items[0][quantity]=1, expand[]=payment_intent).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jopay::stripe {

// Fields in the order they are sent; a name may repeat (expand[]).
using Form = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y": every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) percent-encoded,
// names (brackets included) and values alike, as Stripe's own libraries send them.
std::string EncodeForm(const Form& form);

// One component percent-encoded the same way (for a query string or a path segment).
std::string PercentEncode(std::string_view s);

}  // namespace jopay::stripe
