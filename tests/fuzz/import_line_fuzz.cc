// Fuzz target: `jopayctl subscriptions import`, both halves: the CLI's cutting of NDJSON into
// request-sized chunks (cli/import.h ChunkReader) and the daemon's reading of each line into
// a subscription (daemon/billing/importer.h), on the store of the public face's fixture
// (face_fixture.h: its plans plan_FuzzMonthPlan00000000001 and the others have fixed ids).
//
// Input: one byte choosing the chunk size (16..2056 bytes), then the NDJSON text. Checked:
//  - the chunks hold the input exactly, in order, each line whole, none over the limit, with
//    the right first line numbers; or the error names a line that truly does not fit;
//  - every non-blank line is either staged or reported, once, under its own line number,
//    with a UTF-8 message (the admin API answers it as JSON);
//  - a clean import commits (in a writer job that is then rolled back, so the store stays as
//    it is): each subscription has its period ending after it starts (a trial that ended
//    before the import, its start unknown, starts at its end) and where the line said, the action
//    its status owes scheduled (renew at period end, expire if canceled, retry if past due, the
//    trial's reminder or end), a start one interval before the end kept as the billing anchor, and
//    every time in its API view written as readable RFC 3339.
#include <boost/json.hpp>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/import.h"
#include "daemon/billing/importer.h"
#include "daemon/billing/subscription_rows.h"
#include "tests/fuzz/face_fixture.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {
namespace {

namespace json = boost::json;

constexpr UnixSeconds kNow = 1738317600;  // the face's manual clock

// The input's lines as getline cuts them (the last one may lack its '\n').
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    out.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return out;
}

