#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace jopay {
namespace {

// OpenSSL only fails here on allocation failure or a broken build; there is
// no sensible way on from that for a signature, so stop loudly.
[[noreturn]] void OpenSslFailed(const char* what) {
  std::fprintf(stderr, "jopay: OpenSSL %s failed\n", what);
  std::abort();
}

const unsigned char* Bytes(std::string_view s) {
  // OpenSSL wants a non-null pointer even for zero bytes.
  static const unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(Bytes(data), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    OpenSslFailed("EVP_Digest");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

namespace {

// HMAC() fetches the algorithm from OpenSSL's providers on every call, which costs more than
// hashing a webhook body. One context per thread, fetched and set to SHA-256 once, is re-keyed
// per call instead.
struct HmacContext {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  HmacContext() {
    mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac) ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_CTX_set_params(ctx, params) != 1) OpenSslFailed("EVP_MAC setup");
  }
  ~HmacContext() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  thread_local HmacContext h;
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (EVP_MAC_init(h.ctx, Bytes(key), key.size(), nullptr) != 1 ||
      EVP_MAC_update(h.ctx, Bytes(data), data.size()) != 1 ||
      EVP_MAC_final(h.ctx, md, &len, sizeof(md)) != 1) {
    OpenSslFailed("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  // 4 output characters per started 3-byte group, plus the NUL OpenSSL writes.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) {
      return false;
    }
  }
  size_t pad = 0;
  while (pad < text.size() && pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
  if (text.substr(0, text.size() - pad).find('=') != std::string_view::npos) return false;
  out.assign(3 * (text.size() / 4) + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(text),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  out.resize(static_cast<size_t>(n) - pad);  // EVP_DecodeBlock counts the padding as zeros
  return true;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    OpenSslFailed("RAND_bytes");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(Bytes(a), Bytes(b), a.size()) == 0;
}

}  // namespace jopay
