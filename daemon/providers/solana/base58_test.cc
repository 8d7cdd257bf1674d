#include "daemon/providers/solana/base58.h"

#include <doctest/doctest.h>

#include <string>

namespace jopay::solana {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST_CASE("base58 decodes the Bitcoin alphabet, leading 1s as zero bytes") {
  CHECK(*DecodeBase58("2NEpo7TZRRrLZSi2U") == Bytes("Hello World!"));
  CHECK(*DecodeBase58("112") == std::vector<uint8_t>{0, 0, 1});
  CHECK(DecodeBase58("")->empty());
  // The System Program's address: 32 zero bytes.
  CHECK(*DecodeBase58("11111111111111111111111111111111") == std::vector<uint8_t>(32, 0));
  CHECK(*DecodeBase58("JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG") ==
        std::vector<uint8_t>(32, 0xff));
}

TEST_CASE("base58 refuses characters outside the alphabet and overlong text") {
  for (const char* bad : {"0abc", "Oabc", "Iabc", "labc", "ab c", "ab+c", "ab\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK_FALSE(DecodeBase58(bad));
  }
  CHECK_FALSE(DecodeBase58(std::string(129, '2')));
}

TEST_CASE("a pubkey is 32 bytes and a signature 64, each error naming its field") {
  const std::string key = "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG";
  const std::string sig =
      "67rpwLCuS5DGA8KGZXKsVQ7dnPb9goRLoKfgGbLfQg9WoLUgNY77E2jT11fem3coV9nAkguBACzrU1iyZM4B8roQ";
  CHECK(CheckPubkey(key, "userWallet").ok());
  CHECK(CheckSignature(sig, "signature").ok());
  Status wrong_size = CheckPubkey(sig, "userWallet");
  CHECK(wrong_size.kind() == Status::Kind::kInvalid);
  CHECK(wrong_size.param() == "userWallet");
  CHECK(CheckSignature(key, "signature").param() == "signature");
  // 12 bytes: too short for an address.
  CHECK(CheckPubkey("2NEpo7TZRRrLZSi2U", "subscriptionPda").param() == "subscriptionPda");
  CHECK_FALSE(CheckPubkey("0" + key.substr(1), "userWallet").ok());
  CHECK_FALSE(CheckPubkey("", "userWallet").ok());
}

}  // namespace
}  // namespace jopay::solana
