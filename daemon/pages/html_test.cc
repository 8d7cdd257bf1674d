#include "daemon/pages/html.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

namespace jopay::pages {
namespace {

TEST_CASE("Escape: markup and both quote kinds become entities") {
  CHECK(Escape("<script>alert(\"x\")</script>") ==
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  CHECK(Escape("Tom & Jerry's") == "Tom &amp; Jerry&#39;s");
  CHECK(Escape("") == "");
  CHECK(Escape("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");  // UTF-8 untouched
  CHECK(Escape("&amp;") == "&amp;amp;");  // escaping twice shows the text, not the entity
}

TEST_CASE("Fill: {name} is escaped, {!name} is inserted as is") {
  CHECK(Fill("<p title=\"{t}\">{body}</p>", {{"t", "a\"b"}, {"body", "<b>x</b>"}}) ==
        "<p title=\"a&quot;b\">&lt;b&gt;x&lt;/b&gt;</p>");
  std::string inner = Fill("<b>{x}</b>", {{"x", "1 < 2"}});
  CHECK(Fill("<div>{!inner}</div>", {{"inner", inner}}) == "<div><b>1 &lt; 2</b></div>");
  CHECK(Fill("{a}{a}", {{"a", "'"}}) == "&#39;&#39;");
}

TEST_CASE("Fill: a value that looks like a placeholder is not expanded again") {
  CHECK(Fill("{a}", {{"a", "{b}"}}) == "{b}");
}

TEST_CASE("Fill: {{ is a literal brace (CSS)") {
  CHECK(Fill("p {{ color: red; }", {}) == "p { color: red; }");
}

TEST_CASE("Fill: mistakes throw instead of dropping or leaking text") {
  CHECK_THROWS_AS(Fill("{missing}", {}), std::logic_error);
  CHECK_THROWS_AS(Fill("no placeholders", {{"unused", "x"}}), std::logic_error);
  CHECK_THROWS_AS(Fill("a { b", {}), std::logic_error);
  CHECK_THROWS_AS(Fill("{unterminated", {{"unterminated", "x"}}), std::logic_error);
}

TEST_CASE("Each: concatenates the markup made for every item") {
  std::vector<std::string> names{"<a>", "b"};
  CHECK(Each(names, [](const std::string& n) { return Fill("<li>{n}</li>", {{"n", n}}); }) ==
        "<li>&lt;a&gt;</li><li>b</li>");
}

}  // namespace
}  // namespace jopay::pages
