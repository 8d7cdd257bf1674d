#include "daemon/providers/bitcoin/bolt11.h"

#include <openssl/sha.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <stdexcept>
#include <vector>

#include "daemon/providers/bitcoin/bech32.h"

namespace jopay::bitcoin {

namespace {

using Words = std::vector<uint8_t>;

// BOLT11 field types, as their bech32 character's value.
constexpr uint8_t kPaymentHash = 1;     // p
constexpr uint8_t kDescription = 13;    // d
constexpr uint8_t kExpiry = 6;          // x
constexpr uint8_t kPaymentSecret = 16;  // s
constexpr uint8_t kFeatures = 5;        // 9
constexpr uint8_t kMinFinalCltv = 24;   // c

// An unsigned integer as the fewest big-endian 5-bit words (at least one).
Words UintWords(uint64_t v, size_t min_words = 1) {
  Words w;
  while (v > 0 || w.size() < min_words) {
    w.insert(w.begin(), static_cast<uint8_t>(v & 31));
    v >>= 5;
  }
  return w;
}

void AddField(Words& out, uint8_t type, const Words& data) {
  out.push_back(type);
  Words len = UintWords(data.size(), 2);
  out.insert(out.end(), len.begin(), len.end());
  out.insert(out.end(), data.begin(), data.end());
}

Words BytesWords(const uint8_t* p, size_t n) { return ConvertBits(Words(p, p + n), 8, 5, true); }

const secp256k1_context* Context() {
  static const secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
  return ctx;
}

// The sandbox node's secret: SHA-256 of a fixed seed (a valid key; checked).
std::array<uint8_t, 32> NodeSecret() {
  static const std::array<uint8_t, 32> key = [] {
    static constexpr char kSeed[] = "jopay test-mode sandbox lightning node";
    std::array<uint8_t, 32> k{};
    SHA256(reinterpret_cast<const uint8_t*>(kSeed), sizeof kSeed - 1, k.data());
    if (!secp256k1_ec_seckey_verify(Context(), k.data())) throw std::logic_error("sandbox key");
    return k;
  }();
  return key;
}

}  // namespace

std::string AmountPart(int64_t sats) {
  if (sats % 100000 == 0) return std::to_string(sats / 100000) + "m";
  if (sats % 100 == 0) return std::to_string(sats / 100) + "u";
  return std::to_string(sats * 10) + "n";
}

std::array<uint8_t, 33> SandboxNodeId() {
  secp256k1_pubkey pub;
  auto secret = NodeSecret();
  if (!secp256k1_ec_pubkey_create(Context(), &pub, secret.data())) throw std::logic_error("key");
  std::array<uint8_t, 33> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Context(), out.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
  return out;
}

std::string EncodeInvoice(const InvoiceRequest& r) {
  std::string hrp = "ln" + r.network + AmountPart(r.amount_sats);
  Words data = UintWords(static_cast<uint64_t>(r.timestamp), 7);  // 35-bit timestamp
  AddField(data, kPaymentHash, BytesWords(r.payment_hash.data(), 32));
  AddField(data, kPaymentSecret, BytesWords(r.payment_secret.data(), 32));
  AddField(data, kDescription, BytesWords(reinterpret_cast<const uint8_t*>(r.description.data()),
                                          r.description.size()));
  AddField(data, kExpiry, UintWords(static_cast<uint64_t>(r.expiry)));
  AddField(data, kMinFinalCltv, UintWords(18));
  // var_onion_optin (bit 8) and payment_secret (bit 14), both required: what wallets expect.
  AddField(data, kFeatures, UintWords((1u << 8) | (1u << 14)));

  // The signature covers the hrp's bytes followed by the data words regrouped into bytes.
  std::vector<uint8_t> preimage(hrp.begin(), hrp.end());
  Words bytes = ConvertBits(data, 5, 8, true);
  preimage.insert(preimage.end(), bytes.begin(), bytes.end());
  uint8_t digest[32];
  SHA256(preimage.data(), preimage.size(), digest);
  secp256k1_ecdsa_recoverable_signature sig;
  auto secret = NodeSecret();
  if (!secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest, secret.data(), nullptr, nullptr)) {
    throw std::logic_error("BOLT11 signing failed");
  }
  uint8_t compact[65];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), compact, &recid, &sig);
  compact[64] = static_cast<uint8_t>(recid);
  Words sig_words = BytesWords(compact, 65);  // 520 bits: exactly 104 words
  data.insert(data.end(), sig_words.begin(), sig_words.end());
  return Bech32Encode(hrp, data);
}

}  // namespace jopay::bitcoin
