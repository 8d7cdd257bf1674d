#include "common/crypto.h"

#include <doctest/doctest.h>

#include <string>

namespace jopay {
namespace {

TEST_CASE("Sha256Hex matches the FIPS 180-2 vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("HmacSha256 matches RFC 4231") {
  // Test case 1.
  CHECK(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  CHECK(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  CHECK(HexEncode(HmacSha256(std::string(131, '\xaa'),
                             "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HmacSha256 returns 32 raw bytes and accepts empty inputs") {
  const std::string mac = HmacSha256("", "");
  CHECK(mac.size() == 32);
  CHECK(HexEncode(mac) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  CHECK(HmacSha256("k", "") != HmacSha256("", "k"));
}

TEST_CASE("HexEncode is lowercase, two characters a byte") {
  CHECK(HexEncode("") == "");
  CHECK(HexEncode(std::string("\x00\x01\x7f\x80\xff", 5)) == "00017f80ff");
  CHECK(HexEncode("JoPay") == "4a6f506179");
}

TEST_CASE("Base64Encode matches RFC 4648 section 10") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xfb\xff\xbf", 3)) == "+/+/");
}

TEST_CASE("Base64Encode writes no line breaks in long input") {
  const std::string out = Base64Encode(std::string(300, 'x'));
  CHECK(out.size() == 400);
  CHECK(out.find('\n') == std::string::npos);
}

TEST_CASE("a Standard Webhooks signature is base64 of the HMAC") {
  // Signature of "<id>.<t>.<body>", as the dispatcher sends it.
  const std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  CHECK(Base64Encode(mac) == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST_CASE("ConstantTimeEquals compares bytes and lengths") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("secret", "secret"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secreT"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secret2"));
  CHECK_FALSE(ConstantTimeEquals("secret", ""));
  CHECK_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST_CASE("Base64Decode inverts Base64Encode and rejects malformed text") {
  std::string out;
  for (std::string bytes : {std::string(""), std::string("f"), std::string("fo"),
                            std::string("foo"), std::string("\0\xff\x10", 3)}) {
    CHECK(Base64Decode(Base64Encode(bytes), out));
    CHECK(out == bytes);
  }
  CHECK(Base64Decode("Zm9vYmE=", out));
  CHECK(out == "fooba");
  CHECK_FALSE(Base64Decode("Zm9", out));       // not a multiple of 4
  CHECK_FALSE(Base64Decode("Zm9v YmE=", out)); // whitespace
  CHECK_FALSE(Base64Decode("Zm=vYmE=", out));  // padding inside
  CHECK_FALSE(Base64Decode("Zm9v!mE=", out));
}

TEST_CASE("RandomBytes gives n bytes that differ between calls") {
  CHECK(RandomBytes(0).empty());
  CHECK(RandomBytes(32).size() == 32);
  CHECK(RandomBytes(32) != RandomBytes(32));
}

}  // namespace
}  // namespace jopay
