#include "daemon/pages/form.h"

#include <doctest/doctest.h>

namespace jopay::pages {
namespace {

TEST_CASE("ParseForm: decodes percent-escapes and '+' as a space") {
  auto f = ParseForm("card=4242+4242%204242&email=a%2Bb%40example.com&token=ab%26c%3Dd");
  REQUIRE(f.ok());
  CHECK(f->at("card") == "4242 4242 4242");
  CHECK(f->at("email") == "a+b@example.com");
  CHECK(f->at("token") == "ab&c=d");
}

TEST_CASE("ParseForm: empty values, empty bodies, repeated names") {
  auto f = ParseForm("a=&b&&a=2");
  REQUIRE(f.ok());
  CHECK(f->at("a") == "2");
  CHECK(f->at("b") == "");
  CHECK(ParseForm("")->empty());
}

TEST_CASE("ParseForm: a bad escape is refused") {
  auto f = ParseForm("card=%zz");
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().code() == "form_invalid");
}

TEST_CASE("FormOf: only urlencoded forms (or no Content-Type) are read") {
  http::Request req;
  req.body = "x=1";
  CHECK(FormOf(req)->at("x") == "1");
  req.headers = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  CHECK(FormOf(req)->at("x") == "1");
  req.headers = {{"Content-Type", "application/json"}};
  CHECK(FormOf(req).status().code() == "content_type_unsupported");
}

TEST_CASE("WithQueryParam: '?' or '&' as needed, encoded, before the fragment") {
  CHECK(*WithQueryParam("https://shop.example/ok", "session_id", "cs_1") ==
        "https://shop.example/ok?session_id=cs_1");
  CHECK(*WithQueryParam("https://shop.example/ok?order=7", "session_id", "cs_1") ==
        "https://shop.example/ok?order=7&session_id=cs_1");
  CHECK(*WithQueryParam("https://shop.example/ok#top", "session_id", "cs_1") ==
        "https://shop.example/ok?session_id=cs_1#top");
  CHECK(*WithQueryParam("http://127.0.0.1:9/ok?a=1", "n", "a b&c") ==
        "http://127.0.0.1:9/ok?a=1&n=a%20b%26c");
}

}  // namespace
}  // namespace jopay::pages
