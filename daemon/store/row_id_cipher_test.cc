#include "daemon/store/row_id_cipher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace jopay {

namespace {
constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f";
}

TEST_CASE("RowIdCipher: decrypting undoes encrypting, across the whole domain") {
  RowIdCipher c(kKey);
  std::mt19937_64 rng(7);
  std::vector<int64_t> samples = {0, 1, 2, 61, 62, 1'000'000, RowIdCipher::kDomain - 1};
  for (int i = 0; i < 20000; ++i) samples.push_back(static_cast<int64_t>(rng() % RowIdCipher::kDomain));
  for (int64_t n : samples) {
    int64_t e = c.Encrypt(n);
    CHECK(e >= 0);
    CHECK(e < RowIdCipher::kDomain);
    CHECK(c.Decrypt(e) == n);
  }
  CHECK_THROWS_AS(c.Encrypt(-1), std::out_of_range);
  CHECK_THROWS_AS(c.Encrypt(RowIdCipher::kDomain), std::out_of_range);
  CHECK_THROWS_AS(c.Decrypt(RowIdCipher::kDomain), std::out_of_range);
}

TEST_CASE("RowIdCipher: consecutive keys give scattered, distinct numbers") {
  RowIdCipher c(kKey);
  std::vector<int64_t> out;
  for (int64_t pk = 1; pk <= 10000; ++pk) out.push_back(c.Encrypt(pk));
  CHECK(std::set<int64_t>(out.begin(), out.end()).size() == out.size());
  CHECK_FALSE(std::is_sorted(out.begin(), out.end()));
  // The first ids of a store must not be small numbers: spread over the domain, about half
  // of them fall in its upper half.
  int64_t upper = std::count_if(out.begin(), out.end(),
                                [](int64_t e) { return e >= RowIdCipher::kDomain / 2; });
  CHECK(upper > 4500);
  CHECK(upper < 5500);
}

TEST_CASE("RowIdCipher: each store's key gives another permutation; bad keys are refused") {
  RowIdCipher a(kKey);
  RowIdCipher b("ffeeddccbbaa99887766554433221100");
  int same = 0;
  for (int64_t pk = 1; pk <= 1000; ++pk) same += a.Encrypt(pk) == b.Encrypt(pk);
  CHECK(same == 0);
  CHECK_THROWS_AS(RowIdCipher("00"), std::invalid_argument);
  CHECK_THROWS_AS(RowIdCipher("zz0102030405060708090a0b0c0d0e0f"), std::invalid_argument);
  CHECK_THROWS_AS(RowIdCipher("000102030405060708090a0b0c0d0e0f00"), std::invalid_argument);
}

TEST_CASE("RowIdCipher: the permutation never changes (stored ids depend on it)") {
  RowIdCipher c(kKey);
  // Recorded when the cipher was written; a change here would orphan every id handed out.
  CHECK(c.Encrypt(1) == 114953271173144);
  CHECK(c.Encrypt(1'000'000) == 141799045659426);
  CHECK(c.Decrypt(114953271173144) == 1);
}

}  // namespace jopay
