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

TEST_CASE("ValidateEmail never quotes control characters or bytes that are not UTF-8") {
  // The hosted checkout page shows the message: it must not show the refused bytes again
  // (tests/fuzz/crashes/hosted_form/email_control_character_shown_on_page).
  for (const std::string& bad :
       {std::string("zoe\x1btag@example.com"), std::string("jo@example.com\n"),
        std::string("jo\0@example.com", 16), std::string("jo@exa\x7fmple.com"),
        std::string("\xff@example.com"), std::string(300, '\x01') + "@example.com"}) {
    const Status st = ValidateEmail(bad);
    REQUIRE_FALSE(st.ok());
    for (char c : st.message()) {
      const auto u = static_cast<unsigned char>(c);
      CHECK_MESSAGE((u >= 0x20 && u < 0x7F), st.message());
    }
  }
  // Spaces are text: the message still quotes what was typed.
  CHECK(ValidateEmail("jo @example.com").message() ==
        "email \"jo @example.com\" is not a valid email address: contains spaces");
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

namespace jopay {

TEST_CASE("IsValidUtf8 accepts UTF-8 and refuses what is not") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("Zoë, Ωμέγα, 日本, 🙂"));
  CHECK(IsValidUtf8("\xF4\x8F\xBF\xBF"));             // U+10FFFF, the last code point
  CHECK_FALSE(IsValidUtf8("\xFF\xFE"));                // never in UTF-8
  CHECK_FALSE(IsValidUtf8("\x80"));                    // a stray continuation byte
  CHECK_FALSE(IsValidUtf8("\xC3"));                    // cut short
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));                // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));            // overlong, three bytes
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));            // a surrogate (U+D800)
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));        // above U+10FFFF
  CHECK_FALSE(IsValidUtf8("ok\xC3(bad"));              // a lead byte without its continuation
}

TEST_CASE("ValidateText: UTF-8, no control characters, a length in characters; never quoted") {
  CHECK(ValidateText("Zoë Ωμέγα", "name", 9).ok());
  CHECK_FALSE(ValidateText("Zoë Ωμέγαx", "name", 9).ok());  // 10 characters, more bytes
  Status bad = ValidateText("a\xFF\xFE", "name", 100);
  CHECK(bad.param() == "name");
  CHECK(bad.message() == "name must be valid UTF-8 text");
  CHECK(ValidateText(std::string("a\0b", 3), "name", 100).message() ==
        "name must not contain control characters");
  CHECK_FALSE(ValidateText("line\nbreak", "name", 100).ok());
  CHECK(ValidateText("line\nbreak\tand tab", "description", 100, true).ok());
  CHECK_FALSE(ValidateText("bell\x07", "description", 100, true).ok());
  CHECK_FALSE(ValidateText("del\x7F", "name", 100).ok());
  CHECK(ValidateText(std::string(900'000, 'a'), "name", 200).message() ==
        "name must be at most 200 characters");
}

TEST_CASE("ValidateEmail does not quote an address that is not UTF-8") {
  Status st = ValidateEmail("\xFF@example.com");
  CHECK_FALSE(st.ok());
  CHECK(IsValidUtf8(st.message()));
  CHECK(st.message().find('\xFF') == std::string::npos);
}

}  // namespace jopay

namespace jopay {

TEST_CASE("ToValidUtf8 replaces each stray byte with U+FFFD and keeps the rest") {
  CHECK(ToValidUtf8("Zoë") == "Zoë");
  CHECK(ToValidUtf8("a\xFF\xFE" "b") == "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
  CHECK(ToValidUtf8("\xC3") == "\xEF\xBF\xBD");
  CHECK(IsValidUtf8(ToValidUtf8("\xED\xA0\x80 \xF4\x90\x80\x80 \xC0\xAF")));
}

}  // namespace jopay
