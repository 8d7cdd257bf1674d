#include "daemon/providers/solana/account.h"

#include <fmt/core.h>

#include <array>

#include "common/crypto.h"

namespace jopay::solana {

namespace json = boost::json;

namespace {

// Eventop's SubscriptionState (programs/subscription-protocol/src/state/subscription_state.rs,
// an Anchor account): an 8-byte discriminator, sha256("account:SubscriptionState")[0..8];
// then user, subscription_wallet, merchant, mint, merchant_plan (5 x 32 bytes), fee_amount,
// payment_interval, last_payment_timestamp, total_paid (4 x 8), payment_count (4), is_active.
constexpr std::array<unsigned char, 8> kStateDiscriminator = {35, 41, 45, 165, 253, 34, 95, 225};
constexpr size_t kIsActiveOffset = 8 + 5 * 32 + 4 * 8 + 4;

ChargeAnswer Unknown(std::string detail) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kUnknown;
  a.detail = std::move(detail);
  return a;
}

ChargeAnswer Declined(std::string code, std::string message) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kDeclined;
  a.failure_code = std::move(code);
  a.failure_message = std::move(message);
  return a;
}

bool IsEventopState(const std::string& data) {
  if (data.size() <= kIsActiveOffset) return false;
  for (size_t i = 0; i < kStateDiscriminator.size(); ++i) {
    if (static_cast<unsigned char>(data[i]) != kStateDiscriminator[i]) return false;
  }
  return true;
}

// The account's data bytes from ["<base64>", "base64"]; nullopt when not in that shape.
std::optional<std::string> DataOf(const json::object& value) {
  const json::value* data = value.if_contains("data");
  if (!data || !data->is_array() || data->as_array().size() != 2) return std::nullopt;
  const json::array& pair = data->as_array();
  if (!pair[0].is_string() || pair[1] != json::value("base64")) return std::nullopt;
  std::string bytes;
  if (!pair[0].as_string().empty() && !Base64Decode(pair[0].as_string(), bytes)) {
    return std::nullopt;
  }
  return bytes;
}

}  // namespace

json::array AccountInfoParams(const std::string& account) {
  return json::array{json::value(account),
                     json::object{{"commitment", "confirmed"}, {"encoding", "base64"}}};
}

ChargeAnswer AccountAnswer(const json::value& result, const std::string& account) {
  const json::object* r = result.if_object();
  const json::value* value = r ? r->if_contains("value") : nullptr;
  const json::value* context = r ? r->if_contains("context") : nullptr;
  const json::value* slot =
      context && context->is_object() ? context->as_object().if_contains("slot") : nullptr;
  bool slot_ok = slot && (slot->is_uint64() || (slot->is_int64() && slot->as_int64() >= 0));
  if (!value || !slot_ok) return Unknown("getAccountInfo: no value or slot");
  if (value->is_null()) {
    return Declined("subscription_account_closed",
                    fmt::format("The Eventop subscription account {} no longer exists: the "
                                "subscription was cancelled on chain.", account));
  }
  const json::object* v = value->if_object();
  const json::value* lamports = v ? v->if_contains("lamports") : nullptr;
  auto data = v ? DataOf(*v) : std::nullopt;
  if (!lamports || !lamports->is_number() || !data) {
    return Unknown("getAccountInfo: an account in an unexpected shape");
  }
  if (lamports->to_number<double>() <= 0) {
    return Declined("subscription_account_closed",
                    fmt::format("The Eventop subscription account {} was closed.", account));
  }
  if (IsEventopState(*data) && (*data)[kIsActiveOffset] == 0) {
    return Declined("subscription_inactive",
                    fmt::format("The Eventop subscription account {} is not active.", account));
  }
  ChargeAnswer paid;
  paid.kind = ChargeAnswer::Kind::kPaid;
  uint64_t at = slot->is_uint64() ? slot->as_uint64() : static_cast<uint64_t>(slot->as_int64());
  paid.provider_ref = fmt::format("solana:{}:{}", account, at);
  return paid;
}

}  // namespace jopay::solana
