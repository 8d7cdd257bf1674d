#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <deque>
#include <filesystem>

#include "cli/confirm.h"
#include "cli/exit_code.h"
#include "cli/suggest.h"
#include "cli/values.h"

namespace jopay::cli {

extern const char* const kVersion;

namespace {

// A table row (or the global options) tied to its CLI11 parser.
struct Bound {
  const CommandSpec* spec = nullptr;
  CLI::App* app = nullptr;
  std::vector<std::pair<std::string, CLI::Option*>> options;  // options and arguments
};

CLI::Validator Check(ValueKind kind) {
  return CLI::Validator([kind](std::string& v) { return CheckValue(kind, v); }, "", "");
}

void Constrain(CLI::Option* opt, ValueKind kind, const std::vector<std::string>& choices) {
  if (kind != ValueKind::kText && kind != ValueKind::kFile) opt->check(Check(kind));
  if (!choices.empty()) opt->check(CLI::IsMember(choices));
}

void AddOption(CLI::App& app, const OptionSpec& o, Bound& b) {
  std::string names = "--" + o.name;
  if (o.short_name) names = std::string("-") + o.short_name + "," + names;
  CLI::Option* opt = nullptr;
  if (o.is_flag()) {
    opt = app.add_flag(names, o.help);
  } else {
    opt = app.add_option(names, CLI::callback_t{}, o.help);
    opt->type_name(o.value)->expected(1);
    Constrain(opt, o.kind, o.choices);
    opt->multi_option_policy(o.repeatable ? CLI::MultiOptionPolicy::TakeAll
                                          : CLI::MultiOptionPolicy::TakeLast);
    if (!o.default_value.empty()) opt->default_str(o.default_value);
  }
  if (o.required) opt->required();
  b.options.emplace_back(o.name, opt);
}

void AddArg(CLI::App& app, const ArgSpec& a, Bound& b) {
  CLI::Option* opt = app.add_option(a.name, CLI::callback_t{}, a.help);
  opt->type_name("")->expected(1)->required();
  Constrain(opt, a.kind, a.choices);
  b.options.emplace_back(a.name, opt);
}

CLI::App* NounApp(CLI::App& app, const std::string& noun) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == noun) return sub;
  }
  std::string summary;
  for (const auto& n : Nouns()) {
    if (n.name == noun) summary = n.summary;
  }
  return app.add_subcommand(noun, summary);
}

void Build(CLI::App& app, std::deque<Bound>& bound, Bound& globals) {
  app.set_version_flag("--version", std::string("jopayctl ") + kVersion);
  for (const auto& o : GlobalOptions()) {
    if (o.name != "version") AddOption(app, o, globals);
  }
  app.fallthrough();
  app.require_subcommand(1);
  app.footer("Exit status: 0 ok, 1 error, 2 usage, 3 permission, 4 not found, 5 invalid or "
             "conflict, 8 jopayd unreachable. See jopayctl(1).");
  for (const auto& spec : Commands()) {
    CLI::App* parent = spec.verb.empty() ? &app : NounApp(app, spec.noun);
    CLI::App* leaf = parent->add_subcommand(spec.verb.empty() ? spec.noun : spec.verb,
                                            spec.summary);
    if (spec.hidden) leaf->group("");
    Bound& b = bound.emplace_back();
    b.spec = &spec;
    b.app = leaf;
    for (const auto& a : spec.args) AddArg(*leaf, a, b);
    for (const auto& o : spec.options) AddOption(*leaf, o, b);
  }
}

Values Collect(const Bound& b) {
  Values values;
  for (const auto& [name, opt] : b.options) {
    if (opt->count() == 0) continue;
    if (opt->get_type_size() == 0) {
      values[name] = {"true"};  // a flag
    } else {
      values[name] = opt->results();
    }
  }
  return values;
}

// Every noun and every top-level command (status, renew...).
std::vector<std::string> TopLevelWords() {
  std::vector<std::string> words;
  for (const auto& n : Nouns()) words.emplace_back(n.name);
  for (const auto& c : Commands()) {
    if (c.verb.empty() && !c.hidden) words.push_back(c.noun);
  }
  return words;
}

std::vector<std::string> VerbsOf(const std::string& noun) {
  std::vector<std::string> verbs;
  for (const auto& c : Commands()) {
    if (c.noun == noun && !c.verb.empty() && !c.hidden) verbs.push_back(c.verb);
  }
  return verbs;
}

