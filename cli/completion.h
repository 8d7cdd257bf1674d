// Shell completion scripts for jopayctl, generated from the command table
// (`jopayctl completion bash|zsh|fish`). Checked-in copies live in
// completions/; the ctest completions_up_to_date keeps them in step.
//
// Every script completes the nouns and top-level commands, each noun's verbs,
// each command's options (and the global ones), the choices of closed-set
// options and arguments, and file names for FILE arguments and --socket.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "common/status.h"

namespace jopay::cli {

std::string BashCompletion();
std::string ZshCompletion();
std::string FishCompletion();

// The script for "bash", "zsh" or "fish"; another name is Status::Invalid.
Result<std::string> CompletionScript(std::string_view shell);

// Helpers the generators share.
// The commands shown to users (hidden ones left out).
std::vector<const CommandSpec*> VisibleCommands();
// The top-level commands (those without a verb) that users see.
std::vector<const CommandSpec*> TopLevelCommands();
// The visible commands of `noun`.
std::vector<const CommandSpec*> VerbsOf(std::string_view noun);
// Every option, of any command or global, that takes a value: "--socket",
// "-o", ...; the parsers of the scripts skip such an option's value.
std::vector<std::string> ValueOptionNames();
// The first line of every script: what made it.
std::string GeneratedNote(std::string_view shell);

}  // namespace jopay::cli
