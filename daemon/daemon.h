// The daemon assembled: lock, store, clock, engine, scheduler, the admin socket and the public
// listener, run until SIGTERM/SIGINT, then a graceful stop (listeners close, requests in
// flight finish, the batch in progress commits, the writer drains).
#pragma once

#include "daemon/config.h"

namespace jopay {

// Returns the process exit code.
int RunDaemon(const Config& config);

}  // namespace jopay