int UnknownWord(Env& env, const std::string& what, const std::string& word,
                const std::vector<std::string>& known) {
  *env.err << "jopayctl: error: unknown " << what << ": " << word;
  if (auto meant = ClosestWord(word, known)) *env.err << "; did you mean " << *meant << "?";
  *env.err << "\nRun with --help for more information.\n";
  return kExitUsage;
}

int ParseFailure(CLI::App& app, const CLI::ParseError& e, Env& env) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    app.exit(e, *env.out, *env.err);  // --help, --version
    return kExitOk;
  }
  // An unknown word where a command belongs leaves CLI11 saying only that a subcommand is
  // required, or that an argument was not expected: name it, and what was likely meant.
  std::vector<std::string> left = app.remaining();
  if (!left.empty() && !left.front().starts_with("-")) {
    const std::string& word = left.front();
    std::vector<CLI::App*> chosen = app.get_subcommands();
    if (chosen.empty()) return UnknownWord(env, "command", word, TopLevelWords());
    std::string noun = chosen.front()->get_name();
    if (!chosen.front()->get_subcommands({}).empty() && chosen.front()->get_subcommands().empty()) {
      return UnknownWord(env, noun + " command", word, VerbsOf(noun));
    }
  }
  *env.err << "jopayctl: error: " << e.what() << "\nRun with --help for more information.\n";
  return kExitUsage;
}

// A noun without its verb: name the verbs it has.
int MissingVerb(CLI::App& app, Env& env) {
  for (const auto& n : Nouns()) {
    if (!app.get_subcommand(n.name)->parsed()) continue;
    std::string verbs;
    for (const auto& c : Commands()) {
      if (c.noun == n.name && !c.hidden) verbs += (verbs.empty() ? "" : ", ") + c.verb;
    }
    *env.err << "jopayctl: error: " << n.name << " needs a command: " << verbs
             << "\nRun with --help for more information.\n";
    return kExitUsage;
  }
  *env.err << "jopayctl: error: no command given\nRun with --help for more information.\n";
  return kExitUsage;
}

int RunCommand(const Bound& leaf, const Values& globals, Env& env, const Connector& connect) {
  const CommandSpec& spec = *leaf.spec;
  Values values = Collect(leaf);
  auto global = [&](const char* name) {
    auto it = globals.find(name);
    return it == globals.end() ? std::string() : it->second.back();
  };
  bool live = !global("live").empty();
  bool stdin_is_data = !spec.args.empty() && spec.args[0].kind == ValueKind::kFile &&
                       values.count(spec.args[0].name) && values[spec.args[0].name][0] == "-";
  Status st = ConfirmLive(spec, live, values.count("confirm") > 0, stdin_is_data, env);
  if (st.ok()) {
    Result<Format> format = ParseFormat(global("output").empty() ? "table" : global("output"));
    bool color = env.out_tty && !env.no_color && *format == Format::kTable;
    Printer printer(*format, *env.out, color);
    std::unique_ptr<AdminCaller> daemon = connect(SocketPath(global("socket"), env.socket_env));
    Invocation inv(spec, std::move(values), env, printer, *daemon, live);
    st = spec.handler(inv);
  }
  env.out->flush();
  if (!st.ok()) PrintError(*env.err, st);
  return ExitCodeFor(st);
}

}  // namespace

std::unique_ptr<AdminCaller> ConnectToSocket(const std::string& socket) {
  return std::make_unique<AdminClient>(socket);
}

std::string SocketPath(const std::string& flag, const std::string& env_value) {
  if (!flag.empty()) return flag;
  if (!env_value.empty()) return env_value;
  // An installed jopayd (the Debian package's unit) listens here; a source checkout's
  // scripts/run on ./var comes first.
  std::error_code ec;
  if (!std::filesystem::exists(kDefaultSocket, ec) &&
      std::filesystem::exists(kPackagedSocket, ec)) {
    return kPackagedSocket;
  }
  return kDefaultSocket;
}

int Run(int argc, const char* const* argv, Env& env, const Connector& connect) {
  CLI::App app{"jopayctl: operate jopayd, the JoPay subscription-billing daemon, through its "
               "admin socket.",
               "jopayctl"};
  std::deque<Bound> bound;
  Bound globals;
  Build(app, bound, globals);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ParseFailure(app, e, env);
  }
  for (const auto& b : bound) {
    if (b.app->parsed()) return RunCommand(b, Collect(globals), env, connect);
  }
  return MissingVerb(app, env);
}

}  // namespace jopay::cli
