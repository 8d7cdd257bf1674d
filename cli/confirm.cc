#include "cli/confirm.h"

#include <istream>
#include <ostream>

#include "cli/exit_code.h"

namespace jopay::cli {

Status ConfirmLive(const CommandSpec& command, bool live, bool confirmed, bool stdin_is_data,
                   Env& env) {
  if (!command.destructive || !live || confirmed) return Status::Ok();
  std::string name = "jopayctl " + command.Name();
  bool can_ask = env.in_tty && env.err_tty && !stdin_is_data && env.in;
  if (!can_ask) {
    return UsageError("refusing to run `" + name +
                      "` on live data without --confirm (no terminal to ask on)");
  }
  *env.err << name << " changes LIVE data: " << command.summary
           << ".\nType yes to continue (or rerun with --confirm): " << std::flush;
  std::string answer;
  std::getline(*env.in, answer);
  if (answer == "yes") return Status::Ok();
  return UsageError("not confirmed; nothing was changed (type yes, or pass --confirm)");
}

}  // namespace jopay::cli
