#include "cli/completion.h"

#include <doctest/doctest.h>

#include "cli/man_commands.h"

namespace jopay::cli {

namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("completion: every script names every noun, verb and option of the table") {
  for (const auto& shell : kShells) {
    CAPTURE(shell);
    auto script = CompletionScript(shell);
    REQUIRE(script.ok());
    for (const auto& n : Nouns()) CHECK(Has(*script, n.name));
    for (const CommandSpec* c : VisibleCommands()) {
      CAPTURE(c->Name());
      CHECK(Has(*script, c->verb.empty() ? c->noun : c->verb));
      for (const auto& o : c->options) CHECK(Has(*script, o.name));
      for (const auto& a : c->args) {
        for (const auto& choice : a.choices) CHECK(Has(*script, choice));
      }
    }
    for (const auto& o : GlobalOptions()) CHECK(Has(*script, o.name));
  }
}

TEST_CASE("completion: choices and file completion are wired") {
  std::string bash = BashCompletion();
  CHECK(Has(bash, "--interval) COMPREPLY=($(compgen -W \"day week month year\""));
  CHECK(Has(bash, "files=1"));
  CHECK(Has(bash, "complete -F _jopayctl jopayctl"));
  std::string zsh = ZshCompletion();
  CHECK(zsh.rfind("#compdef jopayctl\n", 0) == 0);
  CHECK(Has(zsh, "'1:FILE:_files'"));
  CHECK(Has(zsh, "'*--metadata=["));
  std::string fish = FishCompletion();
  CHECK(Has(fish, "-l interval -x -a 'day week month year'"));
  CHECK(Has(fish, "-l socket -r -F"));
}

TEST_CASE("completion: hidden commands stay hidden; unknown shells are refused") {
  for (const auto& shell : kShells) CHECK_FALSE(Has(*CompletionScript(shell), "__man-commands"));
  CHECK_FALSE(CompletionScript("tcsh").ok());
}

TEST_CASE("man: the COMMANDS section lists every visible command, escaped for scdoc") {
  std::string man = ManCommandsSection();
  CHECK(man.rfind("# COMMANDS\n", 0) == 0);
  for (const CommandSpec* c : VisibleCommands()) CHECK(Has(man, "*" + c->Name() + "*"));
  CHECK(Has(man, "*--starting-after* _ID_"));
  CHECK(Has(man, "plan\\_..."));  // underscores escaped
  CHECK_FALSE(Has(man, "__man-commands"));
  CHECK(ScdocEscape("a_b*c") == "a\\_b\\*c");
}

}  // namespace jopay::cli
