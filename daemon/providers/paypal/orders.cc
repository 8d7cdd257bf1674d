#include "daemon/providers/paypal/orders.h"

#include <fmt/core.h>

#include <cctype>

#include "common/crypto.h"
#include "common/money.h"
#include "daemon/providers/decimal.h"
#include "daemon/providers/json_api.h"

namespace jopay::paypal {

namespace json = boost::json;
using providers::TextField;

namespace {

// PayPal's currencies without decimals in its API, although ISO 4217 gives them two.
bool WholeUnitsOnly(std::string_view currency) { return currency == "huf" || currency == "twd"; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Cut(std::string s, size_t n) {
  if (s.size() > n) s.resize(n);
  return s;
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::object* FirstOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_array() || v->get_array().empty()) return nullptr;
  const json::value& first = v->get_array().front();
  return first.is_object() ? &first.get_object() : nullptr;
}

const json::object* FirstUnit(const json::object& order) { return FirstOf(order, "purchase_units"); }

const json::object* FirstCapture(const json::object& order) {
  const json::object* unit = FirstUnit(order);
  const json::object* payments = unit ? Obj(*unit, "payments") : nullptr;
  return payments ? FirstOf(*payments, "captures") : nullptr;
}

// payment_source.paypal of an order answer.
const json::object* WalletOf(const json::object& order) {
  const json::object* source = Obj(order, "payment_source");
  return source ? Obj(*source, "paypal") : nullptr;
}

ChargeAnswer Answer(ChargeAnswer::Kind kind, std::string ref, std::string code = "",
                    std::string message = "", std::string detail = "") {
  ChargeAnswer a;
  a.kind = kind;
  a.provider_ref = std::move(ref);
  a.failure_code = std::move(code);
  a.failure_message = std::move(message);
  a.detail = std::move(detail);
  return a;
}

// A failure every PayPal call shares: nothing definite came back. nullopt for a definite 4xx.
std::optional<ChargeAnswer> Indefinite(const Reply& r) {
  using K = ChargeAnswer::Kind;
  if (r.status == 0) return Answer(K::kUnknown, "", "", "", "no answer from PayPal: " + r.error);
  std::string issue = IssueOf(r.body);
  if (r.status == 429 || r.status >= 500) {
    ChargeAnswer a = Answer(K::kUnknown, "", "", "",
                            fmt::format("PayPal answered {} {}", r.status, issue));
    a.retry_after_ms = r.retry_after_ms;
    return a;
  }
  if (r.status == 401 || r.status == 403) {
    return Answer(K::kUnknown, "", "", "",
                  fmt::format("PayPal refused the app ({} {}): check paypal-*-client-id and "
                              "-client-secret", r.status, issue));
  }
  if (r.status == 409) return Answer(K::kUnknown, "", "", "", "PayPal answered 409 " + issue);
  return std::nullopt;
}

}  // namespace

std::string VaultDescription(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 128)) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("_'-., :;!?\"").find(c) != std::string_view::npos;
    out += ok ? c : ' ';
  }
  return out.empty() ? "Subscription" : out;
}

std::string RequestId(std::string_view key, std::string_view suffix) {
  std::string id(key);
  if (!suffix.empty()) id += ":" + std::string(suffix);
  return id.size() <= 108 ? id : Sha256Hex(id);
}

Result<json::object> MoneyOf(int64_t amount, std::string_view currency) {
  const Currency* c = FindCurrency(currency);
  if (!c || c->code == "sat") {
    return Status::Invalid(fmt::format("PayPal does not take currency '{}'", currency), "currency");
  }
  if (amount < 1) return Status::Invalid("The amount must be at least 1.", "amount");
  int exponent = c->exponent;
  if (WholeUnitsOnly(c->code)) {
    if (amount % 100 != 0) {
      return Status::Invalid(fmt::format("PayPal takes {} in whole units only", Upper(c->code)),
                             "amount");
    }
    amount /= 100;
    exponent = 0;
  }
  return json::object{{"currency_code", Upper(c->code)},
                      {"value", providers::MinorToDecimal(amount, exponent)}};
}

std::optional<Minor> MinorOf(const json::object& money) {
  auto code = TextField(money, "currency_code");
  auto value = TextField(money, "value");
  if (!code || !value) return std::nullopt;
  const Currency* c = FindCurrency(*code);
  if (!c) return std::nullopt;
  bool whole = WholeUnitsOnly(c->code);
  auto units = providers::DecimalToUnits(*value, whole ? 0 : c->exponent,
                                         providers::Rounding::kDown);
  if (!units) return std::nullopt;
  return Minor{whole ? *units * 100 : *units, std::string(c->code)};
}

