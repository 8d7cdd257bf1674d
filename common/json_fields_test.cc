#include "common/json_fields.h"

#include <doctest/doctest.h>

using namespace jopay;
namespace json = boost::json;

TEST_CASE("GetInt accepts only integers in range") {
  auto o = json::parse(R"({"a": 5, "b": 5.0, "c": "5", "d": 1e3, "e": 18446744073709551615,
                           "f": -1, "g": null})").as_object();
  std::optional<int64_t> v;
  CHECK(GetInt(o, "a", v, 1, 10).ok());
  CHECK(*v == 5);
  CHECK(GetInt(o, "b", v, 1, 10).param() == "b");
  CHECK_FALSE(GetInt(o, "c", v, 1, 10).ok());
  CHECK_FALSE(GetInt(o, "d", v, 1, 10000).ok());
  CHECK_FALSE(GetInt(o, "e", v, 1, INT64_MAX).ok());
  CHECK_FALSE(GetInt(o, "f", v, 1, 10).ok());
  CHECK(GetInt(o, "g", v, 1, 10).ok());
  CHECK_FALSE(v.has_value());
  CHECK(GetInt(o, "missing", v, 1, 10).ok());
  CHECK_FALSE(v.has_value());
}

TEST_CASE("GetString and GetBool check types and length") {
  auto o = json::parse(R"({"s": "hello", "n": 3, "b": true})").as_object();
  std::optional<std::string> s;
  CHECK(GetString(o, "s", s).ok());
  CHECK(*s == "hello");
  CHECK(GetString(o, "s", s, 3).code() == "parameter_invalid");
  CHECK_FALSE(GetString(o, "n", s).ok());
  std::optional<bool> b;
  CHECK(GetBool(o, "b", b).ok());
  CHECK(*b);
  CHECK_FALSE(GetBool(o, "s", b).ok());
}

TEST_CASE("RejectUnknown names the field") {
  auto o = json::parse(R"({"name": "x", "amout": 5})").as_object();
  Status st = RejectUnknown(o, {"name", "amount"});
  CHECK(st.param() == "amout");
  CHECK(st.code() == "parameter_unknown");
}

TEST_CASE("ParseObject rejects non-objects, bad JSON and deep nesting") {
  CHECK(ParseObject("").ok());
  CHECK(ParseObject(R"({"a":1})").ok());
  CHECK(ParseObject("[1]").status().code() == "invalid_json");
  CHECK(ParseObject("{bad").status().code() == "invalid_json");
  std::string deep = R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}";
  CHECK_FALSE(ParseObject(deep).ok());
}

TEST_CASE("GetString refuses NUL and control characters, keeps line breaks, counts characters") {
  json::object o;
  o["nul"] = std::string("a\0b", 3);
  o["bell"] = "ring\x07";
  o["lines"] = "two\nlines\ttabbed";
  o["greek"] = "ωωω";  // 3 characters, 6 bytes
  o["raw"] = "\xFF\xFE";  // not UTF-8 (a value built in code, not parsed)
  std::optional<std::string> v;
  CHECK(GetString(o, "nul", v).param() == "nul");
  CHECK_FALSE(GetString(o, "bell", v).ok());
  CHECK(GetString(o, "lines", v).ok());
  CHECK(GetString(o, "greek", v, 3).ok());
  CHECK_FALSE(GetString(o, "greek", v, 2).ok());
  Status raw = GetString(o, "raw", v);
  CHECK_FALSE(raw.ok());
  CHECK(raw.message() == "raw must be valid UTF-8 text");
}

TEST_CASE("ParseStoredJson reads rows that hold bytes that are not UTF-8") {
  auto v = ParseStoredJson("{\"name\": \"Zo\xFF\"}");
  CHECK(v.at("name").as_string() == "Zo\xEF\xBF\xBD");
  CHECK(ParseStoredJson(R"({"a": 1})").at("a").as_int64() == 1);
  CHECK_THROWS(ParseStoredJson("{"));
}
