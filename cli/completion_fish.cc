// The fish completion script: a helper that lists the words typed so far
// (options and their values left out), and one `complete` line per noun,
// verb, option and argument, each guarded by where on the line it applies.
#include <string>

#include "cli/completion.h"

namespace jopay::cli {

namespace {

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string Helper() {
  std::string value_options;
  for (const auto& name : ValueOptionNames()) value_options += " " + name;
  return "# The words typed so far, without options and their values.\n"
         "function __jopayctl_words\n"
         "    set -l skip 0\n"
         "    set -l typed (commandline -opc)\n"
         "    set -e typed[1]\n"
         "    for w in $typed\n"
         "        if test $skip = 1\n"
         "            set skip 0\n"
         "            continue\n"
         "        end\n"
         "        switch $w\n"
         "            case" + value_options + "\n"
         "                set skip 1\n"
         "            case '-*'\n"
         "            case '*'\n"
         "                echo $w\n"
         "        end\n"
         "    end\n"
         "end\n\n"
         "# True when the words so far are exactly the arguments.\n"
         "function __jopayctl_at\n"
         "    set -l words (__jopayctl_words)\n"
         "    test (count $words) -eq (count $argv); or return 1\n"
         "    test \"$words\" = \"$argv\"\n"
         "end\n\n"
         "# True when the words so far begin with the arguments.\n"
         "function __jopayctl_in\n"
         "    set -l words (__jopayctl_words)\n"
         "    set -l n (count $argv)\n"
         "    test (count $words) -ge $n; or return 1\n"
         "    test \"$words[1..$n]\" = \"$argv\"\n"
         "end\n\n";
}

std::string OptionLine(const std::string& condition, const OptionSpec& o) {
  std::string s = "complete -c jopayctl -n " + Quote(condition);
  if (o.short_name) s += std::string(" -s ") + o.short_name;
  s += " -l " + o.name;
  if (!o.choices.empty()) {
    std::string words;
    for (const auto& c : o.choices) words += (words.empty() ? "" : " ") + c;
    s += " -x -a " + Quote(words);
  } else if (o.kind == ValueKind::kFile) {
    s += " -r -F";
  } else if (!o.is_flag()) {
    s += " -x";
  }
  return s + " -d " + Quote(o.help) + "\n";
}

std::string CommandLines(const CommandSpec& c) {
  std::string where = "__jopayctl_in " + c.Name();
  std::string s;
  for (const auto& o : c.options) s += OptionLine(where, o);
  for (const auto& a : c.args) {
    std::string at = "__jopayctl_at " + c.Name();
    if (a.kind == ValueKind::kFile) {
      s += "complete -c jopayctl -n " + Quote(at) + " -F -d " + Quote(a.help) + "\n";
    }
    for (const auto& choice : a.choices) {
      s += "complete -c jopayctl -n " + Quote(at) + " -a " + choice + "\n";
    }
  }
  return s;
}

}  // namespace

std::string FishCompletion() {
  std::string s = "# " + GeneratedNote("fish") + "\n\n" + Helper();
  s += "complete -c jopayctl -f\n";
  for (const auto& o : GlobalOptions()) s += OptionLine("true", o);
  s += "\n";
  for (const auto& n : Nouns()) {
    s += "complete -c jopayctl -n '__jopayctl_at' -a " + n.name + " -d " + Quote(n.summary) + "\n";
  }
  for (const CommandSpec* c : TopLevelCommands()) {
    s += "complete -c jopayctl -n '__jopayctl_at' -a " + c->noun + " -d " + Quote(c->summary) +
         "\n";
  }
  for (const auto& n : Nouns()) {
    s += "\n";
    for (const CommandSpec* c : VerbsOf(n.name)) {
      s += "complete -c jopayctl -n " + Quote("__jopayctl_at " + n.name) + " -a " + c->verb +
           " -d " + Quote(c->summary) + "\n";
    }
    for (const CommandSpec* c : VerbsOf(n.name)) s += CommandLines(*c);
  }
  s += "\n";
  for (const CommandSpec* c : TopLevelCommands()) s += CommandLines(*c);
  return s;
}

}  // namespace jopay::cli
