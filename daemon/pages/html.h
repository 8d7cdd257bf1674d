// HTML for the hosted pages: escaping and a tiny template filler, so that no page builds markup
// from merchant or customer strings by hand.
//
// Templates are literal HTML with placeholders: "{name}" is replaced by the value's text
// HTML-escaped (safe in element content and in double- or single-quoted attribute values),
// "{!name}" by the value as is (markup built by Fill or by this file, never raw input). A
// placeholder without a value, or a value without a placeholder, is a programming error and
// throws std::logic_error (the route's guard answers 500): a typo cannot silently drop or leak
// text. "{{" stands for a literal "{" (CSS rules in templates).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace jopay::pages {

// & < > " ' replaced by entities; every other byte is copied.
std::string Escape(std::string_view text);

struct Var {
  std::string_view name;
  std::string_view value;
};
std::string Fill(std::string_view tmpl, std::initializer_list<Var> vars);

// `html` once for each item: `make(item)` must return markup (usually from Fill).
template <class Items, class Make>
std::string Each(const Items& items, Make make) {
  std::string out;
  for (const auto& item : items) out += make(item);
  return out;
}

}  // namespace jopay::pages
