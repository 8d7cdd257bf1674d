#include "cli/man_commands.h"

#include <ostream>

#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/handlers.h"
#include "cli/invocation.h"

namespace jopay::cli {

namespace {

// Help texts are lowercase phrases; the page shows them as sentences.
std::string Sentence(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return ScdocEscape(text) + ".";
}

std::string OptionUsage(const OptionSpec& o) {
  std::string s = "*--" + ScdocEscape(o.name) + "*";
  if (!o.is_flag()) s += " _" + ScdocEscape(o.value) + "_";
  return s;
}

std::string Synopsis(const CommandSpec& c) {
  std::string s = "*" + ScdocEscape(c.Name()) + "*";
  bool optional = false;
  for (const auto& o : c.options) {
    if (o.required) {
      s += " " + OptionUsage(o);
    } else {
      optional = true;
    }
  }
  if (optional) s += " [_options_]";
  for (const auto& a : c.args) s += " _" + ScdocEscape(a.name) + "_";
  return s;
}

std::string OptionDetail(const OptionSpec& o) {
  std::string text = o.help;
  if (o.required) text += " (required)";
  if (o.repeatable) text += "; may be repeated";
  text = Sentence(text);
  if (!o.choices.empty()) {
    std::string list;
    for (const auto& c : o.choices) list += (list.empty() ? "" : ", ") + ("*" + ScdocEscape(c) + "*");
    text += " One of " + list + ".";
  }
  if (!o.default_value.empty()) text += " Default: " + ScdocEscape(o.default_value) + ".";
  return "\t" + OptionUsage(o) + "\n\t\t" + text + "\n\n";
}

std::string CommandEntry(const CommandSpec& c) {
  std::string s = Synopsis(c) + "\n\t" + ScdocEscape(c.summary) + ".";
  if (c.destructive) s += " With *--live*, needs *--confirm* or a typed yes.";
  s += "\n\n";
  for (const auto& a : c.args) {
    s += "\t_" + ScdocEscape(a.name) + "_\n\t\t" + Sentence(a.help) + "\n\n";
  }
  for (const auto& o : c.options) s += OptionDetail(o);
  return s;
}

}  // namespace

std::string ScdocEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string ManCommandsSection() {
  std::string s = "# COMMANDS\n\n";
  for (const auto& n : Nouns()) {
    s += "## " + n.name + "\n\n" + ScdocEscape(n.summary) + ".\n\n";
    for (const CommandSpec* c : VerbsOf(n.name)) s += CommandEntry(*c);
  }
  s += "## Other commands\n\n";
  for (const CommandSpec* c : TopLevelCommands()) s += CommandEntry(*c);
  return s;
}

Status ManCommands(Invocation& inv) {
  inv.out().stream() << ManCommandsSection();
  return Status::Ok();
}

}  // namespace jopay::cli
