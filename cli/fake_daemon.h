// For tests: a scripted stand-in for jopayd, and a harness that runs the
// whole jopayctl program against it with captured stdin, stdout and stderr.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <deque>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/admin_client.h"
#include "cli/app.h"

namespace jopay::cli {

struct RecordedCall {
  std::string method;
  std::string target;
  RequestBody body;
  bool live = false;
};

// Answers calls from a queue (or with {} when it is empty) and records them.
class FakeDaemon : public AdminCaller {
 public:
  Result<boost::json::value> Call(std::string_view method, std::string_view target,
                                  const RequestBody& body, bool live) override {
    calls.push_back({std::string(method), std::string(target), body, live});
    if (respond) return respond(calls.back());
    if (answers.empty()) return boost::json::value(boost::json::object());
    Result<boost::json::value> next = answers.front();
    answers.pop_front();
    return next;
  }
  void Answer(std::string_view json) { answers.push_back(boost::json::parse(json)); }
  void Fail(Status s) { answers.push_back(std::move(s)); }

  std::deque<Result<boost::json::value>> answers;
  std::function<Result<boost::json::value>(const RecordedCall&)> respond;
  std::vector<RecordedCall> calls;
};

// Forwards to a FakeDaemon the test keeps (Run owns what the connector makes).
class DaemonRef : public AdminCaller {
 public:
  explicit DaemonRef(FakeDaemon& d) : d_(d) {}
  Result<boost::json::value> Call(std::string_view m, std::string_view t, const RequestBody& b,
                                  bool live) override {
    return d_.Call(m, t, b, live);
  }

 private:
  FakeDaemon& d_;
};

// jopayctl as a function: Run({"plans", "list"}) -> exit code; out() and
// err() hold what it printed.
struct Harness {
  FakeDaemon daemon;
  std::istringstream in;
  std::ostringstream out_stream, err_stream;
  Env env;
  std::string socket_used;

  Harness() {
    env.in = &in;
    env.out = &out_stream;
    env.err = &err_stream;
    env.cwd = "/home/op";
  }
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "jopayctl");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return cli::Run(static_cast<int>(argv.size()), argv.data(), env,
                    [this](const std::string& socket) {
                      socket_used = socket;
                      return std::make_unique<DaemonRef>(daemon);
                    });
  }
  std::string out() const { return out_stream.str(); }
  std::string err() const { return err_stream.str(); }
};

}  // namespace jopay::cli
