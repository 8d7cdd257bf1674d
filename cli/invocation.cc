#include "cli/invocation.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>

namespace jopay::cli {

Env Env::FromProcess() {
  Env env;
  env.in = &std::cin;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.in_tty = isatty(STDIN_FILENO) == 1;
  env.out_tty = isatty(STDOUT_FILENO) == 1;
  env.err_tty = isatty(STDERR_FILENO) == 1;
  env.no_color = std::getenv("NO_COLOR") != nullptr;
  if (const char* s = std::getenv("JOPAY_SOCKET")) env.socket_env = s;
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf)) env.cwd = buf;
  return env;
}

bool Invocation::Has(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->second.empty();
}

std::string Invocation::Get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end() && !it->second.empty()) {
    return it->second.back();
  }
  for (const auto& o : command_.options) {
    if (o.name == name) return o.default_value;
  }
  return {};
}

std::vector<std::string> Invocation::All(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int64_t Invocation::GetInt(std::string_view name) const {
  return std::strtoll(Get(name).c_str(), nullptr, 10);
}

Result<boost::json::value> Invocation::Call(std::string_view method, std::string_view target,
                                            const RequestBody& body) {
  return daemon_.Call(method, target, body, live_);
}

}  // namespace jopay::cli
