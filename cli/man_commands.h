// The COMMANDS section of jopayctl(1), in scdoc, generated from the command
// table by the hidden command `jopayctl __man-commands`; man/man.cmake puts it
// where man/jopayctl.1.scd.in has the line "@COMMANDS@".
#pragma once

#include <string>
#include <string_view>

namespace jopay::cli {

// "# COMMANDS" and, per noun and top-level command, each command's synopsis,
// summary, arguments and options.
std::string ManCommandsSection();

// Text safe in scdoc: '*', '_' and '\' escaped with a backslash.
std::string ScdocEscape(std::string_view text);

}  // namespace jopay::cli
