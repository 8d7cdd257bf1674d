// One-line log records on stderr, as text ("2025-01-31T10:00:00Z jopayd[pid] level: message")
// or as JSON, one object a line: time, level, pid, message, the request id of the request the
// thread is handling, and the ids the message names (subscription_id, customer_id, ...).
//
// Whatever the caller passes, secrets never reach the log: API and provider keys (sk_/rk_
// test and live), webhook signing secrets (whsec_) and anything shaped like a card number
// (13 to 19 digits, spaces or dashes allowed between them) are masked in every record.
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jopay {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

void SetLogFormat(LogFormat format);
void SetLogLevel(LogLevel level);
// True if records of `level` are written: lets a caller skip building a record nobody reads.
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view message);

// While it lives, every record written on this thread carries field `key` (e.g. request_id).
// Scopes nest; the innermost value of a key wins.
class LogScope {
 public:
  LogScope(std::string key, std::string value);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;
};

// `text` with secrets and card numbers replaced by "[redacted]" (what LogLine writes).
std::string RedactSecrets(std::string_view text);
// The object ids `text` names, as (field, id): ("subscription_id", "sub_...").
std::vector<std::pair<std::string, std::string>> IdsIn(std::string_view text);

template <class... Args>
void LogInfo(fmt::format_string<Args...> f, Args&&... args) {
  LogLine(LogLevel::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void LogWarn(fmt::format_string<Args...> f, Args&&... args) {
  LogLine(LogLevel::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void LogError(fmt::format_string<Args...> f, Args&&... args) {
  LogLine(LogLevel::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void LogDebug(fmt::format_string<Args...> f, Args&&... args) {
  LogLine(LogLevel::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace jopay
