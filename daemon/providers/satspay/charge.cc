#include "daemon/providers/satspay/charge.h"

#include <fmt/core.h>

#include <cctype>

#include "common/json_stringify.h"
#include "common/money.h"
#include "common/time.h"
#include "daemon/providers/decimal.h"
#include "daemon/providers/json_api.h"

namespace jopay::satspay {

namespace json = boost::json;
using providers::BoolField;
using providers::IntField;
using providers::TextField;

namespace {

constexpr std::string_view kSatsPay = "SatsPay";

Status Malformed(std::string_view field) {
  return Status::Invalid(fmt::format("SatsPay's charge has no usable '{}'", field),
                         std::string(field));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The wallet field for the rail: lnbitswallet or onchainwallet.
Status NameWallet(const PushChargeRequest& r, const Wallets& w, json::object& body) {
  if (r.rail == rail::kLightning) {
    if (w.lightning.empty()) {
      return Status::Invalid("no SatsPay Lightning wallet is configured", "rail");
    }
    body["lnbitswallet"] = w.lightning;
    return Status::Ok();
  }
  if (r.rail == rail::kOnchain) {
    if (w.onchain.empty()) {
      return Status::Invalid("no SatsPay on-chain wallet is configured", "rail");
    }
    body["onchainwallet"] = w.onchain;
    return Status::Ok();
  }
  return Status::Invalid(fmt::format("SatsPay takes no '{}' payments", r.rail), "rail");
}

// "14.99 EUR = 23178 sat" for a fiat charge, "" for a sat one.
std::string RateOf(const json::object& charge, int64_t amount_sats) {
  auto currency = TextField(charge, "currency");
  const json::value* fiat = charge.if_contains("currency_amount");
  if (!currency || currency->empty() || !fiat || !fiat->is_number()) return "";
  // currency_amount is a float at SatsPay: JsNumber prints the shortest text that reads back
  // as the same double, so what it was sent (14.99) is what is shown.
  return fmt::format("{} {} = {} sat", JsNumber(fiat->to_number<double>()), Upper(*currency),
                     amount_sats);
}

}  // namespace

int64_t ChargeMinutes(int64_t expires_in) {
  if (expires_in <= 60) return 1;
  return expires_in / 60 + (expires_in % 60 != 0 ? 1 : 0);
}

Result<std::string> ChargeBody(const PushChargeRequest& r, const Wallets& w) {
  if (r.amount < 1) return Status::Invalid("the amount must be at least 1", "amount");
  const Currency* currency = FindCurrency(r.currency);
  if (!currency) return Status::Invalid("unknown currency", "currency");
  json::object body;
  body["description"] = r.description.empty() ? "JoPay payment " + r.payment_id : r.description;
  body["name"] = r.payment_id;
  body["time"] = ChargeMinutes(r.expires_in);
  JOPAY_RETURN_IF_ERROR(NameWallet(r, w, body));
  if (!r.callback_url.empty()) body["webhook"] = r.callback_url;
  if (!r.return_url.empty()) body["completelink"] = r.return_url;
  body["extra"] = json::serialize(json::object{{"jopay_payment_id", r.payment_id}});
  bool sats = currency->code == "sat";
  if (sats) {
    body["amount"] = r.amount;
    return json::serialize(body);
  }
  body["currency"] = Upper(currency->code);
  // The decimal goes in as text: a double on our side could print 14.99 as 14.989999...
  std::string text = json::serialize(body);
  text.pop_back();  // the closing brace
  text += fmt::format(R"(,"currency_amount":{}}})", providers::MinorToDecimal(r.amount,
                                                                             currency->exponent));
  return text;
}

Result<UnixSeconds> TimestampOf(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (!v.is_string()) return Malformed("timestamp");
  std::string text(v.get_string());
  // A zone is "Z" or "+hh:mm"/"-hh:mm" after the time; a naive one is taken as UTC.
  size_t t = text.find_first_of("Tt ");
  bool zoned = t != std::string::npos &&
               (text.back() == 'Z' || text.back() == 'z' ||
                text.find_first_of("+-", t) != std::string::npos);
  if (t != std::string::npos) text[t] = 'T';
  if (!zoned) text += 'Z';
  auto parsed = ParseRfc3339(text);
  if (!parsed.ok()) return Malformed("timestamp");
  return *parsed;
}

Result<PushCharge> ChargeOf(const json::object& o) {
  PushCharge c;
  auto id = TextField(o, "id");
  if (!id || id->empty()) return Malformed("id");
  auto amount = IntField(o, "amount");
  if (!amount || *amount < 0) return Malformed("amount");
  auto minutes = IntField(o, "time");
  if (!minutes || *minutes < 0 || *minutes > INT64_MAX / 120) return Malformed("time");
  auto paid = BoolField(o, "paid");
  if (!paid) return Malformed("paid");
  const json::value* stamp = o.if_contains("timestamp");
  if (!stamp) return Malformed("timestamp");
  auto created = TimestampOf(*stamp);
  if (!created.ok()) return created.status();
  c.provider_ref = *id;
  c.bolt11 = TextField(o, "payment_request").value_or("");
  c.address = TextField(o, "onchainaddress").value_or("");
  c.amount_sats = *amount;
  c.amount_received_sats = std::max<int64_t>(0, IntField(o, "balance").value_or(0));
  c.paid = *paid;
  c.expires_at = *created + *minutes * 60;
  c.rate = RateOf(o, *amount);
  return c;
}

PushAnswer ChargeAnswerOf(const json::value& body, const PushChargeRequest* asked) {
  if (!body.is_object()) return providers::UnknownAnswer(kSatsPay, "the answer is not a charge");
  auto charge = ChargeOf(body.get_object());
  if (!charge.ok()) return providers::UnknownAnswer(kSatsPay, charge.status().message());
  PushAnswer a;
  a.kind = PushAnswer::Kind::kOk;
  a.charge = std::move(*charge);
  if (!asked) return a;
  bool lightning = asked->rail == rail::kLightning;
  if ((lightning ? a.charge.bolt11 : a.charge.address).empty()) {
    a.kind = PushAnswer::Kind::kRefused;
    a.detail = fmt::format("SatsPay: the charge has no {}",
                           lightning ? "Lightning invoice" : "on-chain address");
  } else if (FindCurrency(asked->currency) && FindCurrency(asked->currency)->code == "sat" &&
             a.charge.amount_sats != asked->amount) {
    a.kind = PushAnswer::Kind::kRefused;
    a.detail = fmt::format("SatsPay: the charge is for {} sat, not the {} sat asked",
                           a.charge.amount_sats, asked->amount);
  }
  return a;
}

Result<std::string> CallbackChargeId(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_string()) v = json::parse(v.get_string(), ec);  // the POST form
  if (ec || !v.is_object()) {
    return Status::Invalid("the callback's body is not a SatsPay charge", "body");
  }
  auto id = TextField(v.get_object(), "id");
  if (!id || id->empty() || id->size() > 100) {
    return Status::Invalid("the callback names no charge id", "id");
  }
  return *id;
}

}  // namespace jopay::satspay
