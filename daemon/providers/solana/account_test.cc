#include "daemon/providers/solana/account.h"

#include <doctest/doctest.h>

#include <fmt/core.h>

#include "common/crypto.h"

namespace jopay::solana {
namespace {

namespace json = boost::json;

constexpr const char* kPda = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU";
constexpr const char* kProgram = "ES4jrcNmiwq87RFZ8dXhbXdc6aYSrwQDoJ8CyGsyjNF8";

// Eventop's SubscriptionState bytes: discriminator, 5 keys, 4 x u64/i64, u32, is_active, the
// session token (u32 length + bytes), bump.
std::string EventopState(bool active) {
  std::string d = {35, 41, 45, static_cast<char>(165), static_cast<char>(253), 34, 95,
                   static_cast<char>(225)};
  d.append(5 * 32 + 4 * 8 + 4, '\x07');
  d.push_back(active ? 1 : 0);
  d.append("\x03\0\0\0abc", 7);
  d.push_back(static_cast<char>(254));
  return d;
}

// getAccountInfo's result with encoding base64 (solana.com/docs/rpc/http/getaccountinfo).
json::value Found(const std::string& data, uint64_t lamports = 2039280) {
  return json::parse(fmt::format(R"({{"context": {{"apiVersion": "2.2.0", "slot": 341197053}},
    "value": {{"data": ["{}", "base64"], "executable": false, "lamports": {},
               "owner": "{}", "rentEpoch": 18446744073709551615, "space": {}}}}})",
                                 Base64Encode(data), lamports, kProgram, data.size()));
}

TEST_CASE("an account that exists answers paid, recording the slot it was read at") {
  ChargeAnswer a = AccountAnswer(Found(EventopState(true)), kPda);
  CHECK(a.kind == ChargeAnswer::Kind::kPaid);
  CHECK(a.provider_ref == fmt::format("solana:{}:341197053", kPda));
}

TEST_CASE("an account in another layout is taken as it stands: existence is what is checked") {
  CHECK(AccountAnswer(Found("not eventop's layout"), kPda).kind == ChargeAnswer::Kind::kPaid);
  CHECK(AccountAnswer(Found(""), kPda).kind == ChargeAnswer::Kind::kPaid);
}

TEST_CASE("a closed account declines with subscription_account_closed") {
  auto gone = json::parse(R"({"context": {"apiVersion": "2.2.0", "slot": 341197053},
                              "value": null})");
  ChargeAnswer a = AccountAnswer(gone, kPda);
  CHECK(a.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(a.failure_code == "subscription_account_closed");
  CHECK(a.failure_message.find(kPda) != std::string::npos);
  CHECK(AccountAnswer(Found(EventopState(true), 0), kPda).failure_code ==
        "subscription_account_closed");
}

TEST_CASE("an Eventop subscription marked inactive declines with subscription_inactive") {
  ChargeAnswer a = AccountAnswer(Found(EventopState(false)), kPda);
  CHECK(a.kind == ChargeAnswer::Kind::kDeclined);
  CHECK(a.failure_code == "subscription_inactive");
}

TEST_CASE("an answer that cannot be read is unknown, so it is asked again") {
  for (const char* odd : {R"(null)", R"({"value": null})", R"({"context": {}, "value": null})",
                          R"({"context": {"slot": 1}, "value": {"lamports": 1}})",
                          R"({"context": {"slot": 1}, "value": {"lamports": 1,
                              "data": ["AAAA", "base58"]}})",
                          R"({"context": {"slot": 1}, "value": {"lamports": 1,
                              "data": ["not base64!", "base64"]}})"}) {
    CAPTURE(odd);
    CHECK(AccountAnswer(json::parse(odd), kPda).kind == ChargeAnswer::Kind::kUnknown);
  }
}

TEST_CASE("the account is read at commitment confirmed, base64") {
  json::array params = AccountInfoParams(kPda);
  CHECK(json::serialize(params) ==
        fmt::format(R"(["{}",{{"commitment":"confirmed","encoding":"base64"}}])", kPda));
}

}  // namespace
}  // namespace jopay::solana
