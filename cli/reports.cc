#include "cli/reports.h"

#include <algorithm>

#include "cli/columns.h"
#include "common/money.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

std::string Charged(const json::object& summary) {
  const json::value* charged = summary.if_contains("charged");
  if (!charged || !charged->is_object() || charged->as_object().empty()) return "nothing";
  std::string out;
  for (const auto& [currency, amount] : charged->as_object()) {
    if (!out.empty()) out += ", ";
    out += amount.is_int64() ? FormatMoney(amount.as_int64(), currency)
                             : ScalarText(&amount) + " " + std::string(currency);
  }
  return out;
}

std::string NextAction(const json::value* next) {
  if (!next || !next->is_object()) return "none";
  const json::object& o = next->as_object();
  return Field(o, "action") + " " + Field(o, "subscription_id") + " at " + Field(o, "at");
}

std::string CardProviders(const json::value* v) {
  if (!v || !v->is_object()) return "";
  auto name = [&](const char* mode) {
    const json::value* p = v->as_object().if_contains(mode);
    return p && p->is_string() ? std::string(p->as_string()) : std::string("none");
  };
  return "test " + name("test") + ", live " + name("live");
}

// "test sandbox, live btcpay" (Lightning; on-chain named apart when it differs).
std::string PushProviders(const json::value* v) {
  if (!v || !v->is_object()) return "";
  auto name = [&](const char* mode, const char* rail) {
    const json::value* m = v->as_object().if_contains(mode);
    const json::value* p = m && m->is_object() ? m->as_object().if_contains(rail) : nullptr;
    return p && p->is_string() ? std::string(p->as_string()) : std::string("none");
  };
  auto mode = [&](const char* m) {
    std::string ln = name(m, "lightning"), chain = name(m, "onchain");
    return ln == chain ? ln : ln + " (on-chain " + chain + ")";
  };
  return "test " + mode("test") + ", live " + mode("live");
}

std::string ChargesLine(const json::value* v) {
  if (!v || !v->is_object()) return "";
  const json::object& o = v->as_object();
  return Field(o, "pending") + " pending, " + Field(o, "in_flight") + " in flight";
}

// "smtp.example.com:587 (starttls, auth) from billing@shop.example; 2 pending (1 retrying),
// 0 failed", or "off" when smtp-host is not set. Never the password: the daemon does not send it.
std::string EmailLine(const json::value* v) {
  if (!v || !v->is_object()) return "off (smtp-host not set)";
  const json::object& o = v->as_object();
  const json::value* auth = o.if_contains("auth");
  bool with_auth = auth && auth->is_bool() && auth->as_bool();
  return Field(o, "relay") + " (" + Field(o, "tls") + (with_auth ? ", auth" : "") + ") from " +
         Field(o, "from") + "; " + Field(o, "pending") + " pending (" + Field(o, "retrying") +
         " retrying), " + Field(o, "failed") + " failed";
}

std::string ConnectionsLine(const json::value* v) {
  if (!v || !v->is_object()) return "";
  const json::object& o = v->as_object();
  return Field(o, "public") + " public of " + Field(o, "public_max") + " at most (" +
         Field(o, "public_max_per_address") + " per address)";
}

std::string Warnings(const json::value* v) {
  if (!v || !v->is_array() || v->as_array().empty()) return "none";
  std::string out;
  for (const auto& w : v->as_array()) {
    if (!out.empty()) out += "; ";
    out += ScalarText(&w);
  }
  return out;
}

}  // namespace

std::string StatusCounts(const json::value* by_status) {
  if (!by_status || !by_status->is_object() || by_status->as_object().empty()) return "none";
  std::string out;
  for (const auto& [status, n] : by_status->as_object()) {
    if (n.is_int64() && n.as_int64() == 0) continue;
    if (!out.empty()) out += ", ";
    out += ScalarText(&n) + " " + std::string(status);
  }
  return out.empty() ? "none" : out;
}

