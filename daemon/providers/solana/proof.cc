#include "daemon/providers/solana/proof.h"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

namespace jopay::solana {

namespace json = boost::json;

namespace {

struct Key {
  std::string pubkey;
  bool signer = false;
};

Status NotFound(const std::string& signature) {
  return Status::Invalid(fmt::format("Transaction {} was not found on the cluster; nothing was "
                                     "completed.", signature),
                         "signature", "transaction_not_found");
}

Status Failed(const std::string& signature, const json::value& err) {
  std::string why = json::serialize(err);
  if (why.size() > 200) why = why.substr(0, 200) + "...";  // an RPC's error can be long
  return Status::Invalid(fmt::format("Transaction {} failed on chain ({}); nothing was completed.",
                                     signature, why),
                         "signature", "transaction_failed");
}

Status Mismatch(std::string message, std::string param) {
  return Status::Invalid(std::move(message) + "; nothing was completed.", std::move(param),
                         "transaction_mismatch");
}

Status Unreadable(std::string_view what) {
  return Status::Unavailable(fmt::format("The Solana RPC answered a transaction without a "
                                         "readable {}.", what));
}

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}
const json::array* ArrayAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

// The message's account keys: strings whose first header.numRequiredSignatures signed
// (encoding "json"), or {pubkey, signer, ...} objects (encoding "jsonParsed").
std::optional<std::vector<Key>> MessageKeys(const json::object& message) {
  const json::array* keys = ArrayAt(message, "accountKeys");
  if (!keys) return std::nullopt;
  int64_t signers = 0;
  if (const json::object* header = ObjectAt(message, "header")) {
    const json::value* n = header->if_contains("numRequiredSignatures");
    if (n && n->is_int64()) signers = n->as_int64();
  }
  std::vector<Key> out;
  for (const json::value& k : *keys) {
    if (k.is_string()) {
      out.push_back({std::string(k.as_string()), static_cast<int64_t>(out.size()) < signers});
    } else if (k.is_object() && k.as_object().contains("pubkey") &&
               k.as_object().at("pubkey").is_string()) {
      const json::value* signer = k.as_object().if_contains("signer");
      out.push_back({std::string(k.as_object().at("pubkey").as_string()),
                     signer && signer->is_bool() && signer->as_bool()});
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// A v0 transaction's keys loaded from address lookup tables (never signers). With "json"
// they are only here; "jsonParsed" lists them in accountKeys too.
void AddLoadedKeys(const json::object& meta, std::vector<Key>& keys) {
  const json::object* loaded = ObjectAt(meta, "loadedAddresses");
  if (!loaded) return;
  for (std::string_view part : {"writable", "readonly"}) {
    const json::array* list = ArrayAt(*loaded, part);
    if (!list) continue;
    for (const json::value& k : *list) {
      if (k.is_string()) keys.push_back({std::string(k.as_string()), false});
    }
  }
}

bool HasString(const json::array& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(),
                     [s](const json::value& v) { return v.is_string() && v.as_string() == s; });
}

Status CheckKeys(const std::vector<Key>& keys, const ChainProof& p) {
  auto find = [&keys](const std::string& pubkey) {
    return std::find_if(keys.begin(), keys.end(),
                        [&pubkey](const Key& k) { return k.pubkey == pubkey; });
  };
  if (find(p.account) == keys.end()) {
    return Mismatch(fmt::format("Transaction {} does not involve the account {}", p.signature,
                                p.account),
                    "subscriptionPda");
  }
  auto wallet = find(p.wallet);
  if (wallet == keys.end() || !wallet->signer) {
    return Mismatch(fmt::format("Transaction {} was not signed by the wallet {}", p.signature,
                                p.wallet),
                    "userWallet");
  }
  return Status::Ok();
}

}  // namespace

Status CheckTransaction(const json::value& result, const ChainProof& proof) {
  if (result.is_null()) return NotFound(proof.signature);
  if (!result.is_object()) return Unreadable("result");
  const json::object* meta = ObjectAt(result.as_object(), "meta");
  if (!meta) return Unreadable("meta");
  if (const json::value* err = meta->if_contains("err"); err && !err->is_null()) {
    return Failed(proof.signature, *err);
  }
  const json::object* tx = ObjectAt(result.as_object(), "transaction");
  const json::array* signatures = tx ? ArrayAt(*tx, "signatures") : nullptr;
  const json::object* message = tx ? ObjectAt(*tx, "message") : nullptr;
  if (!signatures || !message) return Unreadable("transaction");
  if (!HasString(*signatures, proof.signature)) {
    return Mismatch(fmt::format("The RPC's transaction does not carry the signature {}",
                                proof.signature),
                    "signature");
  }
  auto keys = MessageKeys(*message);
  if (!keys) return Unreadable("message.accountKeys");
  AddLoadedKeys(*meta, *keys);
  return CheckKeys(*keys, proof);
}

Status ExplainMissing(const json::value& value) {
  if (!value.is_object()) return Status::Invalid(
      "The transaction was not found on the cluster; nothing was completed.", "signature",
      "transaction_not_found");
  const json::object& o = value.as_object();
  if (const json::value* err = o.if_contains("err"); err && !err->is_null()) {
    std::string why = json::serialize(*err).substr(0, 200);
    return Status::Invalid(fmt::format("The transaction failed on chain ({}); nothing was "
                                       "completed.", why),
                           "signature", "transaction_failed");
  }
  // Processed but not yet confirmed, or confirmed between the two calls: either way it is
  // worth asking again shortly.
  return Status::Conflict("The transaction is not confirmed yet; try again in a few seconds.",
                          "transaction_not_confirmed");
}

}  // namespace jopay::solana
