// The jopayctl program: builds the CLI11 parser from the command table,
// parses, checks the --live safety catch, runs the chosen command's handler
// and turns the outcome into an exit code (cli/exit_code.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cli/admin_client.h"
#include "cli/invocation.h"

namespace jopay::cli {

// Makes the daemon connection for a socket path (tests pass a fake).
using Connector = std::function<std::unique_ptr<AdminCaller>(const std::string& socket)>;

// The real connector: an AdminClient on the socket.
std::unique_ptr<AdminCaller> ConnectToSocket(const std::string& socket);

// The whole program; answers the exit code. Parse errors print CLI11's
// message as "jopayctl: error: ..." and exit 2; --help and --version exit 0.
int Run(int argc, const char* const* argv, Env& env, const Connector& connect);

// The socket to use: --socket if given, else $JOPAY_SOCKET, else the default.
std::string SocketPath(const std::string& flag, const std::string& env_value);
inline constexpr const char* kDefaultSocket = "./var/jopayd.sock";
inline constexpr const char* kPackagedSocket = "/run/jopay/jopayd.sock";

}  // namespace jopay::cli
