// The --live safety catch: a destructive command (cancel, pause, archive,
// keys revoke, import) on live data needs --confirm. Without it jopayctl asks
// "type yes to continue" when it can talk to a person (stdin and stderr are
// terminals and stdin is not the command's data); otherwise it refuses.
#pragma once

#include "cli/commands.h"
#include "cli/invocation.h"
#include "common/status.h"

namespace jopay::cli {

// Ok when the command may run. A refusal or an answer other than "yes" is a
// usage error (exit 2) whose message names --confirm. `stdin_is_data`: the
// command reads its input from stdin (import -), so stdin cannot answer.
Status ConfirmLive(const CommandSpec& command, bool live, bool confirmed, bool stdin_is_data,
                   Env& env);

}  // namespace jopay::cli
