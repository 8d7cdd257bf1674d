// The SatsPay and BTCPay settings: flags, config-file keys and environment variables.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "tests/temp_dir.h"

namespace jopay {

namespace {

// ParseConfig over `args` (argv[0] added).
Status Parse(std::vector<std::string> args, Config& c) {
  args.insert(args.begin(), "jopayd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int exit_code = -1;
  return ParseConfig(static_cast<int>(argv.size()), argv.data(), c, &exit_code);
}

}  // namespace

TEST_SUITE("push providers") {

TEST_CASE("every SatsPay and BTCPay key is read from the config file") {
  testing::TempDir dir;
  std::string path = dir.file("jopayd.conf");
  std::ofstream(path) << "satspay-api-base = \"https://lnbits.example\"\n"
                         "satspay-test-api-key = \"0123456789abcdef0123456789abcdef\"\n"
                         "satspay-test-wallet = \"w-ln-test\"\n"
                         "satspay-test-onchain-wallet = \"w-chain-test\"\n"
                         "satspay-live-api-key = \"fedcba9876543210fedcba9876543210\"\n"
                         "satspay-live-wallet = \"w-ln-live\"\n"
                         "satspay-live-onchain-wallet = \"w-chain-live\"\n"
                         "btcpay-api-base = \"https://btcpay.example\"\n"
                         "btcpay-test-api-key = \"b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9\"\n"
                         "btcpay-test-store-id = \"StoreTest\"\n"
                         "btcpay-test-webhook-secret = \"hook-test\"\n"
                         "btcpay-live-api-key = \"c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b7\"\n"
                         "btcpay-live-store-id = \"StoreLive\"\n"
                         "btcpay-live-webhook-secret = \"hook-live\"\n";
  Config c;
  REQUIRE(Parse({"--config", path}, c).ok());
  CHECK(c.satspay_api_base == "https://lnbits.example");
  CHECK(c.satspay_test_api_key == "0123456789abcdef0123456789abcdef");
  CHECK(c.satspay_test_wallet == "w-ln-test");
  CHECK(c.satspay_test_onchain_wallet == "w-chain-test");
  CHECK(c.satspay_live_api_key == "fedcba9876543210fedcba9876543210");
  CHECK(c.satspay_live_wallet == "w-ln-live");
  CHECK(c.satspay_live_onchain_wallet == "w-chain-live");
  CHECK(c.btcpay_api_base == "https://btcpay.example");
  CHECK(c.btcpay_test_api_key == "b7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9");
  CHECK(c.btcpay_test_store_id == "StoreTest");
  CHECK(c.btcpay_test_webhook_secret == "hook-test");
  CHECK(c.btcpay_live_api_key == "c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b7");
  CHECK(c.btcpay_live_store_id == "StoreLive");
  CHECK(c.btcpay_live_webhook_secret == "hook-live");
}

TEST_CASE("the API keys and webhook secrets also come from the environment") {
  const char* kVars[] = {"JOPAY_SATSPAY_TEST_API_KEY", "JOPAY_SATSPAY_LIVE_API_KEY",
                         "JOPAY_BTCPAY_TEST_API_KEY", "JOPAY_BTCPAY_LIVE_API_KEY",
                         "JOPAY_BTCPAY_TEST_WEBHOOK_SECRET", "JOPAY_BTCPAY_LIVE_WEBHOOK_SECRET"};
  for (const char* var : kVars) setenv(var, (std::string("from-") + var).c_str(), 1);
  Config c;
  Status st = Parse({"--satspay-api-base", "http://127.0.0.1:5000", "--satspay-test-wallet", "w1",
                     "--satspay-live-onchain-wallet", "w2", "--btcpay-api-base",
                     "http://127.0.0.1:23000", "--btcpay-test-store-id", "S1",
                     "--btcpay-live-store-id", "S2"},
                    c);
  for (const char* var : kVars) unsetenv(var);
  REQUIRE(st.ok());
  CHECK(c.satspay_test_api_key == "from-JOPAY_SATSPAY_TEST_API_KEY");
  CHECK(c.satspay_live_api_key == "from-JOPAY_SATSPAY_LIVE_API_KEY");
  CHECK(c.btcpay_test_api_key == "from-JOPAY_BTCPAY_TEST_API_KEY");
  CHECK(c.btcpay_live_api_key == "from-JOPAY_BTCPAY_LIVE_API_KEY");
  CHECK(c.btcpay_test_webhook_secret == "from-JOPAY_BTCPAY_TEST_WEBHOOK_SECRET");
  CHECK(c.btcpay_live_webhook_secret == "from-JOPAY_BTCPAY_LIVE_WEBHOOK_SECRET");
}

TEST_CASE("a provider key without its API base or destination is refused, never echoed") {
  const std::string key = "0123456789abcdef0123456789abcdef";
  struct Bad {
    std::vector<std::string> args;
    const char* param;
  };
  const Bad kBad[] = {
      {{"--satspay-test-api-key", key, "--satspay-test-wallet", "w"}, "satspay-api-base"},
      {{"--satspay-api-base", "ftp://x", "--satspay-live-api-key", key, "--satspay-live-wallet",
        "w"}, "satspay-api-base"},
      {{"--satspay-api-base", "https://l.example", "--satspay-test-api-key", key},
       "satspay-test-wallet"},
      {{"--btcpay-api-base", "https://b.example", "--btcpay-live-api-key", key},
       "btcpay-live-store-id"},
      {{"--btcpay-test-api-key", key, "--btcpay-test-store-id", "S"}, "btcpay-api-base"},
      {{"--btcpay-api-base", "https://b.example", "--btcpay-test-api-key", key + "\r\nX: y",
        "--btcpay-test-store-id", "S"}, "btcpay-test-api-key"},
  };
  for (const Bad& bad : kBad) {
    Config c;
    Status st = Parse(bad.args, c);
    CHECK_MESSAGE(st.param() == bad.param, bad.param);
    CHECK(st.message().find(key) == std::string::npos);
  }
  // An on-chain wallet alone is a destination; no key at all needs nothing.
  Config onchain_only;
  CHECK(Parse({"--satspay-api-base", "https://l.example", "--satspay-test-api-key", key,
               "--satspay-test-onchain-wallet", "w"}, onchain_only).ok());
  Config none;
  CHECK(Parse({}, none).ok());
}

TEST_CASE("a misspelt provider key in the config file is an error, not a silent default") {
  testing::TempDir dir;
  std::string path = dir.file("jopayd.conf");
  std::ofstream(path) << "btcpay-test-storeid = \"S\"\n";
  Config c;
  CHECK_FALSE(Parse({"--config", path}, c).ok());
}

}  // TEST_SUITE

}  // namespace jopay
