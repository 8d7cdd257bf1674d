#include "daemon/providers/solana/proof.h"

#include <doctest/doctest.h>

#include <fmt/core.h>

namespace jopay::solana {
namespace {

namespace json = boost::json;

constexpr const char* kSig =
    "67rpwLCuS5DGA8KGZXKsVQ7dnPb9goRLoKfgGbLfQg9WoLUgNY77E2jT11fem3coV9nAkguBACzrU1iyZM4B8roQ";
constexpr const char* kWallet = "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG";
constexpr const char* kPda = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU";
constexpr const char* kProgram = "11111111111111111111111111111111";

const ChainProof kProof{kSig, kPda, kWallet};

// getTransaction's result with encoding "json" (shape of solana.com/docs/rpc/http/gettransaction):
// the first header.numRequiredSignatures keys signed.
json::value JsonEncoded(const char* err = "null", const char* loaded = "") {
  return json::parse(fmt::format(R"({{
    "blockTime": 1763751415, "slot": 423108383, "version": 0,
    "meta": {{"err": {}, "fee": 5000, "preBalances": [1, 0, 1], "postBalances": [1, 0, 1],
              "logMessages": [], "status": {{"Ok": null}}{}}},
    "transaction": {{
      "signatures": ["{}"],
      "message": {{
        "accountKeys": ["{}", "{}"],
        "header": {{"numRequiredSignatures": 1, "numReadonlySignedAccounts": 0,
                    "numReadonlyUnsignedAccounts": 1}},
        "instructions": [{{"accounts": [0], "data": "3Bxs4", "programIdIndex": 1}}],
        "recentBlockhash": "{}"}}}}}})",
                                 err, loaded, kSig, kWallet, kProgram, kProgram));
}

// The same with encoding "jsonParsed": keys are objects that say whether they signed.
json::value ParsedEncoded(bool wallet_signed = true) {
  return json::parse(fmt::format(R"({{
    "blockTime": 1763751415, "slot": 423108383, "version": "legacy",
    "meta": {{"err": null, "fee": 5000, "status": {{"Ok": null}}}},
    "transaction": {{
      "signatures": ["{}"],
      "message": {{
        "accountKeys": [
          {{"pubkey": "{}", "signer": {}, "source": "transaction", "writable": true}},
          {{"pubkey": "{}", "signer": false, "source": "transaction", "writable": true}},
          {{"pubkey": "{}", "signer": false, "source": "transaction", "writable": false}}],
        "instructions": [], "recentBlockhash": "{}"}}}}}})",
                                 kSig, kWallet, wallet_signed ? "true" : "false", kPda, kProgram,
                                 kProgram));
}

TEST_CASE("a confirmed transaction signed by the wallet and touching the account proves it") {
  CHECK(CheckTransaction(ParsedEncoded(), kProof).ok());
  // "json" encoding, the PDA loaded from a lookup table of a v0 transaction.
  auto loaded = fmt::format(R"(, "loadedAddresses": {{"writable": ["{}"], "readonly": []}})", kPda);
  CHECK(CheckTransaction(JsonEncoded("null", loaded.c_str()), kProof).ok());
}

TEST_CASE("no transaction, a failed one, or one about other accounts proves nothing") {
  Status missing = CheckTransaction(nullptr, kProof);
  CHECK((missing.kind() == Status::Kind::kInvalid && missing.code() == "transaction_not_found"));
  Status failed =
      CheckTransaction(JsonEncoded(R"({"InstructionError": [0, {"Custom": 1}]})"), kProof);
  CHECK(failed.code() == "transaction_failed");
  CHECK(failed.message().find("InstructionError") != std::string::npos);
  Status no_account = CheckTransaction(JsonEncoded(), kProof);  // the PDA is nowhere in it
  CHECK((no_account.code() == "transaction_mismatch" && no_account.param() == "subscriptionPda"));
  Status unsigned_wallet = CheckTransaction(ParsedEncoded(false), kProof);
  CHECK(unsigned_wallet.code() == "transaction_mismatch");
  CHECK(unsigned_wallet.param() == "userWallet");
  // The wallet as a key past numRequiredSignatures did not sign.
  ChainProof swapped{kSig, kWallet, kProgram};
  CHECK(CheckTransaction(JsonEncoded(), swapped).param() == "userWallet");
  ChainProof other_sig{std::string(kSig).replace(0, 1, "5"), kPda, kWallet};
  CHECK(CheckTransaction(ParsedEncoded(), other_sig).param() == "signature");
}

TEST_CASE("an answer without the fields jopayd reads is the node's fault, not the customer's") {
  std::string keys_unreadable = fmt::format(
      R"({{"meta": {{"err": null}}, "transaction": {{"signatures": ["{}"],
           "message": {{"accountKeys": [7]}}}}}})",
      kSig);
  for (std::string bad : {std::string("7"), std::string(R"({"slot": 1})"),
                          std::string(R"({"meta": {"err": null}})"), keys_unreadable}) {
    CAPTURE(bad);
    CHECK(CheckTransaction(json::parse(bad), kProof).kind() == Status::Kind::kUnavailable);
  }
}

TEST_CASE("a signature status tells not-yet-confirmed from never seen") {
  CHECK(ExplainMissing(nullptr).code() == "transaction_not_found");
  auto processed = json::parse(
      R"({"slot": 48, "confirmations": 0, "err": null, "status": {"Ok": null},
          "confirmationStatus": "processed"})");
  Status st = ExplainMissing(processed);
  CHECK((st.kind() == Status::Kind::kConflict && st.code() == "transaction_not_confirmed"));
  auto failed = json::parse(
      R"({"slot": 48, "confirmations": null, "err": {"InstructionError": [0, "InvalidArgument"]},
          "status": {"Err": {"InstructionError": [0, "InvalidArgument"]}},
          "confirmationStatus": "finalized"})");
  CHECK(ExplainMissing(failed).code() == "transaction_failed");
}

}  // namespace
}  // namespace jopay::solana
