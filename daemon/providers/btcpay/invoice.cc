#include "daemon/providers/btcpay/invoice.h"

#include <fmt/core.h>

#include <cctype>

#include "common/money.h"
#include "daemon/providers/decimal.h"
#include "daemon/providers/json_api.h"

namespace jopay::btcpay {

namespace json = boost::json;
using providers::DecimalToUnits;
using providers::IntField;
using providers::Rounding;
using providers::TextField;

namespace {

constexpr std::string_view kBTCPay = "BTCPay";
constexpr int kBtcExponent = 8;  // satoshis in a bitcoin: 10^8

Status Missing(std::string_view field) {
  return Status::Invalid(fmt::format("BTCPay's invoice has no usable '{}'", field),
                         std::string(field));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int64_t Minutes(int64_t expires_in) {
  if (expires_in <= 60) return 1;
  return expires_in / 60 + (expires_in % 60 != 0 ? 1 : 0);
}

// The JoPay currency code BTCPay spells as `code` ("SATS" is sat), or null.
const Currency* JopayCurrency(std::string_view code) {
  return Upper(code) == "SATS" ? FindCurrency("sat") : FindCurrency(code);
}

// What the payment methods say, gathered.
struct Methods {
  const json::object* lightning = nullptr;
  const json::object* onchain = nullptr;
  int64_t received_sats = 0;
};

Result<Methods> MethodsOf(const json::value& body) {
  if (!body.is_array()) return Missing("payment-methods");
  Methods m;
  for (const json::value& v : body.get_array()) {
    if (!v.is_object()) return Missing("payment-methods");
    const json::object& o = v.get_object();
    std::string id = TextField(o, "paymentMethodId").value_or("");
    if (IsLightningMethod(id) && !m.lightning) m.lightning = &o;
    if (IsOnchainMethod(id) && !m.onchain) m.onchain = &o;
    if (TextField(o, "currency").value_or("BTC") != "BTC") continue;
    auto paid = DecimalToUnits(TextField(o, "paymentMethodPaid").value_or("0"), kBtcExponent,
                               Rounding::kDown);
    if (!paid || __builtin_add_overflow(m.received_sats, *paid, &m.received_sats)) {
      return Missing("paymentMethodPaid");
    }
  }
  return m;
}

// amount + paymentMethodFee of one method, in sats rounded up.
Result<int64_t> AskedSats(const json::object& method) {
  auto amount = DecimalToUnits(TextField(method, "amount").value_or(""), kBtcExponent,
                               Rounding::kUp);
  auto fee = DecimalToUnits(TextField(method, "paymentMethodFee").value_or("0"), kBtcExponent,
                            Rounding::kUp);
  int64_t sum = 0;
  if (!amount || !fee || __builtin_add_overflow(*amount, *fee, &sum)) return Missing("amount");
  return sum;
}

Result<PushCharge> ChargeOf(const Invoice& invoice, const Methods& m) {
  PushCharge c;
  c.provider_ref = invoice.id;
  c.paid = invoice.status == "Settled";
  c.expires_at = invoice.expires_at;
  c.amount_received_sats = m.received_sats;
  if (m.lightning) c.bolt11 = TextField(*m.lightning, "destination").value_or("");
  if (m.onchain) c.address = TextField(*m.onchain, "destination").value_or("");
  const json::object* main = m.lightning ? m.lightning : m.onchain;
  if (!main) return c;  // no Bitcoin method (yet): nothing to pay to
  auto asked = AskedSats(*main);
  if (!asked.ok()) return asked.status();
  c.amount_sats = *asked;
  const Currency* currency = JopayCurrency(invoice.currency);
  if (!currency || currency->code != "sat") {
    c.rate = fmt::format("{} {}/BTC", TextField(*main, "rate").value_or("?"),
                         Upper(invoice.currency));
  }
  return c;
}

// The create's own checks: the invoice is for what was asked, on the rail asked.
std::string Mismatch(const Invoice& invoice, const PushCharge& c, const PushChargeRequest& r) {
  const Currency* currency = JopayCurrency(invoice.currency);
  const Currency* wanted = FindCurrency(r.currency);
  std::optional<int64_t> amount;
  if (currency) amount = DecimalToUnits(invoice.amount, currency->exponent, Rounding::kDown);
  if (currency != wanted || amount != r.amount) {
    return fmt::format("the invoice is for {} {}, not what was asked", invoice.amount,
                       invoice.currency);
  }
  bool lightning = r.rail == rail::kLightning;
  if ((lightning ? c.bolt11 : c.address).empty()) {
    return fmt::format("the invoice offers no {} (is it enabled in the store?)",
                       lightning ? "Lightning invoice" : "on-chain address");
  }
  return "";
}

}  // namespace

bool IsLightningMethod(std::string_view id) {
  return id == "BTC-LightningNetwork" || id == "BTC-LN" || id == "BTC_LightningLike";
}

bool IsOnchainMethod(std::string_view id) {
  return id == "BTC" || id == "BTC-CHAIN" || id == "BTC-OnChain" || id == "BTC_BTCLike";
}

Result<std::string> InvoiceBody(const PushChargeRequest& r) {
  if (r.amount < 1) return Status::Invalid("the amount must be at least 1", "amount");
  const Currency* currency = FindCurrency(r.currency);
  if (!currency) return Status::Invalid("unknown currency", "currency");
  std::string_view method;
  if (r.rail == rail::kLightning) method = kLightningMethod;
  if (r.rail == rail::kOnchain) method = kOnchainMethod;
  if (method.empty()) {
    return Status::Invalid(fmt::format("BTCPay takes no '{}' payments", r.rail), "rail");
  }
  bool sats = currency->code == "sat";
  json::object checkout{{"expirationMinutes", Minutes(r.expires_in)},
                        {"paymentMethods", json::array{method}},
                        {"defaultPaymentMethod", method},
                        {"lazyPaymentMethods", false}};
  if (!r.return_url.empty()) checkout["redirectURL"] = r.return_url;
  json::object metadata{{"jopay_payment_id", r.payment_id}, {"orderId", r.payment_id}};
  if (!r.description.empty()) metadata["itemDesc"] = r.description;
  json::object body{
      {"amount", providers::MinorToDecimal(r.amount, currency->exponent)},
      {"currency", sats ? std::string("SATS") : Upper(currency->code)},
      {"metadata", std::move(metadata)},
      {"checkout", std::move(checkout)}};
  return json::serialize(body);
}

Result<Invoice> InvoiceOf(const json::object& o) {
  Invoice inv;
  auto id = TextField(o, "id");
  if (!id || id->empty()) return Missing("id");
  auto store = TextField(o, "storeId");
  if (!store || store->empty()) return Missing("storeId");
  auto status = TextField(o, "status");
  if (!status || status->empty()) return Missing("status");
  auto expires = IntField(o, "expirationTime");
  if (!expires) return Missing("expirationTime");
  inv.id = std::move(*id);
  inv.store_id = std::move(*store);
  inv.status = std::move(*status);
  inv.amount = TextField(o, "amount").value_or("");
  inv.currency = TextField(o, "currency").value_or("");
  inv.expires_at = *expires;
  return inv;
}

PushAnswer InvoiceAnswerOf(const json::value& invoice_data, const json::value& payment_methods,
                           std::string_view store_id, const PushChargeRequest* asked) {
  if (!invoice_data.is_object()) {
    return providers::UnknownAnswer(kBTCPay, "the answer is not an invoice");
  }
  auto invoice = InvoiceOf(invoice_data.get_object());
  if (!invoice.ok()) return providers::UnknownAnswer(kBTCPay, invoice.status().message());
  PushAnswer a;
  a.charge.provider_ref = invoice->id;
  a.charge.expires_at = invoice->expires_at;
  if (invoice->store_id != store_id) {
    a.kind = PushAnswer::Kind::kRefused;
    a.detail = "BTCPay: the invoice belongs to another store";
    return a;
  }
  auto methods = MethodsOf(payment_methods);
  auto charge = methods.ok() ? ChargeOf(*invoice, *methods) : Result<PushCharge>(methods.status());
  if (!charge.ok()) {
    PushAnswer unknown = providers::UnknownAnswer(kBTCPay, charge.status().message());
    unknown.charge = a.charge;  // the invoice exists: read it back later, never make another
    return unknown;
  }
  a.kind = PushAnswer::Kind::kOk;
  a.charge = std::move(*charge);
  if (asked) {
    std::string mismatch = Mismatch(*invoice, a.charge, *asked);
    if (!mismatch.empty()) {
      a.kind = PushAnswer::Kind::kRefused;
      a.detail = "BTCPay: " + mismatch;
    }
  }
  return a;
}

}  // namespace jopay::btcpay
