#include "daemon/pages/html.h"

#include <stdexcept>
#include <vector>

namespace jopay::pages {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string Fill(std::string_view tmpl, std::initializer_list<Var> vars) {
  std::vector<bool> used(vars.size(), false);
  std::string out;
  out.reserve(tmpl.size() * 2);
  size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {  // "{{" -> "{"
      out.push_back('{');
      i += 2;
      continue;
    }
    size_t start = i + 1;
    bool raw = start < tmpl.size() && tmpl[start] == '!';
    if (raw) ++start;
    size_t end = start;
    while (end < tmpl.size() && IsNameChar(tmpl[end])) ++end;
    if (end == start || end >= tmpl.size() || tmpl[end] != '}') {
      throw std::logic_error("template: stray '{' at " + std::to_string(i));
    }
    std::string_view name = tmpl.substr(start, end - start);
    size_t k = 0;
    for (const Var& v : vars) {
      if (v.name == name) break;
      ++k;
    }
    if (k == vars.size()) throw std::logic_error("template: no value for {" + std::string(name) + "}");
    used[k] = true;
    std::string_view value = (vars.begin() + k)->value;
    out += raw ? std::string(value) : Escape(value);
    i = end + 1;
  }
  size_t k = 0;
  for (const Var& v : vars) {
    if (!used[k++]) throw std::logic_error("template: unused value " + std::string(v.name));
  }
  return out;
}

}  // namespace jopay::pages
