#include "daemon/providers/bitcoin/bech32.h"

#include <cstring>

namespace jopay::bitcoin {

namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t Polymod(const std::vector<uint8_t>& values) {
  constexpr uint32_t kGen[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

std::vector<uint8_t> ExpandHrp(std::string_view hrp) {
  std::vector<uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

}  // namespace

std::vector<uint8_t> ConvertBits(const std::vector<uint8_t>& in, int from, int to, bool pad) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t mask = (1u << to) - 1;
  for (uint8_t v : in) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<uint8_t>((acc >> bits) & mask));
    }
  }
  if (pad && bits > 0) out.push_back(static_cast<uint8_t>((acc << (to - bits)) & mask));
  return out;
}

std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& words) {
  std::vector<uint8_t> values = ExpandHrp(hrp);
  values.insert(values.end(), words.begin(), words.end());
  values.insert(values.end(), 6, 0);
  uint32_t mod = Polymod(values) ^ 1;  // bech32's constant (bech32m would use 0x2bc830a3)
  std::string out(hrp);
  out += '1';
  for (uint8_t w : words) out += kCharset[w & 31];
  for (int i = 0; i < 6; ++i) out += kCharset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

bool Bech32Decode(std::string_view text, Bech32* out) {
  bool lower = false, upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return false;
    lower |= (c >= 'a' && c <= 'z');
    upper |= (c >= 'A' && c <= 'Z');
  }
  size_t sep = text.rfind('1');
  if ((lower && upper) || sep == std::string_view::npos || sep == 0 || sep + 7 > text.size()) {
    return false;
  }
  Bech32 b;
  for (char c : text.substr(0, sep)) b.hrp += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (char c : text.substr(sep + 1)) {
    char l = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const char* at = std::strchr(kCharset, l);
    if (at == nullptr || l == 0) return false;
    b.words.push_back(static_cast<uint8_t>(at - kCharset));
  }
  std::vector<uint8_t> values = ExpandHrp(b.hrp);
  values.insert(values.end(), b.words.begin(), b.words.end());
  if (Polymod(values) != 1) return false;
  b.words.resize(b.words.size() - 6);
  *out = std::move(b);
  return true;
}

std::string SegwitAddress(std::string_view hrp, const std::vector<uint8_t>& program) {
  std::vector<uint8_t> words{0};  // witness version 0
  auto data = ConvertBits(program, 8, 5, true);
  words.insert(words.end(), data.begin(), data.end());
  return Bech32Encode(hrp, words);
}

}  // namespace jopay::bitcoin
