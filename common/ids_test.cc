#include "common/ids.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>
#include <string>

namespace jopay {
namespace {

bool AllBase62(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

TEST_CASE("RandomBase62 returns n base62 characters") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{24}, size_t{63}, size_t{64}, size_t{1000}}) {
    const std::string s = RandomBase62(n);
    CHECK(s.size() == n);
    CHECK(AllBase62(s));
  }
}

TEST_CASE("RandomBase62 uses every character about equally often") {
  // 620000 draws: 10000 expected per character; a modulo bias (256 % 62 = 8
  // characters favoured by 1/31) would push those near 10300. Bounds are
  // ~6 standard deviations wide, so this never flakes.
  std::array<int, 128> counts{};
  const std::string s = RandomBase62(620000);
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  int seen = 0;
  for (int count : counts) {
    if (count == 0) continue;
    ++seen;
    CHECK(count > 9400);
    CHECK(count < 10600);
  }
  CHECK(seen == 62);
}

TEST_CASE("NewId is the prefix plus 24 random base62 characters") {
  const std::string id = NewId("sub_");
  CHECK(id.size() == 28);
  CHECK(id.starts_with("sub_"));
  CHECK(AllBase62(id.substr(4)));
  CHECK(HasIdPrefix(id, "sub_"));
}

TEST_CASE("NewId does not repeat") {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewId("evt_"));
  CHECK(ids.size() == 10000);
}

TEST_CASE("HasIdPrefix checks prefix, length and alphabet") {
  CHECK(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7dc", "cus_"));
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7dc", "sub_"));
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7d", "cus_"));    // 23 characters
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7dcX", "cus_"));  // 25 characters
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7d_", "cus_"));
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7d-", "cus_"));
  CHECK_FALSE(HasIdPrefix("cus_4eC39HqLyjWDarjtT1zdp7d\xc3", "cus_"));
  CHECK_FALSE(HasIdPrefix("", "cus_"));
  CHECK_FALSE(HasIdPrefix("cus_", "cus_"));
  // "pm_" must not match a "pay_" id and vice versa.
  CHECK_FALSE(HasIdPrefix(NewId("pay_"), "pm_"));
  CHECK_FALSE(HasIdPrefix(NewId("pm_"), "pay_"));
}

}  // namespace
}  // namespace jopay

namespace jopay {
TEST_CASE("NewId starts with its creation time, so ids sort by creation") {
  CHECK(TimeBase62(0) == "00000000");
  CHECK(TimeBase62(61) == "0000000z");
  CHECK(TimeBase62(62) == "00000010");
  CHECK(TimeBase62(1'700'000'000'000) < TimeBase62(1'700'000'000'001));
  const std::string a = NewId("evt_");
  const std::string b = NewId("evt_");
  CHECK(a.substr(4, kIdTimeChars) <= b.substr(4, kIdTimeChars));
  CHECK(HasIdPrefix(a, "evt_"));
}

TEST_CASE("RowId spells its number, and RowIdNumber reads it back") {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{61}, int64_t{62}, int64_t{1'000'000},
                    int64_t{218'340'105'584'895}}) {
    const std::string id = RowId("pay_", n);
    CHECK(HasIdPrefix(id, "pay_"));
    CHECK(RowIdNumber(id, "pay_") == n);
  }
  CHECK(RowId("evt_", 5).substr(0, 12) == "evt_00000005");
  CHECK(RowId("evt_", 5) != RowId("evt_", 5));  // the random part differs
  CHECK_THROWS_AS(RowId("evt_", -1), std::out_of_range);
  CHECK_THROWS_AS(RowId("evt_", 218'340'105'584'896), std::out_of_range);
}

TEST_CASE("RowIdNumber refuses what is not an id of its prefix") {
  CHECK_FALSE(RowIdNumber("pay_00000005", "pay_"));  // too short
  CHECK_FALSE(RowIdNumber(RowId("evt_", 5), "pay_"));
  CHECK_FALSE(RowIdNumber("pay_0000000!ABCDEFGHIJKLMNOP", "pay_"));
  // An id from before migration 6 decodes to its creation time, not to a row.
  CHECK(RowIdNumber(NewId("pay_"), "pay_") > 1'000'000'000'000);
}
}  // namespace jopay
