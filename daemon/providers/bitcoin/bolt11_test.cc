#include "daemon/providers/bitcoin/bolt11.h"

#include <doctest/doctest.h>
#include <openssl/sha.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "daemon/providers/bitcoin/bech32.h"

namespace jopay::bitcoin {

TEST_CASE("bech32: BIP 173's P2WPKH example address, and decoding checks the checksum") {
  std::vector<uint8_t> program = {0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94,
                                  0x1c, 0x45, 0xd1, 0xb3, 0xa3, 0x23, 0xf1, 0x43, 0x3b, 0xd6};
  CHECK(SegwitAddress("bc", program) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  Bech32 b;
  REQUIRE(Bech32Decode("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", &b));
  CHECK(b.hrp == "bc");
  CHECK(ConvertBits({b.words.begin() + 1, b.words.end()}, 5, 8, false) == program);
  CHECK_FALSE(Bech32Decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", &b));  // checksum
  CHECK_FALSE(Bech32Decode("bc1qw508d6qejxtdg4y5r3zarvaRy0c5xw7kv8f3t4", &b));  // mixed case
  CHECK_FALSE(Bech32Decode("bcqw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", &b));   // no separator
  CHECK_FALSE(Bech32Decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", &b));  // 'b' not in set
}

TEST_CASE("BOLT11: amounts take their shortest spelling") {
  CHECK(AmountPart(2500) == "25u");
  CHECK(AmountPart(100000) == "1m");
  CHECK(AmountPart(1) == "10n");
  CHECK(AmountPart(123) == "1230n");
}

namespace {

// The value of the tagged field `type` in an invoice's data words (after the timestamp).
std::vector<uint8_t> Field(const std::vector<uint8_t>& words, uint8_t type) {
  size_t i = 7;
  while (i + 3 <= words.size()) {
    size_t len = words[i + 1] * 32u + words[i + 2];
    if (words[i] == type) return {words.begin() + i + 3, words.begin() + i + 3 + len};
    i += 3 + len;
  }
  return {};
}

}  // namespace

TEST_CASE("BOLT11: a sandbox invoice decodes to what it was made of and its signature recovers "
          "the sandbox node") {
  InvoiceRequest r;
  r.amount_sats = 2500;
  r.timestamp = 1735689600;
  r.expiry = 900;
  r.payment_hash.fill(0x11);
  r.payment_secret.fill(0x22);
  r.description = "Pro plan, January";
  std::string invoice = EncodeInvoice(r);
  CHECK(invoice.starts_with("lnbcrt25u1"));
  Bech32 b;
  REQUIRE(Bech32Decode(invoice, &b));
  CHECK(b.hrp == "lnbcrt25u");
  REQUIRE(b.words.size() > 7 + 104);
  std::vector<uint8_t> sig_words(b.words.end() - 104, b.words.end());
  std::vector<uint8_t> data(b.words.begin(), b.words.end() - 104);

  uint64_t ts = 0;
  for (int i = 0; i < 7; ++i) ts = ts * 32 + data[i];
  CHECK(ts == 1735689600u);
  auto hash = ConvertBits(Field(data, 1), 5, 8, false);
  CHECK(hash == std::vector<uint8_t>(32, 0x11));
  auto desc = ConvertBits(Field(data, 13), 5, 8, false);
  CHECK(std::string(desc.begin(), desc.end()) == r.description);
  auto x = Field(data, 6);
  uint64_t expiry = 0;
  for (uint8_t w : x) expiry = expiry * 32 + w;
  CHECK(expiry == 900u);

  std::vector<uint8_t> preimage(b.hrp.begin(), b.hrp.end());
  auto bytes = ConvertBits(data, 5, 8, true);
  preimage.insert(preimage.end(), bytes.begin(), bytes.end());
  uint8_t digest[32];
  SHA256(preimage.data(), preimage.size(), digest);
  auto sig = ConvertBits(sig_words, 5, 8, false);
  REQUIRE(sig.size() == 65);
  auto* ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  secp256k1_ecdsa_recoverable_signature rs;
  REQUIRE(secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig.data(), sig[64]));
  secp256k1_pubkey pub;
  REQUIRE(secp256k1_ecdsa_recover(ctx, &pub, &rs, digest));
  std::array<uint8_t, 33> node{};
  size_t len = node.size();
  secp256k1_ec_pubkey_serialize(ctx, node.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
  secp256k1_context_destroy(ctx);
  CHECK(node == SandboxNodeId());
}

}  // namespace jopay::bitcoin
