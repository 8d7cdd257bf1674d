#include "daemon/checkout/session_request.h"

#include <fmt/core.h>

#include <boost/url/parse.hpp>

#include "common/json_fields.h"
#include "common/money.h"
#include "common/validate.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr size_t kMaxLineItems = 100;
constexpr int64_t kMaxQuantity = 10000;
constexpr size_t kMaxUrlLength = 2048;

// The same failure with its param placed under `prefix` ("plan" + "name" -> "plan.name").
Status Under(const Status& st, const std::string& prefix) {
  if (st.ok()) return st;
  std::string param = st.param().empty() ? prefix : prefix + "." + st.param();
  std::string message = st.message();
  if (!st.param().empty() && message.rfind(st.param(), 0) == 0) {
    message = prefix + "." + message;  // "amount must be ..." -> "plan.amount must be ..."
  } else if (st.code() == "parameter_unknown" || st.code() == "parameter_missing") {
    message = fmt::format("{} (in {})", message, prefix);
  }
  return Status::Make(st.kind(), st.code(), message, param);
}

Result<std::string> GetCurrency(const json::object& o, std::string_view key) {
  std::optional<std::string> text;
  JOPAY_RETURN_IF_ERROR(GetString(o, key, text, 10));
  JOPAY_RETURN_IF_ERROR(Require(text.has_value(), key));
  auto code = NormalizeCurrency(*text);
  if (!code.ok()) {
    return Status::Invalid(fmt::format("{} is not a known currency code: {}", key, *text),
                           std::string(key));
  }
  return *code;
}

Result<LineItem> ParseLineItem(const json::value& v) {
  if (!v.is_object()) return Status::Invalid("must be an object {name, amount, currency, quantity}");
  const json::object& o = v.get_object();
  JOPAY_RETURN_IF_ERROR(RejectUnknown(o, {"name", "amount", "currency", "quantity"}));
  LineItem item;
  std::optional<std::string> name;
  JOPAY_RETURN_IF_ERROR(GetString(o, "name", name, 250));
  JOPAY_RETURN_IF_ERROR(Require(name.has_value() && !name->empty(), "name"));
  std::optional<int64_t> amount, quantity;
  JOPAY_RETURN_IF_ERROR(GetInt(o, "amount", amount, 1, kMaxAmount));
  JOPAY_RETURN_IF_ERROR(Require(amount.has_value(), "amount"));
  auto currency = GetCurrency(o, "currency");
  if (!currency.ok()) return currency.status();
  JOPAY_RETURN_IF_ERROR(GetInt(o, "quantity", quantity, 1, kMaxQuantity));
  item.name = *name;
  item.amount = *amount;
  item.currency = *currency;
  item.quantity = quantity.value_or(1);
  return item;
}

Status ParseLineItems(const json::object& body, NewSession& out) {
  auto it = body.find("line_items");
  if (it == body.end() || it->value().is_null()) return Require(false, "line_items");
  if (!it->value().is_array()) return Status::Invalid("line_items must be an array", "line_items");
  const json::array& items = it->value().get_array();
  if (items.empty() || items.size() > kMaxLineItems) {
    return Status::Invalid(fmt::format("line_items must hold 1 to {} items", kMaxLineItems),
                           "line_items");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::string prefix = fmt::format("line_items[{}]", i);
    auto item = ParseLineItem(items[i]);
    if (!item.ok()) return Under(item.status(), prefix);
    if (!out.line_items.empty() && item->currency != out.line_items.front().currency) {
      return Status::Invalid(
          fmt::format("all line_items must share one currency: {} is {}, line_items[0] is {}",
                      prefix, item->currency, out.line_items.front().currency),
          prefix + ".currency", "currency_mismatch");
    }
    out.line_items.push_back(std::move(*item));
  }
  int64_t total = 0;
  for (const auto& item : out.line_items) total += item.amount * item.quantity;  // < 2^63
  if (total > kMaxAmount) {
    return Status::Invalid(fmt::format("the total must be at most {}", kMaxAmount), "line_items");
  }
  return Status::Ok();
}

Result<SessionPlan> ParseInlinePlan(const json::object& o) {
  JOPAY_RETURN_IF_ERROR(
      RejectUnknown(o, {"name", "amount", "interval", "currency", "interval_count"}));
  SessionPlan plan;
  std::optional<std::string> name, interval;
  JOPAY_RETURN_IF_ERROR(GetString(o, "name", name, 200));
  JOPAY_RETURN_IF_ERROR(Require(name.has_value() && !name->empty(), "name"));
  std::optional<int64_t> amount, count;
  JOPAY_RETURN_IF_ERROR(GetInt(o, "amount", amount, 1, kMaxAmount));
  JOPAY_RETURN_IF_ERROR(Require(amount.has_value(), "amount"));
  JOPAY_RETURN_IF_ERROR(GetString(o, "interval", interval, 20));
  JOPAY_RETURN_IF_ERROR(Require(interval.has_value(), "interval"));
  if (*interval != "day" && *interval != "week" && *interval != "month" && *interval != "year") {
    return Status::Invalid("interval must be one of day, week, month, year", "interval");
  }
  plan.interval = *ParseInterval(*interval);
  if (o.contains("currency") && !o.at("currency").is_null()) {
    auto currency = GetCurrency(o, "currency");
    if (!currency.ok()) return currency.status();
    plan.currency = *currency;
  } else {
    plan.currency = "eur";
  }
  JOPAY_RETURN_IF_ERROR(GetInt(o, "interval_count", count, 1, 365));
  plan.name = *name;
  plan.amount = *amount;
  plan.interval_count = static_cast<int>(count.value_or(1));
  return plan;
}

