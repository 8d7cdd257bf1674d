// The bash completion script: one function that finds the noun and verb on
// the line (skipping options and their values) and completes from there.
#include <string>

#include "cli/completion.h"

namespace jopay::cli {

namespace {

std::string Join(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string Reply(const std::string& words) {
  return "COMPREPLY=($(compgen -W \"" + words + "\" -- \"$cur\"))";
}

std::vector<std::string> OptionWords(const std::vector<OptionSpec>& options) {
  std::vector<std::string> out;
  for (const auto& o : options) {
    if (o.short_name) out.push_back(std::string("-") + o.short_name);
    out.push_back("--" + o.name);
  }
  return out;
}

// "case $prev in" arms: choices, files, or nothing (free text) for the value.
std::string ValueArms(const std::vector<OptionSpec>& options, const std::string& indent) {
  std::string out;
  std::vector<std::string> free;
  for (const auto& o : options) {
    if (o.is_flag()) continue;
    std::string names = (o.short_name ? std::string("-") + o.short_name + "|" : "") + "--" + o.name;
    if (!o.choices.empty()) {
      out += indent + names + ") " + Reply(Join(o.choices)) + "; return ;;\n";
    } else if (o.kind == ValueKind::kFile) {
      out += indent + names + ") _jopayctl_files; return ;;\n";
    } else {
      free.push_back(names);
    }
  }
  if (!free.empty()) out += indent + Join(free, "|") + ") return ;;\n";
  return out;
}

// The body of one command's arm: its options, value completions and argument.
std::string CommandArm(const CommandSpec& c, const std::string& indent, int words_before) {
  std::string out = indent + "opts=\"" + Join(OptionWords(c.options)) + "\"\n";
  std::string arms = ValueArms(c.options, indent + "    ");
  if (!arms.empty()) out += indent + "case $prev in\n" + arms + indent + "esac\n";
  if (!c.args.empty()) {
    const ArgSpec& a = c.args.front();
    if (a.kind == ValueKind::kFile) out += indent + "files=1\n";
    if (!a.choices.empty()) out += indent + "choices=\"" + Join(a.choices) + "\"\n";
    out += indent + "nargs=" + std::to_string(c.args.size()) + " npos=$((${#args[@]} - " +
           std::to_string(words_before) + "))\n";
  }
  return out;
}

std::string NounArm(const NounSpec& noun) {
  std::vector<std::string> verbs;
  for (const CommandSpec* c : VerbsOf(noun.name)) verbs.push_back(c->verb);
  std::string out = "        " + noun.name + ")\n            case ${args[1]} in\n";
  out += "                \"\") " + Reply(Join(verbs)) + "; return ;;\n";
  for (const CommandSpec* c : VerbsOf(noun.name)) {
    out += "                " + c->verb + ")\n" + CommandArm(*c, "                    ", 2) +
           "                    ;;\n";
  }
  out += "                *) return ;;\n            esac ;;\n";
  return out;
}

std::string TopLevelArm(const CommandSpec& c) {
  return "        " + c.noun + ")\n" + CommandArm(c, "            ", 1) + "            ;;\n";
}

std::string Firsts() {
  std::vector<std::string> words;
  for (const auto& n : Nouns()) words.push_back(n.name);
  for (const CommandSpec* c : TopLevelCommands()) words.push_back(c->noun);
  return Join(words);
}

}  // namespace

std::string BashCompletion() {
  std::vector<std::string> globals = OptionWords({GlobalOptions().begin(), GlobalOptions().end()});
  globals.push_back("--help");
  std::string s = "# " + GeneratedNote("bash") + "\n\n";
  s += "_jopayctl_files() {\n    compopt -o filenames 2>/dev/null\n"
       "    COMPREPLY=($(compgen -f -- \"$cur\"))\n}\n\n";
  s += "_jopayctl() {\n";
  s += "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n";
  s += "    local -a args=()\n    local i w skip=0\n";
  s += "    for ((i = 1; i < COMP_CWORD; i++)); do\n        w=${COMP_WORDS[i]}\n";
  s += "        if ((skip)); then\n            [[ $w == = ]] || skip=0\n            continue\n"
       "        fi\n";
  s += "        case $w in\n            " + Join(ValueOptionNames(), "|") + ") skip=1 ;;\n";
  s += "            -*) ;;\n            *) args+=(\"$w\") ;;\n        esac\n    done\n";
  s += "    # --option=<TAB>: bash splits the '=' into a word of its own.\n";
  s += "    [[ $prev == = ]] && prev=${COMP_WORDS[COMP_CWORD-2]}\n";
  s += "    [[ $cur == = ]] && cur=\"\"\n";
  s += "    local globals=\"" + Join(globals) + "\"\n";
  s += "    local opts=\"\" files=0 choices=\"\" nargs=0 npos=0\n";
  s += "    case $prev in\n" +
       ValueArms({GlobalOptions().begin(), GlobalOptions().end()}, "        ") + "    esac\n";
  s += "    case ${args[0]} in\n        \"\")\n";
  s += "            if [[ $cur == -* ]]; then\n                " + Reply("$globals") +
       "\n            else\n                " + Reply(Firsts()) + "\n            fi\n";
  s += "            return ;;\n";
  for (const auto& n : Nouns()) s += NounArm(n);
  for (const CommandSpec* c : TopLevelCommands()) s += TopLevelArm(*c);
  s += "        *) return ;;\n    esac\n";
  s += "    if [[ $cur == -* ]]; then\n        " + Reply("$opts $globals") + "\n";
  s += "    elif ((npos < nargs)); then\n";
  s += "        if ((files)); then\n            _jopayctl_files\n";
  s += "        elif [[ -n $choices ]]; then\n            " + Reply("$choices") + "\n";
  s += "        fi\n    fi\n}\n\n";
  s += "complete -F _jopayctl jopayctl\n";
  return s;
}

}  // namespace jopay::cli
