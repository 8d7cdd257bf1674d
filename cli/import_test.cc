#include "cli/import.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "cli/fake_daemon.h"

namespace jopay::cli {

namespace {

std::vector<Chunk> AllChunks(const std::string& input, size_t max) {
  std::istringstream in(input);
  ChunkReader reader(in, max);
  std::vector<Chunk> out;
  while (true) {
    auto next = reader.Next();
    REQUIRE(next.ok());
    if (!*next) break;
    out.push_back(**next);
  }
  return out;
}

// An import against a fake daemon, with a small chunk size.
struct ImportRun {
  FakeDaemon daemon;
  std::ostringstream out, err;
  Env env;
  Status Run(const std::string& input, size_t max, Format format = Format::kTable) {
    env.out = &out;
    env.err = &err;
    Printer printer(format, out, false);
    Invocation inv(*FindCommand("subscriptions import"), {{"FILE", {"-"}}}, env, printer, daemon,
                   false);
    std::istringstream in(input);
    return ImportFrom(inv, in, max);
  }
};

}  // namespace

TEST_CASE("import: chunks are cut at line boundaries with the right first_line") {
  // Lines of 9 bytes + '\n'; 20 bytes hold two of them.
  auto chunks = AllChunks("aaaaaaaaa\nbbbbbbbbb\nccccccccc\n\nddddddddd\n", 20);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].first_line == 1);
  CHECK(chunks[0].text == "aaaaaaaaa\nbbbbbbbbb\n");
  CHECK(chunks[1].first_line == 3);
  CHECK(chunks[1].text == "ccccccccc\n\n");  // the blank line counts and is sent
  CHECK(chunks[2].first_line == 5);
  CHECK(chunks[2].text == "ddddddddd\n");
}

TEST_CASE("import: a chunk may be exactly the limit; a last line gets its newline") {
  auto chunks = AllChunks("1234\n1234\nxy", 10);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].text == "1234\n1234\n");
  CHECK(chunks[1].first_line == 3);
  CHECK(chunks[1].text == "xy\n");
  CHECK(AllChunks("", 10).empty());
}

TEST_CASE("import: a line longer than a chunk is a clear error naming the line") {
  std::istringstream in("short\n" + std::string(40, 'x') + "\nshort\n");
  ChunkReader reader(in, 20);
  auto first = reader.Next();  // fails at once: nothing is worth sending
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().kind() == Status::Kind::kInvalid);
  CHECK(first.status().message() ==
        "line 2 is 40 bytes, more than the 20 bytes an import request may carry");
}

TEST_CASE("import: a clean import sends every chunk as NDJSON and commits") {
  ImportRun run;
  run.daemon.Answer(R"({"id": "imp_1", "object": "import"})");
  run.daemon.Answer(R"({"received": 2, "errors": []})");
  run.daemon.Answer(R"({"received": 1, "errors": []})");
  run.daemon.Answer(R"({"imported": 3})");
  Status st = run.Run("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", 16);
  CHECK(st.ok());
  auto& calls = run.daemon.calls;
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].target == "/v1/imports");
  CHECK(calls[1].target == "/v1/imports/imp_1/lines?first_line=1");
  CHECK(calls[1].body.content_type == "application/x-ndjson");
  CHECK(calls[1].body.bytes == "{\"a\":1}\n{\"a\":2}\n");
  CHECK(calls[2].target == "/v1/imports/imp_1/lines?first_line=3");
  CHECK(calls[3].method == "POST");
  CHECK(calls[3].target == "/v1/imports/imp_1/commit");
  CHECK(run.out.str() == "imported 3 subscriptions\n");
  CHECK(run.err.str().empty());  // no progress line when stderr is not a terminal
}

TEST_CASE("import: json output prints the commit answer") {
  ImportRun run;
  run.daemon.Answer(R"({"id": "imp_1"})");
  run.daemon.Answer(R"({"received": 1, "errors": []})");
  run.daemon.Answer(R"({"imported": 1})");
  CHECK(run.Run("{}\n", 100, Format::kJson).ok());
  CHECK(run.out.str() == "{\n  \"imported\": 1\n}\n");
}

TEST_CASE("import: line errors are listed in order, the import deleted, exit 5") {
  ImportRun run;
  run.daemon.Answer(R"({"id": "imp_1"})");
  run.daemon.Answer(R"({"received": 2, "errors": [{"line": 2, "message": "unknown plan",
                       "param": "plan"}]})");
  run.daemon.Answer(R"({"received": 2, "errors": [{"line": 1, "message": "a"}]})");
  Status st = run.Run("{}\n{}\n{}\n{}\n", 6);
  CHECK(st.kind() == Status::Kind::kInvalid);
  CHECK(st.message() == "2 of 4 lines have errors; nothing was imported");
  CHECK(run.err.str() == "line 1: a\nline 2: unknown plan (param: plan)\n");
  CHECK(run.daemon.calls.back().method == "DELETE");
  CHECK(run.daemon.calls.back().target == "/v1/imports/imp_1");
  CHECK(run.out.str().empty());
}

TEST_CASE("import: at most 50 line errors are printed, with a count of the rest") {
  ImportRun run;
  run.daemon.Answer(R"({"id": "imp_1"})");
  boost::json::array errors;
  for (int i = 1; i <= 60; ++i) errors.push_back({{"line", i}, {"message", "bad"}});
  run.daemon.answers.push_back(boost::json::value({{"received", 60}, {"errors", errors}}));
  std::string input;
  for (int i = 0; i < 60; ++i) input += "{}\n";
  Status st = run.Run(input, 1000);
  CHECK_FALSE(st.ok());
  std::string err = run.err.str();
  CHECK(err.find("line 50: bad\n... and 10 more\n") != std::string::npos);
  CHECK(err.find("line 51:") == std::string::npos);
}

TEST_CASE("import: a line too long deletes the import and fails") {
  ImportRun run;
  run.daemon.Answer(R"({"id": "imp_1"})");
  Status st = run.Run("{}\n" + std::string(100, 'x') + "\n", 50);
  CHECK(st.kind() == Status::Kind::kInvalid);
  CHECK(st.message().find("line 2") != std::string::npos);
  CHECK(run.daemon.calls.back().method == "DELETE");
}

TEST_CASE("import: progress goes to stderr only when it is a terminal") {
  ImportRun run;
  run.env.err_tty = true;
  run.daemon.Answer(R"({"id": "imp_1"})");
  run.daemon.Answer(R"({"received": 1, "errors": []})");
  run.daemon.Answer(R"({"imported": 1})");
  CHECK(run.Run("{}\n", 100).ok());
  CHECK(run.err.str().find("\rimporting: 1 lines sent") != std::string::npos);
}

TEST_CASE("import: the default chunk fits the daemon's 1 MiB body limit") {
  CHECK(kMaxChunkBytes <= 1024 * 1024 - 64 * 1024);
}

}  // namespace jopay::cli
