#include "common/log.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>

#include "common/ids.h"
#include "common/time.h"

namespace jopay {

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_mu;
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
thread_local std::vector<std::pair<std::string, std::string>> t_fields;

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Secret prefixes: JoPay's own API keys and Stripe's (sk_/rk_ test and live), and webhook
// signing secrets (ours and Stripe's both start whsec_).
constexpr std::string_view kSecretPrefixes[] = {"sk_live_", "sk_test_", "rk_live_", "rk_test_",
                                                "whsec_"};

// The length of a card-number-like run at text[i]: 13-19 digits, single spaces or dashes
// allowed between digits; 0 if there is none.
size_t CardRunAt(std::string_view text, size_t i) {
  size_t digits = 0, end = i, j = i;
  while (j < text.size()) {
    if (std::isdigit(static_cast<unsigned char>(text[j]))) {
      ++digits;
      end = ++j;
    } else if ((text[j] == ' ' || text[j] == '-') && j + 1 < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[j + 1])) && digits > 0) {
      ++j;
    } else {
      break;
    }
  }
  if (digits < 13 || digits > 19) return 0;
  if (end < text.size() && IsWordChar(text[end])) return 0;
  return end - i;
}

// Field names for the ids a record may name, by prefix (common/ids.h's shape).
constexpr std::pair<std::string_view, std::string_view> kIdFields[] = {
    {"sub_", "subscription_id"}, {"cus_", "customer_id"},      {"pay_", "payment_id"},
    {"evt_", "event_id"},        {"plan_", "plan_id"},         {"cs_", "session_id"},
    {"we_", "endpoint_id"},      {"re_", "refund_id"},         {"pm_", "payment_method_id"},
    {"key_", "key_id"},          {"imp_", "import_id"},        {"req_", "request_id"}};

std::string TextRecord(LogLevel level, const std::string& message) {
  std::string line = fmt::format("{} jopayd[{}] {}: {}", FormatRfc3339(SystemNow()), getpid(),
                                 kNames[static_cast<int>(level)], message);
  for (const auto& [key, value] : t_fields) line += fmt::format(" {}={}", key, value);
  return line + "\n";
}

std::string JsonRecord(LogLevel level, const std::string& message) {
  boost::json::object o{{"time", FormatRfc3339(SystemNow())},
                        {"level", kNames[static_cast<int>(level)]},
                        {"pid", static_cast<int64_t>(getpid())},
                        {"message", message}};
  for (const auto& [key, value] : t_fields) o[key] = value;
  for (const auto& [field, id] : IdsIn(message)) {
    if (!o.contains(field)) o[field] = id;  // the first a message names; the rest stay in it
  }
  return boost::json::serialize(o) + "\n";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
void SetLogFormat(LogFormat format) { g_format = format; }
bool LogEnabled(LogLevel level) { return level >= g_level.load(); }

std::string RedactSecrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool boundary = i == 0 || !IsWordChar(text[i - 1]);
    size_t skip = 0;
    if (boundary) {
      for (std::string_view p : kSecretPrefixes) {
        if (text.substr(i, p.size()) != p) continue;
        skip = p.size();
        while (i + skip < text.size() && IsWordChar(text[i + skip])) ++skip;
        break;
      }
      if (skip == 0) skip = CardRunAt(text, i);
    }
    if (skip > 0) {
      out += "[redacted]";
      i += skip;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> IdsIn(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && IsWordChar(text[i - 1])) continue;
    for (const auto& [prefix, field] : kIdFields) {
      size_t len = prefix.size() + kIdRandomChars;
      if (text.substr(i, prefix.size()) != prefix || i + len > text.size()) continue;
      if (i + len < text.size() && IsWordChar(text[i + len])) continue;
      std::string_view id = text.substr(i, len);
      if (HasIdPrefix(id, prefix)) out.emplace_back(field, id);
    }
  }
  return out;
}

LogScope::LogScope(std::string key, std::string value) {
  t_fields.emplace_back(std::move(key), std::move(value));
}
LogScope::~LogScope() { t_fields.pop_back(); }

void LogLine(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  std::string safe = RedactSecrets(message);
  std::string line = g_format.load() == LogFormat::kJson ? JsonRecord(level, safe)
                                                         : TextRecord(level, safe);
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace jopay