Result<std::string> CheckoutOrderBody(const CheckoutRequest& r) {
  auto money = MoneyOf(r.amount, r.currency);
  if (!money.ok()) return money.status();
  if (r.return_url.empty() || r.cancel_url.empty()) {
    return Status::Invalid("A PayPal checkout needs a return and a cancel URL.", "return_url");
  }
  json::object unit{{"reference_id", r.jopay_object},
                    {"custom_id", r.jopay_object},
                    {"amount", std::move(*money)}};
  if (!r.description.empty()) unit["description"] = Cut(r.description, 127);
  json::object context{{"return_url", r.return_url},
                       {"cancel_url", r.cancel_url},
                       {"shipping_preference", "NO_SHIPPING"},
                       {"user_action", "PAY_NOW"}};
  if (!r.brand_name.empty()) context["brand_name"] = Cut(r.brand_name, 127);
  json::object wallet{{"experience_context", std::move(context)}};
  if (r.save_wallet) {
    wallet["attributes"] = json::object{
        {"vault", {{"store_in_vault", "ON_SUCCESS"},
                   {"usage_type", "MERCHANT"},
                   {"usage_pattern", "RECURRING_PREPAID"},
                   {"description", VaultDescription(r.description)},
                   // Each checkout saves its own token, also for a returning payer: a
                   // subscription's wallet is removed without touching another's.
                   {"permit_multiple_payment_tokens", true}}}};
  }
  json::object order{{"intent", "CAPTURE"},
                     {"purchase_units", json::array{std::move(unit)}},
                     {"payment_source", {{"paypal", std::move(wallet)}}}};
  return json::serialize(order);
}

Result<std::string> ChargeOrderBody(const ChargeIntent& i) {
  auto money = MoneyOf(i.amount, i.currency);
  if (!money.ok()) return money.status();
  if (i.provider_method.empty()) return Status::Invalid("No saved PayPal wallet.", "payment_method");
  json::object unit{{"reference_id", i.payment_id},
                    {"custom_id", i.payment_id},
                    {"amount", std::move(*money)}};
  if (!i.description.empty()) unit["description"] = Cut(i.description, 127);
  json::object order{{"intent", "CAPTURE"},
                     {"purchase_units", json::array{std::move(unit)}},
                     {"payment_source", {{"paypal", {{"vault_id", i.provider_method}}}}}};
  return json::serialize(order);
}

std::string ApprovalUrlOf(const json::value& order) {
  if (!order.is_object()) return "";
  const json::value* links = order.get_object().if_contains("links");
  if (!links || !links->is_array()) return "";
  std::string approve;
  for (const json::value& l : links->get_array()) {
    if (!l.is_object()) continue;
    std::string rel = TextField(l.get_object(), "rel").value_or("");
    std::string href = TextField(l.get_object(), "href").value_or("");
    if (rel == "payer-action") return href;
    if (rel == "approve" && approve.empty()) approve = href;
  }
  return approve;
}

namespace {

Status NotComplete(const std::string& why) {
  return Status::Conflict("The PayPal checkout is not complete: " + why, "checkout_not_complete");
}

// The vault id and its customer, and the payer's email, from payment_source.paypal.
void ReadWallet(const json::object& order, ProviderCheckout& out) {
  const json::object* wallet = WalletOf(order);
  if (!wallet) return;
  out.email = TextField(*wallet, "email_address").value_or("");
  const json::object* attributes = Obj(*wallet, "attributes");
  const json::object* vault = attributes ? Obj(*attributes, "vault") : nullptr;
  if (!vault) return;
  out.card.provider_ref = TextField(*vault, "id").value_or("");
  if (const json::object* customer = Obj(*vault, "customer")) {
    out.card.provider_customer = TextField(*customer, "id").value_or("");
  }
}

}  // namespace

Result<ProviderCheckout> CheckoutOf(const json::value& body, bool want_wallet) {
  if (!body.is_object()) return NotComplete("PayPal's answer is not an order");
  const json::object& order = body.get_object();
  std::string status = TextField(order, "status").value_or("");
  if (status != "COMPLETED") return NotComplete("order " + status);
  const json::object* capture = FirstCapture(order);
  if (!capture) return NotComplete("no capture");
  std::string captured = TextField(*capture, "status").value_or("");
  if (captured != "COMPLETED") return NotComplete("capture " + captured);
  const json::object* amount = Obj(*capture, "amount");
  auto minor = amount ? MinorOf(*amount) : std::nullopt;
  if (!minor) return NotComplete("the capture has no readable amount");
  ProviderCheckout out;
  out.provider_session = TextField(order, "id").value_or("");
  out.jopay_object = TextField(*capture, "custom_id").value_or("");
  if (const json::object* unit = FirstUnit(order); unit && out.jopay_object.empty()) {
    out.jopay_object = TextField(*unit, "custom_id").value_or("");
  }
  out.charge_ref = TextField(*capture, "id").value_or("");
  out.amount_paid = minor->amount;
  out.currency = minor->currency;
  out.card.provider = "paypal";
  out.card.brand = "paypal";
  ReadWallet(order, out);
  if (const json::object* payer = Obj(order, "payer"); payer && out.email.empty()) {
    out.email = TextField(*payer, "email_address").value_or("");
  }
  if (want_wallet && out.card.provider_ref.empty()) {
    return Status::Conflict("PayPal took the payment but saved no wallet for renewals.",
                            "wallet_not_saved");
  }
  return out;
}

