#include "cli/import.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <ostream>

#include "cli/columns.h"
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

Result<std::optional<Chunk>> ChunkReader::Next() {
  Chunk chunk;
  chunk.first_line = next_line_ - (pending_ ? 1 : 0);
  std::string line;
  while (true) {
    if (pending_) {
      line = std::move(*pending_);
      pending_.reset();
    } else if (std::getline(in_, line)) {
      ++next_line_;
    } else {
      break;
    }
    int64_t number = chunk.first_line + chunk.lines;
    if (line.size() + 1 > max_bytes_) {
      std::string limit = max_bytes_ % 1024 == 0
                              ? std::to_string(max_bytes_ / 1024) + " KiB"
                              : std::to_string(max_bytes_) + " bytes";
      return Status::Invalid("line " + std::to_string(number) + " is " +
                             std::to_string(line.size()) + " bytes, more than the " + limit +
                             " an import request may carry");
    }
    if (chunk.text.size() + line.size() + 1 > max_bytes_) {
      pending_ = std::move(line);
      return std::optional<Chunk>(std::move(chunk));
    }
    chunk.text += line;
    chunk.text += '\n';
    ++chunk.lines;
  }
  if (chunk.lines == 0) return std::optional<Chunk>();
  return std::optional<Chunk>(std::move(chunk));
}

namespace {

struct LineError {
  int64_t line = 0;
  std::string message;
  std::string param;
};

void CollectErrors(const json::value& answer, std::vector<LineError>& errors) {
  if (!answer.is_object()) return;
  const json::value* list = answer.as_object().if_contains("errors");
  if (!list || !list->is_array()) return;
  for (const auto& e : list->as_array()) {
    if (!e.is_object()) continue;
    const json::object& o = e.as_object();
    const json::value* line = o.if_contains("line");
    const json::value* param = o.if_contains("param");
    errors.push_back({line && line->is_int64() ? line->as_int64() : 0, Field(o, "message"),
                      param && param->is_string() ? std::string(param->as_string()) : ""});
  }
}

// A "\r"-updated line on a terminal; `lines` < 0 clears it.
void Progress(Invocation& inv, int64_t lines) {
  if (!inv.env().err_tty) return;
  if (lines < 0) {
    inv.err() << "\r\x1b[K" << std::flush;
  } else {
    inv.err() << "\rimporting: " << lines << " lines sent" << std::flush;
  }
}

void ReportErrors(Invocation& inv, std::vector<LineError>& errors) {
  std::stable_sort(errors.begin(), errors.end(),
                   [](const LineError& a, const LineError& b) { return a.line < b.line; });
  size_t shown = std::min(errors.size(), kMaxErrorsShown);
  for (size_t i = 0; i < shown; ++i) {
    inv.err() << "line " << errors[i].line << ": " << errors[i].message;
    if (!errors[i].param.empty()) inv.err() << " (param: " << errors[i].param << ")";
    inv.err() << '\n';
  }
  if (errors.size() > shown) {
    inv.err() << "... and " << errors.size() - shown << " more\n";
  }
}

// Sends every chunk, collecting the daemon's per-line errors.
Status SendLines(Invocation& inv, const std::string& id, ChunkReader& reader,
                 std::vector<LineError>& errors) {
  int64_t sent = 0;
  while (true) {
    auto chunk = reader.Next();
    if (!chunk.ok()) return chunk.status();
    if (!*chunk) return Status::Ok();
    std::string target = Target({"v1", "imports", id, "lines"},
                                {{"first_line", std::to_string((*chunk)->first_line)}});
    auto answer = inv.Call("POST", target, RequestBody::Ndjson(std::move((*chunk)->text)));
    if (!answer.ok()) return answer.status();
    CollectErrors(*answer, errors);
    sent += (*chunk)->lines;
    Progress(inv, sent);
  }
}

Status Commit(Invocation& inv, const std::string& id) {
  auto answer = inv.Call("POST", Target({"v1", "imports", id, "commit"}),
                         RequestBody::Json(json::object()));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  if (inv.out().format() == Format::kTable) {
    inv.out().stream() << "imported " << Field(answer->as_object(), "imported")
                       << " subscriptions\n";
  } else {
    inv.out().Object(*answer);
  }
  return Status::Ok();
}

void Discard(Invocation& inv, const std::string& id) {
  (void)inv.Call("DELETE", Target({"v1", "imports", id}));  // best effort
}

}  // namespace

Status ImportFrom(Invocation& inv, std::istream& in, size_t max_chunk_bytes) {
  auto created = inv.Call("POST", "/v1/imports", RequestBody::Json(json::object()));
  if (!created.ok()) return created.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*created));
  std::string id = Field(created->as_object(), "id");
  ChunkReader reader(in, max_chunk_bytes);
  std::vector<LineError> errors;
  Status sent = SendLines(inv, id, reader, errors);
  Progress(inv, -1);
  if (!sent.ok()) {
    Discard(inv, id);
    return sent;
  }
  if (!errors.empty()) {
    ReportErrors(inv, errors);
    Discard(inv, id);
    return Status::Invalid(std::to_string(errors.size()) + " of " +
                           std::to_string(reader.lines_read()) +
                           " lines have errors; nothing was imported");
  }
  Status committed = Commit(inv, id);
  if (!committed.ok()) Discard(inv, id);
  return committed;
}

Status SubscriptionsImport(Invocation& inv) {
  std::string file = inv.Get("FILE");
  if (file == "-") return ImportFrom(inv, *inv.env().in);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::Invalid("cannot read " + file + ": " + std::strerror(errno), "FILE");
  }
  return ImportFrom(inv, in);
}

}  // namespace jopay::cli