Status ParsePlan(const json::object& body, NewSession& out) {
  auto it = body.find("plan");
  if (it == body.end() || it->value().is_null()) return Require(false, "plan");
  const json::value& v = it->value();
  if (v.is_string()) {
    if (v.get_string().empty() || v.get_string().size() > 100) {
      return Status::Invalid("plan must be a plan id or a plan object", "plan");
    }
    SessionPlan plan;
    plan.id = std::string(v.get_string());
    out.plan = plan;
    return Status::Ok();
  }
  if (!v.is_object()) {
    return Status::Invalid("plan must be a plan id or an object {name, amount, interval}", "plan");
  }
  auto plan = ParseInlinePlan(v.get_object());
  if (!plan.ok()) return Under(plan.status(), "plan");
  out.plan = std::move(*plan);
  return Status::Ok();
}

Status ParseMode(const json::object& body, NewSession& out) {
  std::optional<std::string> mode;
  JOPAY_RETURN_IF_ERROR(GetString(body, "mode", mode, 20));
  out.mode = mode.value_or("payment");
  if (out.mode != "payment" && out.mode != "subscription") {
    return Status::Invalid("mode must be \"payment\" or \"subscription\"", "mode");
  }
  bool subscription = out.mode == "subscription";
  // Fields of the other mode are mistakes worth naming, not things to ignore.
  static const std::vector<std::string_view> kPaymentOnly = {"line_items"};
  static const std::vector<std::string_view> kSubscriptionOnly = {"plan", "trial_period_days"};
  for (std::string_view key : subscription ? kPaymentOnly : kSubscriptionOnly) {
    if (body.contains(key)) {
      return Status::Invalid(fmt::format("{} is not allowed in {} mode", key, out.mode),
                             std::string(key));
    }
  }
  if (!subscription) return ParseLineItems(body, out);
  JOPAY_RETURN_IF_ERROR(ParsePlan(body, out));
  std::optional<int64_t> trial;
  JOPAY_RETURN_IF_ERROR(GetInt(body, "trial_period_days", trial, 0, 730));
  if (trial) out.trial_days = static_cast<int>(*trial);
  return Status::Ok();
}

Status ParseCustomer(const json::object& body, NewSession& out) {
  std::optional<std::string> email, reference;
  JOPAY_RETURN_IF_ERROR(GetString(body, "customer_email", email, 254));
  if (email) {
    JOPAY_RETURN_IF_ERROR(ValidateEmail(NormalizeEmail(*email), "customer_email"));
    out.customer_email = NormalizeEmail(*email);
  }
  JOPAY_RETURN_IF_ERROR(GetString(body, "client_reference_id", reference, 200));
  out.client_reference_id = reference;
  if (auto it = body.find("metadata"); it != body.end() && !it->value().is_null()) {
    JOPAY_RETURN_IF_ERROR(ValidateMetadata(it->value()));
    out.metadata = json::serialize(it->value());
  }
  return Status::Ok();
}

Status ParseUrls(const json::object& body, bool livemode, CancelUrl cancel_rule,
                 NewSession& out) {
  std::optional<std::string> success, cancel;
  JOPAY_RETURN_IF_ERROR(GetString(body, "success_url", success, kMaxUrlLength));
  JOPAY_RETURN_IF_ERROR(Require(success.has_value(), "success_url"));
  JOPAY_RETURN_IF_ERROR(ValidateRedirectUrl(*success, livemode, "success_url"));
  JOPAY_RETURN_IF_ERROR(GetString(body, "cancel_url", cancel, kMaxUrlLength));
  if (cancel_rule == CancelUrl::kRequired) {
    JOPAY_RETURN_IF_ERROR(Require(cancel.has_value(), "cancel_url"));
  }
  if (cancel) JOPAY_RETURN_IF_ERROR(ValidateRedirectUrl(*cancel, livemode, "cancel_url"));
  out.success_url = *success;
  out.cancel_url = cancel.value_or(*success);
  return Status::Ok();
}

}  // namespace

Status ValidateRedirectUrl(std::string_view url, bool livemode, std::string_view param) {
  auto bad = [&](std::string why) {
    return Status::Invalid(fmt::format("{} {}", param, why), std::string(param), "url_invalid");
  };
  if (url.size() > kMaxUrlLength) return bad(fmt::format("must be at most {} characters", kMaxUrlLength));
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return bad("must be an absolute http(s) URL, e.g. https://example.com/done");
  std::string scheme(parsed->scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "https" && scheme != "http") return bad("must use http or https");
  if (livemode && scheme != "https") return bad("must use https in live mode");
  if (!parsed->has_authority() || parsed->host().empty()) return bad("must name a host");
  return Status::Ok();
}

Result<NewSession> ParseNewSession(const json::object& body, bool livemode,
                                   CancelUrl cancel_url) {
  JOPAY_RETURN_IF_ERROR(RejectUnknown(
      body, {"mode", "line_items", "plan", "trial_period_days", "customer_email",
             "client_reference_id", "success_url", "cancel_url", "metadata", "expires_in"}));
  NewSession out;
  JOPAY_RETURN_IF_ERROR(ParseMode(body, out));
  JOPAY_RETURN_IF_ERROR(ParseCustomer(body, out));
  JOPAY_RETURN_IF_ERROR(ParseUrls(body, livemode, cancel_url, out));
  std::optional<int64_t> expires_in;
  JOPAY_RETURN_IF_ERROR(GetInt(body, "expires_in", expires_in, 1800, 86400));
  out.expires_in = expires_in.value_or(1800);
  return out;
}

}  // namespace jopay
