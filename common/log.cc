#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "common/time.h"

namespace jopay {

namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mu;
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }

void LogLine(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  std::string line = fmt::format("{} jopayd[{}] {}: {}\n", FormatRfc3339(SystemNow()), getpid(),
                                 kNames[static_cast<int>(level)], message);
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace jopay
