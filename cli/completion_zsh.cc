// The zsh completion script: _arguments specs with each option's help, and
// _describe menus of nouns and verbs with their summaries.
#include <string>

#include "cli/completion.h"

namespace jopay::cli {

namespace {

// Text inside a single-quoted _arguments spec or _describe entry.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      if (c == '[' || c == ']' || c == ':') out += '\\';
      out += c;
    }
  }
  return out;
}

std::string Action(ValueKind kind, const std::vector<std::string>& choices) {
  if (!choices.empty()) {
    std::string out = "(";
    for (size_t i = 0; i < choices.size(); ++i) out += (i ? " " : "") + choices[i];
    return out + ")";
  }
  return kind == ValueKind::kFile ? "_files" : " ";
}

std::string OptionSpecText(const OptionSpec& o) {
  std::string help = "[" + Escape(o.help) + "]";
  std::string value = o.is_flag() ? "" : ":" + Escape(o.value) + ":" + Action(o.kind, o.choices);
  std::string eq = o.is_flag() ? "" : "=";
  if (o.short_name) {
    std::string s(1, o.short_name);
    return "'(-" + s + " --" + o.name + ")'{-" + s + ",--" + o.name + eq + "}'" + help + value +
           "'";
  }
  return std::string("'") + (o.repeatable ? "*" : "") + "--" + o.name + eq + help + value + "'";
}

std::string Arguments(const CommandSpec& c, const std::string& indent) {
  std::string out = indent + "_arguments -s $globals";
  for (const auto& o : c.options) out += " \\\n" + indent + "  " + OptionSpecText(o);
  for (const auto& a : c.args) {
    out += " \\\n" + indent + "  '1:" + Escape(a.name) + ":" + Action(a.kind, a.choices) + "'";
  }
  return out + "\n";
}

std::string Menu(const std::string& var, const std::vector<std::pair<std::string, std::string>>&
                                              entries, const std::string& indent) {
  std::string out = indent + "local -a " + var + "=(\n";
  for (const auto& [name, summary] : entries) {
    out += indent + "  '" + name + ":" + Escape(summary) + "'\n";
  }
  return out + indent + ")\n";
}

std::string NounFunction(const NounSpec& noun) {
  std::vector<std::pair<std::string, std::string>> verbs;
  for (const CommandSpec* c : VerbsOf(noun.name)) verbs.emplace_back(c->verb, c->summary);
  std::string out = "_jopayctl_" + noun.name + "() {\n";
  out += "  if (( CURRENT == 2 )); then\n" + Menu("verbs", verbs, "    ");
  out += "    _describe -t verbs '" + noun.name + " command' verbs\n    return\n  fi\n";
  out += "  shift words\n  (( CURRENT-- ))\n  case $words[1] in\n";
  for (const CommandSpec* c : VerbsOf(noun.name)) {
    out += "    " + c->verb + ")\n" + Arguments(*c, "      ") + "      ;;\n";
  }
  return out + "  esac\n}\n\n";
}

std::string Globals() {
  std::string out = "typeset -ga _jopayctl_globals=(\n";
  for (const auto& o : GlobalOptions()) out += "  " + OptionSpecText(o) + "\n";
  return out + ")\n\n";
}

}  // namespace

std::string ZshCompletion() {
  std::string s = "#compdef jopayctl\n# " + GeneratedNote("zsh") + "\n\n" + Globals();
  for (const auto& n : Nouns()) s += NounFunction(n);
  std::vector<std::pair<std::string, std::string>> firsts;
  for (const auto& n : Nouns()) firsts.emplace_back(n.name, n.summary);
  for (const CommandSpec* c : TopLevelCommands()) firsts.emplace_back(c->noun, c->summary);
  s += "_jopayctl() {\n  local curcontext=\"$curcontext\" state line\n";
  s += "  local -a globals=($_jopayctl_globals)\n";
  s += "  _arguments -C -s $globals '1:command:->command' '*::arg:->args' && return\n";
  s += "  case $state in\n    command)\n" + Menu("commands", firsts, "      ");
  s += "      _describe -t commands 'jopayctl command' commands\n      ;;\n";
  s += "    args)\n      case $words[1] in\n";
  for (const auto& n : Nouns()) s += "        " + n.name + ") _jopayctl_" + n.name + " ;;\n";
  for (const CommandSpec* c : TopLevelCommands()) {
    s += "        " + c->noun + ")\n" + Arguments(*c, "          ") + "          ;;\n";
  }
  s += "      esac\n      ;;\n  esac\n}\n\n";
  s += "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n  _jopayctl \"$@\"\nelse\n"
       "  compdef _jopayctl jopayctl\nfi\n";
  return s;
}

}  // namespace jopay::cli
