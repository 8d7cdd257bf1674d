// Invocation: one run of one command, as its handler sees it: the values the
// command line gave, the daemon (already in the right mode), the printer for
// stdout and the process's surroundings (stderr, terminals, cwd).
#pragma once

#include <boost/json/value.hpp>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/admin_client.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/status.h"

namespace jopay::cli {

// The process's surroundings, replaceable in tests.
struct Env {
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool in_tty = false;
  bool out_tty = false;
  bool err_tty = false;
  bool no_color = false;     // NO_COLOR is set (to anything)
  std::string cwd;           // for making paths absolute
  std::string socket_env;    // JOPAY_SOCKET, empty if unset

  // The real process: std::cin/cout/cerr, isatty, getenv, getcwd.
  static Env FromProcess();
};

// Values given on the command line, by option name ("amount") or argument
// placeholder ("ID"); a flag that was given holds {"true"}.
using Values = std::map<std::string, std::vector<std::string>, std::less<>>;

class Invocation {
 public:
  Invocation(const CommandSpec& command, Values values, Env& env, Printer& printer,
             AdminCaller& daemon, bool live)
      : command_(command), values_(std::move(values)), env_(env), printer_(printer),
        daemon_(daemon), live_(live) {}

  const CommandSpec& command() const { return command_; }
  // Whether the option or argument was given (a flag: whether it was set).
  bool Has(std::string_view name) const;
  // Its (last) value, else the option's default, else "".
  std::string Get(std::string_view name) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> All(std::string_view name) const;
  // Get() as an integer; the parser already checked integer options.
  int64_t GetInt(std::string_view name) const;

  // One admin API call in this invocation's mode (test or --live).
  Result<boost::json::value> Call(std::string_view method, std::string_view target,
                                  const RequestBody& body = {});
  AdminCaller& daemon() { return daemon_; }
  bool live() const { return live_; }

  Printer& out() { return printer_; }
  std::ostream& err() { return *env_.err; }
  Env& env() { return env_; }

 private:
  const CommandSpec& command_;
  Values values_;
  Env& env_;
  Printer& printer_;
  AdminCaller& daemon_;
  bool live_;
};

}  // namespace jopay::cli
