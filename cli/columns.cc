#include "cli/columns.h"

#include <boost/json/serialize.hpp>
#include <map>

#include "common/money.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

Cell Plain(const json::object& o, std::string_view key) { return {Field(o, key)}; }

Cell Status(const json::object& o) {
  std::string s = Field(o, "status");
  return {s, StatusColor(s)};
}

std::string IntervalText(const json::object& o, std::string_view interval_key) {
  std::string interval = Field(o, interval_key);
  const json::value* n = o.if_contains("interval_count");
  if (!n || !n->is_int64() || n->as_int64() == 1) return interval;
  return std::to_string(n->as_int64()) + " " + interval + "s";
}

// An array of strings as "a,b"; anything else as ScalarText shows it.
std::string Names(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_array()) return ScalarText(v);
  std::string out;
  for (const json::value& item : v->as_array()) {
    out += (out.empty() ? "" : ",") + (item.is_string() ? std::string(item.as_string())
                                                         : json::serialize(item));
  }
  return out.empty() ? "-" : out;
}

std::vector<Column> PlanColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"NAME", [](const json::object& o) { return Plain(o, "name"); }},
      {"AMOUNT", [](const json::object& o) { return Cell{MoneyText(o, "amount")}; }},
      {"INTERVAL", [](const json::object& o) { return Cell{IntervalText(o, "interval")}; }},
      {"TRIAL", [](const json::object& o) { return Cell{Field(o, "trial_days") + "d"}; }},
      {"METHODS", [](const json::object& o) { return Cell{Names(o, "payment_methods")}; }},
      {"ACTIVE", [](const json::object& o) { return Plain(o, "active"); }},
  };
}

std::vector<Column> SubscriptionColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"STATUS", Status},
      {"EMAIL", [](const json::object& o) { return Plain(o, "customer_email"); }},
      {"PLAN", [](const json::object& o) { return Plain(o, "plan_name"); }},
      {"AMOUNT", [](const json::object& o) { return Cell{MoneyText(o, "amount_cents")}; }},
      {"PERIOD END", [](const json::object& o) { return Plain(o, "current_period_end"); }},
  };
}

std::vector<Column> CustomerColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"EMAIL", [](const json::object& o) { return Plain(o, "email"); }},
      {"NAME", [](const json::object& o) { return Plain(o, "name"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
  };
}

std::vector<Column> InvoiceColumns() {
  return {
      {"NUMBER", [](const json::object& o) { return Plain(o, "number"); }},
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"STATUS", Status},
      {"TOTAL", [](const json::object& o) { return Cell{MoneyText(o, "total")}; }},
      {"CUSTOMER", [](const json::object& o) { return Plain(o, "customer_email"); }},
      {"REASON", [](const json::object& o) { return Plain(o, "billing_reason"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
  };
}

std::vector<Column> PaymentColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"STATUS", Status},
      {"AMOUNT", [](const json::object& o) { return Cell{MoneyText(o, "amount")}; }},
      {"SUBSCRIPTION", [](const json::object& o) { return Plain(o, "subscription_id"); }},
      {"ATTEMPT", [](const json::object& o) { return Plain(o, "attempt"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
      {"FAILURE", [](const json::object& o) {
         return Cell{o.contains("failure_code") && !o.at("failure_code").is_null()
                         ? Field(o, "failure_code") : ""};
       }},
  };
}

std::vector<Column> EventColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"TYPE", [](const json::object& o) { return Plain(o, "type"); }},
      {"OBJECT", [](const json::object& o) { return Plain(o, "object_id"); }},
      {"SEQ", [](const json::object& o) { return Plain(o, "sequence"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
  };
}

std::vector<Column> SessionColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"MODE", [](const json::object& o) { return Plain(o, "mode"); }},
      {"STATUS", Status},
      {"AMOUNT", [](const json::object& o) { return Cell{MoneyText(o, "amount_cents")}; }},
      {"EMAIL", [](const json::object& o) { return Plain(o, "customer_email"); }},
      {"EXPIRES", [](const json::object& o) { return Plain(o, "expires_at"); }},
  };
}

Cell KeyState(const json::object& o) {
  const json::value* revoked = o.if_contains("revoked_at");
  if (revoked && !revoked->is_null()) return {"revoked", StatusColor("revoked")};
  return {"active", StatusColor("active")};
}

std::vector<Column> KeyColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"KEY", [](const json::object& o) {
         return Cell{Field(o, "prefix") + "..." + Field(o, "last4")};
       }},
      {"ACCESS", [](const json::object& o) {
         const json::value* ro = o.if_contains("read_only");
         return Cell{ro && ro->is_bool() && ro->as_bool() ? "read-only" : "full"};
       }},
      {"STATE", KeyState},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
      {"LAST USED", [](const json::object& o) { return Plain(o, "last_used_at"); }},
  };
}

