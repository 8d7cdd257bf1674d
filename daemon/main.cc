// jopayd: see man/jopayd.8.scd.
#include "daemon/config.h"
#include "daemon/daemon.h"

#include <cstdio>

int main(int argc, char** argv) {
  jopay::Config config;
  int exit_code = -1;
  jopay::Status st = jopay::ParseConfig(argc, argv, config, &exit_code);
  if (!st.ok()) {
    std::fprintf(stderr, "jopayd: %s\n", st.message().c_str());
    return 2;
  }
  if (exit_code >= 0) return exit_code;
  auto reread = [argc, argv](jopay::Config& fresh) {
    int code = -1;
    jopay::Status st = jopay::ParseConfig(argc, argv, fresh, &code);
    return st.ok() && code >= 0 ? jopay::Status::Invalid("nothing to reload") : st;
  };
  return jopay::RunDaemon(config, reread);
}