bool Blank(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Reads every chunk and checks it against the input; an empty result when the input has a
// line too long for a chunk (after checking that it has).
std::vector<cli::Chunk> Chunks(std::string_view text, size_t max) {
  std::string copy(text);
  std::istringstream in(copy);
  cli::ChunkReader reader(in, max);
  std::vector<cli::Chunk> chunks;
  std::string joined;
  int64_t next_line = 1;
  std::vector<std::string_view> lines = Lines(text);
  while (true) {
    auto chunk = reader.Next();
    if (!chunk.ok()) {
      const std::string& m = chunk.status().message();
      size_t n = m.starts_with("line ") ? std::strtoull(m.c_str() + 5, nullptr, 10) : 0;
      FUZZ_CHECK(n >= 1 && n <= lines.size() && lines[n - 1].size() + 1 > max,
                 "chunking refused: {} (chunk size {})", m, max);
      return {};
    }
    if (!*chunk) break;
    const cli::Chunk& c = **chunk;
    FUZZ_CHECK(c.first_line == next_line, "chunk starts at line {}, expected {}", c.first_line,
               next_line);
    FUZZ_CHECK(c.text.size() <= max && c.lines > 0, "chunk of {} bytes, {} lines (max {})",
               c.text.size(), c.lines, max);
    FUZZ_CHECK(c.text.back() == '\n' && std::count(c.text.begin(), c.text.end(), '\n') == c.lines,
               "chunk of {} lines does not hold them whole", c.lines);
    next_line += c.lines;
    joined += c.text;
    chunks.push_back(c);
  }
  std::string want(text);
  if (!want.empty() && want.back() != '\n') want += '\n';
  FUZZ_CHECK(joined == want, "the chunks do not add up to the input ({} vs {} bytes)",
             joined.size(), want.size());
  FUZZ_CHECK(reader.lines_read() == static_cast<int64_t>(lines.size()), "lines_read {} of {}",
             reader.lines_read(), lines.size());
  return chunks;
}

// Every time the API shows of an imported subscription reads back.
void CheckViewTimes(const Subscription& s) {
  json::object view = SubscriptionView(s);
  for (const auto& kv : view) {
    std::string_view key = kv.key();
    if (!kv.value().is_string() ||
        !(key.ends_with("_at") || key.ends_with("_start") || key.ends_with("_end"))) {
      continue;
    }
    std::string_view text = kv.value().get_string();
    FUZZ_CHECK(ParseRfc3339(text).ok() && text.size() == 20, "{} of {} is shown as \"{}\"", key,
               s.id, text);
  }
}

void CheckSchedule(const Subscription& s, const Policy& policy) {
  FUZZ_CHECK(s.current_period_end >= s.current_period_start, "{}: period {}..{}", s.id,
             s.current_period_start, s.current_period_end);
  FUZZ_CHECK(s.current_period_end == s.Boundary(s.period_index + 1), "{}: end off its schedule",
             s.id);
  std::string action = s.next_action.value_or("");
  if (s.status == "trialing") {
    FUZZ_CHECK(s.trial_end == s.current_period_end, "{}: trial end is not the period end", s.id);
    FUZZ_CHECK(s.next_action_at && *s.next_action_at <= *s.trial_end &&
                   (action == "trial_reminder" || action == "renew"),
               "{}: trial owes {} at {}", s.id, action, s.next_action_at.value_or(0));
  } else if (s.status == "active") {
    FUZZ_CHECK(action == "renew" && s.next_action_at == s.current_period_end, "{}: active owes {}",
               s.id, action);
  } else if (s.status == "canceled") {
    FUZZ_CHECK(
        s.cancel_at_period_end && action == "expire" && s.next_action_at == s.current_period_end,
        "{}: canceled owes {}", s.id, action);
  } else if (s.status == "past_due") {
    FUZZ_CHECK(action == "retry" && s.next_action_at == kNow + policy.retry_offsets[0],
               "{}: past_due owes {}", s.id, action);
  } else {
    FUZZ_CHECK(s.status == "paused" && s.paused_at, "{}: status {}", s.id, s.status);
  }
}

// What the line of `s` said, read again here: its period end (or trial end) and start.
void CheckAgainstLine(const Subscription& s, const json::object& line) {
  auto time = [&line](const char* key) -> std::optional<UnixSeconds> {
    const json::value* v = line.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    auto t = ParseRfc3339(v->get_string());
    return t.ok() ? std::optional<UnixSeconds>(*t) : std::nullopt;
  };
  auto end = time(s.status == "trialing" ? "trial_end" : "current_period_end");
  FUZZ_CHECK(end == s.current_period_end, "{}: period end {} but the line says {}", s.id,
             s.current_period_end, end.value_or(0));
  auto start = time("current_period_start");
  // Only a trial that ended before the import, its start unknown, may be empty (importer.cc).
  bool ended_trial = s.status == "trialing" && !start && *end <= kNow;
  FUZZ_CHECK(ended_trial ? s.current_period_start == *end : s.current_period_start < *end,
             "{}: period {}..{}", s.id, s.current_period_start, s.current_period_end);
  if (s.status != "trialing" && start &&
      PeriodBoundary(*start, s.interval, s.interval_count, 1) == *end) {
    FUZZ_CHECK(s.billing_anchor == *start && s.current_period_start == *start,
               "{}: a start one interval before the end is not the anchor", s.id);
  }
}

// Commits the staged rows in a writer job, checks them there and rolls the job back.
void CheckCommit(Face& face, ImportBatch& batch, const std::vector<json::object>& staged_lines) {
  const Policy& policy = face.context().engine.policy();
  Status st = face.store().writer().Run([&](Db& db) {
    SubscriptionFilter all;
    all.limit = INT_MAX;
    std::set<std::string> before;
    for (const Subscription& s : ListSubscriptions(db, all)) before.insert(s.id);
    int64_t n = batch.Commit(db, policy, kNow);
    FUZZ_CHECK(n == static_cast<int64_t>(staged_lines.size()), "committed {} of {}", n,
               staged_lines.size());
    std::vector<Subscription> added;
    for (const Subscription& s : ListSubscriptions(db, all)) {
      if (!before.count(s.id)) added.push_back(s);
    }
    FUZZ_CHECK(added.size() == staged_lines.size(), "{} rows for {} lines", added.size(),
               staged_lines.size());
    // Newest first, so the last line's subscription comes first (same created_at: by rowid).
    std::sort(added.begin(), added.end(),
              [](const auto& a, const auto& b) { return a.rowid < b.rowid; });
    for (size_t i = 0; i < added.size(); ++i) {
      CheckSchedule(added[i], policy);
      CheckAgainstLine(added[i], staged_lines[i]);
      CheckViewTimes(added[i]);
    }
    return Status::Internal("rolled back: the fuzz target keeps the store as it was");
  });
  FUZZ_CHECK(!st.ok(), "the check job was not rolled back");
}

}  // namespace
}  // namespace jopay::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jopay;
  using namespace jopay::fuzz;
  if (size == 0) return 0;
  size_t max = 16 + size_t{data[0]} * 8;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<cli::Chunk> chunks = Chunks(text, max);
  if (chunks.empty()) return 0;
  Face& face = CurrentFace(INT_MAX);  // the store never changes: one face for the whole run
  ImportBatch batch(false);
  size_t reported = 0;
  std::vector<json::object> staged_lines;  // the lines that were staged, in order
  for (const cli::Chunk& c : chunks) {
    auto errors =
        batch.AddLines(face.store().reader(), face.context().engine, c.text, c.first_line);
    auto lines = Lines(c.text);
    size_t e = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      int64_t number = c.first_line + static_cast<int64_t>(i);
      if (Blank(lines[i])) continue;
      if (e < errors.size() && errors[e].line == number) {
        FUZZ_CHECK(IsUtf8(errors[e].message) && IsUtf8(errors[e].param),
                   "line {}: message not UTF-8", number);
        ++e;
        continue;
      }
      std::string_view line = lines[i];
      if (line.back() == '\r') line.remove_suffix(1);
      staged_lines.push_back(json::parse(line).as_object());  // staged: it is an object
    }
    FUZZ_CHECK(e == errors.size(), "{} errors reported, {} matched to non-blank lines in order",
               errors.size(), e);
    reported += errors.size();
  }
  FUZZ_CHECK(batch.staged() == static_cast<int64_t>(staged_lines.size()) &&
                 batch.error_count() == static_cast<int64_t>(reported),
             "staged {} (expected {}), errors {} (expected {})", batch.staged(),
             staged_lines.size(), batch.error_count(), reported);
  if (reported == 0 && !staged_lines.empty()) CheckCommit(face, batch, staged_lines);
  return 0;
}
