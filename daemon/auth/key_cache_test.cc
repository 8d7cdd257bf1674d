#include "daemon/auth/key_cache.h"

#include <doctest/doctest.h>

#include "daemon/store/store.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

struct TempStore {
  testing::TempDir dir;
  std::unique_ptr<Store> store = std::move(*Store::Open(dir.file("jopay.db")));
};

std::string CreateKey(Store& store, bool read_only, ApiKey* key) {
  std::string secret;
  REQUIRE(store.writer()
              .Run([&](Db& db) {
                *key = CreateApiKey(db, false, read_only, 1000, &secret);
                return Status::Ok();
              })
              .ok());
  return secret;
}

}  // namespace

TEST_CASE("ApiKeyCache finds stored keys, and forgets a revoked one once invalidated") {
  TempStore t;
  ApiKeyCache cache;
  ApiKey key;
  std::string secret = CreateKey(*t.store, true, &key);

  auto found = cache.Find(t.store->reader(), secret);
  REQUIRE(found);
  CHECK(found->id == key.id);
  CHECK(found->read_only);
  CHECK_FALSE(cache.Find(t.store->reader(), secret + "x"));  // unknown secrets are not found

  ApiKey revoked;
  REQUIRE(t.store->writer()
              .Run([&](Db& db) { return RevokeApiKey(db, key.id, false, 2000, &revoked); })
              .ok());
  // Remembered until the revoker invalidates (the contract in key_cache.h)...
  CHECK(cache.Find(t.store->reader(), secret));
  cache.Invalidate();
  // ...and refused from then on, also on later lookups.
  CHECK_FALSE(cache.Find(t.store->reader(), secret));
  CHECK_FALSE(cache.Find(t.store->reader(), secret));
}

TEST_CASE("ApiKeyCache keeps two keys apart") {
  TempStore t;
  ApiKeyCache cache;
  ApiKey a, b;
  std::string secret_a = CreateKey(*t.store, false, &a);
  std::string secret_b = CreateKey(*t.store, true, &b);
  CHECK(cache.Find(t.store->reader(), secret_a)->id == a.id);
  CHECK(cache.Find(t.store->reader(), secret_b)->id == b.id);
  CHECK(cache.Find(t.store->reader(), secret_a)->id == a.id);
  CHECK_FALSE(cache.Find(t.store->reader(), secret_a)->read_only);
}

TEST_CASE("ApiKeyCache records a key's use at most once a minute") {
  ApiKeyCache cache;
  CHECK(cache.ShouldRecordUse("key_a", 1000));
  CHECK_FALSE(cache.ShouldRecordUse("key_a", 1000));
  CHECK_FALSE(cache.ShouldRecordUse("key_a", 1059));
  CHECK(cache.ShouldRecordUse("key_b", 1059));  // per key
  CHECK(cache.ShouldRecordUse("key_a", 1060));
  CHECK_FALSE(cache.ShouldRecordUse("key_a", 1100));
  CHECK(cache.ShouldRecordUse("key_a", 900));  // a clock set back records again
}

}  // namespace jopay
