// The jopayctl command table: one entry per noun + verb (or per top-level
// command such as `status`). This table alone drives the CLI11 parser and its
// help, the shell completions and the man page's COMMANDS section; adding a
// command means adding a row here and a handler in the noun's file.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jopay::cli {

class Invocation;
using Handler = Status (*)(Invocation&);

// What an option's or argument's value is; decides validation and completion.
enum class ValueKind {
  kText,      // anything
  kInteger,   // a whole number (amounts in minor units, counts, days)
  kFile,      // a path; completed as a file name
  kKeyValue,  // k=v (metadata)
  kTime,      // RFC 3339 time or date
  kDuration,  // "4d", "1mo", "1y6mo"
};

struct OptionSpec {
  std::string name;         // long name without dashes: "amount"
  std::string value;        // placeholder ("N", "CODE"); empty for a flag
  std::string help;
  ValueKind kind = ValueKind::kText;
  std::vector<std::string> choices = {};  // allowed values, if a closed set
  bool required = false;
  bool repeatable = false;
  std::string default_value = {};
  char short_name = 0;  // a one-letter alias: 'o' for -o

  bool is_flag() const { return value.empty(); }
};

struct ArgSpec {
  std::string name;  // placeholder as shown: "ID", "FILE"
  std::string help;
  ValueKind kind = ValueKind::kText;
  std::vector<std::string> choices = {};
};

struct CommandSpec {
  std::string noun;  // "plans"; a top-level command ("status") has no verb
  std::string verb;  // "create"; empty for a top-level command
  std::string summary;
  std::vector<ArgSpec> args;
  std::vector<OptionSpec> options;
  Handler handler = nullptr;
  bool list = false;         // adds --limit and --starting-after
  bool destructive = false;  // adds --confirm, required with --live
  bool hidden = false;       // not in help, completions or the man page

  // "plans create", "status".
  std::string Name() const { return verb.empty() ? noun : noun + " " + verb; }
};

// A noun that groups verbs ("plans"), with its one-line summary.
struct NounSpec {
  std::string name;
  std::string summary;
};

// Every command, in the order help and the man page show them. The options of
// list and destructive commands already include the added ones.
std::span<const CommandSpec> Commands();

// The nouns with verbs, in order; top-level commands are not nouns.
std::span<const NounSpec> Nouns();

// The command named "noun verb" (or "status"); nullptr if there is none.
const CommandSpec* FindCommand(std::string_view name);

// Global options, shown by help, completions and the man page alike.
std::span<const OptionSpec> GlobalOptions();

// Values of the closed sets, shared with the output and the tests.
inline const std::vector<std::string> kOutputFormats = {"table", "json", "ndjson", "id"};
inline const std::vector<std::string> kShells = {"bash", "zsh", "fish"};

}  // namespace jopay::cli
