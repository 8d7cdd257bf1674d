#include "daemon/providers/stripe/form.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace jopay::stripe {

std::string PercentEncode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string EncodeForm(const Form& form) {
  std::string out;
  for (const auto& [name, value] : form) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

}  // namespace jopay::stripe