std::string HumanDuration(int64_t seconds) {
  static const std::pair<int64_t, const char*> units[] = {
      {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (size_t i = 0; i < std::size(units); ++i) {
    auto [size, name] = units[i];
    if (seconds < size) continue;
    std::string out = std::to_string(seconds / size) + name;
    if (i + 1 < std::size(units)) {  // and the next smaller unit, if any
      auto [next, next_name] = units[i + 1];
      if (int64_t n = seconds % size / next; n > 0) out += " " + std::to_string(n) + next_name;
    }
    return out;
  }
  return "0s";
}

std::vector<KeyValue> SummaryRows(const json::object& s) {
  std::vector<KeyValue> rows;
  const json::value* dry = s.if_contains("dry_run");
  if (dry && dry->is_bool() && dry->as_bool()) {
    rows.push_back({"dry run", {"yes: nothing was charged or changed", "33"}});
  }
  if (s.contains("now")) rows.push_back({"now", {Field(s, "now")}});
  for (const char* key : {"renewed", "failed", "retried", "expired", "reminders"}) {
    rows.push_back({key, {Field(s, key)}});
  }
  rows.push_back({"charged", {Charged(s)}});
  // Counts of the clock's other due work (e.g. sessions_expired), whatever the daemon reports.
  for (const auto& [key, value] : s) {
    if (!value.is_int64() || std::string_view(key) == "renewed" || key == "failed" ||
        key == "retried" || key == "expired" || key == "reminders") {
      continue;
    }
    std::string label(key);
    std::replace(label.begin(), label.end(), '_', ' ');
    rows.push_back({label, {Field(s, key)}});
  }
  return rows;
}

std::vector<KeyValue> ClockRows(const json::object& c) {
  std::vector<KeyValue> rows = {{"clock", {Field(c, "mode")}}, {"now", {Field(c, "now")}}};
  const json::value* fired = c.if_contains("fired");
  if (!fired || !fired->is_object()) return rows;
  json::object summary = fired->as_object();
  summary.erase("now");
  for (auto& row : SummaryRows(summary)) rows.push_back(std::move(row));
  return rows;
}

std::vector<KeyValue> StatusRows(const json::object& s) {
  std::string clock;
  if (const json::value* c = s.if_contains("clock"); c && c->is_object()) {
    clock = Field(c->as_object(), "mode") + ", now " + Field(c->as_object(), "now");
  }
  const json::value* up = s.if_contains("uptime_seconds");
  std::string uptime = up && up->is_int64() ? " (up " + HumanDuration(up->as_int64()) + ")" : "";
  const json::value* metrics = s.if_contains("metrics");
  std::string metrics_line =
      metrics && metrics->is_string() ? "http://" + Field(s, "metrics") + "/metrics" : "off";
  return {
      {"jopayd", {Field(s, "version") + ", pid " + Field(s, "pid")}},
      {"started", {Field(s, "started_at") + uptime}},
      {"clock", {clock}},
      {"data dir", {Field(s, "data_dir")}},
      {"socket", {Field(s, "socket")}},
      {"listen", {Field(s, "listen")}},
      {"metrics", {metrics_line}},
      {"connections", {ConnectionsLine(s.if_contains("connections"))}},
      {"plans", {Field(s, "plans")}},
      {"customers", {Field(s, "customers")}},
      {"subscriptions", {StatusCounts(s.if_contains("subscriptions"))}},
      {"next action", {NextAction(s.if_contains("next_action"))}},
      {"cards", {CardProviders(s.if_contains("card_providers"))}},
      {"bitcoin", {PushProviders(s.if_contains("push_providers"))}},
      {"charges", {ChargesLine(s.if_contains("charges"))}},
      {"email", {EmailLine(s.if_contains("email"))}},
      {"warnings", {Warnings(s.if_contains("warnings")), "33"}},
  };
}

}  // namespace jopay::cli
