#include "common/validate.h"

#include <doctest/doctest.h>

#include <string>

namespace jopay {
namespace {

TEST_CASE("ValidateEmail accepts ordinary addresses") {
  for (const char* ok : {"a@b.co", "jo@example.com", "first.last+tag@mail.example.org",
                         "x_y-z@sub.domain.io", "o'brien@example.ie"}) {
    CHECK_MESSAGE(ValidateEmail(ok).ok(), ok);
  }
  // 64 + 1 + 189 = 254 bytes: the limit exactly.
  const std::string longest = std::string(64, 'a') + "@" + std::string(185, 'b') + ".com";
  REQUIRE(longest.size() == 254);
  CHECK(ValidateEmail(longest).ok());
}

TEST_CASE("ValidateEmail rejects malformed addresses, naming the param") {
  const std::string too_long = std::string(64, 'a') + "@" + std::string(186, 'b') + ".com";
  for (const std::string& bad :
       {std::string(""), std::string("plain"), std::string("@example.com"),
        std::string("jo@"), std::string("jo@localhost"), std::string("jo@@example.com"),
        std::string("jo@ex@ample.com"), std::string("jo @example.com"),
        std::string(" jo@example.com"), std::string("jo@example.com\n"),
        std::string("jo\t@example.com"), std::string("jo@.example.com"),
        std::string("jo@example.com."), std::string("jo@example..com"),
        std::string("jo@exa\x7fmple.com"), std::string("jo\0@example.com", 16), too_long}) {
    const Status st = ValidateEmail(bad);
    CHECK_MESSAGE(!st.ok(), "accepted: '", bad, "'");
    CHECK(st.kind() == Status::Kind::kInvalid);
    CHECK(st.param() == "email");
  }
  CHECK(ValidateEmail("nope", "customer_email").param() == "customer_email");
}

TEST_CASE("NormalizeEmail trims and lowercases") {
  CHECK(NormalizeEmail("  Jo@Example.COM \t\n") == "jo@example.com");
  CHECK(NormalizeEmail("jo@example.com") == "jo@example.com");
  CHECK(NormalizeEmail("   ") == "");
  CHECK(NormalizeEmail("") == "");
  CHECK(NormalizeEmail("J O@x.y") == "j o@x.y");  // inner spaces stay for ValidateEmail
  CHECK(ValidateEmail(NormalizeEmail("  Jo@Example.COM ")).ok());
}

TEST_CASE("ValidateMetadata accepts an object of short strings") {
  CHECK(ValidateMetadata(boost::json::parse(R"({})")).ok());
  CHECK(ValidateMetadata(boost::json::parse(R"({"order_id": "6735", "note": ""})")).ok());
  boost::json::object fifty;
  for (int i = 0; i < 50; ++i) fifty["k" + std::to_string(i)] = std::string(500, 'v');
  fifty[std::string(40, 'k')] = "longest key";
  fifty.erase("k0");
  CHECK(ValidateMetadata(fifty).ok());
}

TEST_CASE("ValidateMetadata counts characters, not bytes") {
  boost::json::object o;
  o[std::string(40, 'a')] = "x";  // 40 ASCII characters
  std::string key;
  for (int i = 0; i < 40; ++i) key += "\xc3\xa9";  // 40 x U+00E9, 80 bytes
  std::string value;
  for (int i = 0; i < 500; ++i) value += "\xe2\x82\xac";  // 500 x U+20AC, 1500 bytes
  o[key] = value;
  CHECK(ValidateMetadata(o).ok());
}

Status Check(const boost::json::value& v) { return ValidateMetadata(v); }

void ExpectBad(const boost::json::value& v, std::string_view mentions) {
  const Status st = Check(v);
  CHECK_MESSAGE(!st.ok(), boost::json::serialize(v));
  CHECK(st.kind() == Status::Kind::kInvalid);
  CHECK(st.param() == "metadata");
  CHECK_MESSAGE(st.message().find(mentions) != std::string::npos, st.message());
}

TEST_CASE("ValidateMetadata rejects non-objects") {
  ExpectBad(boost::json::parse("[]"), "object");
  ExpectBad(boost::json::parse("\"a=b\""), "object");
  ExpectBad(boost::json::parse("null"), "object");
  ExpectBad(boost::json::parse("7"), "object");
}

TEST_CASE("ValidateMetadata rejects bad keys and values, naming the key") {
  ExpectBad(boost::json::parse(R"({"": "x"})"), "key \"\"");
  ExpectBad(boost::json::object{{std::string(41, 'k'), "x"}}, "kkkkkkkk");
  ExpectBad(boost::json::parse(R"({"count": 3})"), "\"count\"");
  ExpectBad(boost::json::parse(R"({"flag": true})"), "\"flag\"");
  ExpectBad(boost::json::parse(R"({"nested": {"a": "b"}})"), "\"nested\"");
  ExpectBad(boost::json::parse(R"({"gone": null})"), "\"gone\"");
  ExpectBad(boost::json::object{{"note", std::string(501, 'v')}}, "\"note\"");
}

TEST_CASE("ValidateMetadata rejects more than 50 keys") {
  boost::json::object o;
  for (int i = 0; i < 51; ++i) o["k" + std::to_string(i)] = "v";
  ExpectBad(o, "50");
  CHECK(ValidateMetadata(o, "subscription_data[metadata]").param() ==
        "subscription_data[metadata]");
}

}  // namespace
}  // namespace jopay