std::vector<Column> WebhookEndpointColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"URL", [](const json::object& o) { return Plain(o, "url"); }},
      {"STATUS", Status},
      {"EVENTS", [](const json::object& o) {
         std::string text;
         if (const json::value* e = o.if_contains("events"); e && e->is_array()) {
           for (const auto& t : e->as_array()) {
             if (!text.empty()) text += ",";
             text += ScalarText(&t);
           }
         }
         return Cell{text};
       }},
      {"DESCRIPTION", [](const json::object& o) { return Plain(o, "description"); }},
      {"REASON", [](const json::object& o) { return Plain(o, "disabled_reason"); }},
  };
}

std::vector<Column> WebhookDeliveryColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"ENDPOINT", [](const json::object& o) { return Plain(o, "endpoint_id"); }},
      {"URL", [](const json::object& o) { return Plain(o, "url"); }},
      {"STATUS", Status},
      {"ATTEMPTS", [](const json::object& o) { return Plain(o, "attempts"); }},
      {"NEXT ATTEMPT", [](const json::object& o) { return Plain(o, "next_attempt_at"); }},
  };
}

std::vector<Column> WebhookAttemptColumns() {
  return {
      {"DELIVERY", [](const json::object& o) { return Plain(o, "delivery_id"); }},
      {"AT", [](const json::object& o) { return Plain(o, "attempted_at"); }},
      {"HTTP", [](const json::object& o) { return Plain(o, "status_code"); }},
      {"MS", [](const json::object& o) { return Plain(o, "latency_ms"); }},
      {"ERROR", [](const json::object& o) { return Plain(o, "error"); }},
      {"RESPONSE", [](const json::object& o) {
         std::string r = Field(o, "response_excerpt");
         for (char& ch : r) ch = ch == '\n' || ch == '\t' ? ' ' : ch;
         return Cell{r.size() > 60 ? r.substr(0, 57) + "..." : r};
       }},
  };
}

std::vector<Column> EmailColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"KIND", [](const json::object& o) { return Plain(o, "kind"); }},
      {"STATUS", Status},
      {"TO", [](const json::object& o) { return Plain(o, "to"); }},
      {"ATTEMPTS", [](const json::object& o) { return Plain(o, "attempts"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
      {"LAST ERROR", [](const json::object& o) {
         std::string e = Field(o, "last_error");
         return Cell{e.size() > 60 ? e.substr(0, 57) + "..." : e};
       }},
  };
}

std::vector<Column> OtherColumns() {
  return {
      {"ID", [](const json::object& o) { return Plain(o, "id"); }},
      {"OBJECT", [](const json::object& o) { return Plain(o, "object"); }},
      {"CREATED", [](const json::object& o) { return Plain(o, "created_at"); }},
  };
}

}  // namespace

const std::vector<Column>& ColumnsFor(std::string_view object) {
  static const std::map<std::string, std::vector<Column>, std::less<>> by_type = {
      {"plan", PlanColumns()},         {"subscription", SubscriptionColumns()},
      {"customer", CustomerColumns()}, {"payment", PaymentColumns()},
      {"invoice", InvoiceColumns()},       {"credit_note", InvoiceColumns()},
      {"event", EventColumns()},       {"api_key", KeyColumns()},
      {"checkout.session", SessionColumns()},
      {"webhook_endpoint", WebhookEndpointColumns()},
      {"webhook_delivery", WebhookDeliveryColumns()},
      {"webhook_attempt", WebhookAttemptColumns()},
      {"email", EmailColumns()},
  };
  static const std::vector<Column> other = OtherColumns();
  auto it = by_type.find(object);
  return it == by_type.end() ? other : it->second;
}

std::string ScalarText(const json::value* v) {
  if (!v || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_bool()) return v->as_bool() ? "yes" : "no";
  return json::serialize(*v);
}

std::string Field(const json::object& o, std::string_view key) {
  return ScalarText(o.if_contains(key));
}

std::string MoneyText(const json::object& o, std::string_view amount_key) {
  const json::value* amount = o.if_contains(amount_key);
  const json::value* currency = o.if_contains("currency");
  if (!amount || !amount->is_int64() || !currency || !currency->is_string()) {
    return ScalarText(amount);
  }
  return FormatMoney(amount->as_int64(), currency->as_string());
}

bool IsAmountField(std::string_view key) {
  return key == "amount" || key == "amount_cents";
}

}  // namespace jopay::cli
