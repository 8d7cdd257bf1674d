// The daemon assembled: lock, store, clock, engine, scheduler, the admin socket and the public
// listener, run until SIGTERM/SIGINT (SIGHUP reloads the configuration: reload.h), then a graceful stop (listeners close, requests in
// flight finish, the batch in progress commits, the writer drains).
#pragma once

#include <functional>

#include "daemon/config.h"

namespace jopay {

// Returns the process exit code. `reread` reads the configuration again (the same command
// line and config file) for a SIGHUP reload.
int RunDaemon(const Config& config, std::function<Status(Config&)> reread);

}  // namespace jopay