namespace {

// A 2xx order answer of a renewal, as it stands.
ChargeAnswer FromOrder(const json::object& order) {
  using K = ChargeAnswer::Kind;
  std::string id = TextField(order, "id").value_or("");
  std::string status = TextField(order, "status").value_or("");
  if (const json::object* capture = FirstCapture(order)) {
    std::string ref = TextField(*capture, "id").value_or("");
    std::string captured = TextField(*capture, "status").value_or("");
    if (captured == "COMPLETED") return Answer(K::kPaid, ref);
    if (captured == "DECLINED" || captured == "FAILED") {
      return Answer(K::kDeclined, ref, "instrument_declined",
                    "PayPal declined the payment (capture " + Lower(captured) + ").");
    }
    // PENDING (an eCheck, a review): the order is read back until it settles.
    return Answer(K::kUnknown, id, "", "", "the capture is " + captured + " at PayPal");
  }
  if (status == "PAYER_ACTION_REQUIRED") {
    return Answer(K::kDeclined, id, "payer_action_required",
                  "The customer must approve this payment at PayPal.");
  }
  if (status == "VOIDED") {
    return Answer(K::kDeclined, id, "order_voided", "PayPal voided the order.");
  }
  return Answer(K::kUnknown, id, "", "", "the order is " + status + " at PayPal, not captured");
}

}  // namespace

ChargeAnswer ChargeAnswerOf(const Reply& r) {
  if (auto a = Indefinite(r)) return *a;
  if (r.ok()) {
    if (!r.body.is_object()) {
      return Answer(ChargeAnswer::Kind::kUnknown, "", "", "", "PayPal answered something not JSON");
    }
    return FromOrder(r.body.get_object());
  }
  std::string issue = IssueOf(r.body);
  if (issue == "ORDER_COMPLETION_IN_PROGRESS" || issue == "ORDER_ALREADY_CAPTURED") {
    return Answer(ChargeAnswer::Kind::kUnknown, "", "", "", "PayPal: " + issue);
  }
  std::string text = ErrorTextOf(r.body);
  return Answer(ChargeAnswer::Kind::kDeclined, "",
                issue.empty() ? "paypal_refused" : Lower(issue),
                text.empty() ? fmt::format("PayPal refused the payment ({}).", r.status) : text);
}

bool NeedsCapture(const Reply& r) {
  if (!r.ok() || !r.body.is_object()) return false;
  const json::object& order = r.body.get_object();
  std::string status = TextField(order, "status").value_or("");
  return !FirstCapture(order) && (status == "CREATED" || status == "APPROVED" || status == "SAVED");
}

Result<std::string> RefundBody(const RefundIntent& i) {
  auto money = MoneyOf(i.amount, i.currency);
  if (!money.ok()) return money.status();
  json::object body{{"amount", std::move(*money)}, {"custom_id", i.refund_id}};
  if (!i.reason.empty()) body["note_to_payer"] = Cut(i.reason, 255);
  return json::serialize(body);
}

ChargeAnswer RefundAnswerOf(const Reply& r) {
  using K = ChargeAnswer::Kind;
  if (auto a = Indefinite(r)) return *a;
  if (!r.ok()) {
    std::string text = ErrorTextOf(r.body);
    return Answer(K::kDeclined, "", "refund_refused",
                  text.empty() ? fmt::format("PayPal refused the refund ({} {}).", r.status,
                                             IssueOf(r.body))
                               : text);
  }
  if (!r.body.is_object()) return Answer(K::kUnknown, "", "", "", "PayPal answered something not JSON");
  const json::object& refund = r.body.get_object();
  std::string id = TextField(refund, "id").value_or("");
  std::string status = TextField(refund, "status").value_or("");
  if (status == "COMPLETED") return Answer(K::kPaid, id);
  if (status == "FAILED" || status == "CANCELLED") {
    return Answer(K::kDeclined, id, "refund_failed",
                  "PayPal reports the refund " + Lower(status) + ".");
  }
  return Answer(K::kUnknown, id, "", "", "the refund is " + status + " at PayPal");
}

}  // namespace jopay::paypal
