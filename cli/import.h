// jopayctl subscriptions import FILE|-: NDJSON in, all or nothing.
//
// The input is cut at line boundaries into chunks of at most ~900 KiB (the
// daemon takes at most 1 MiB a request) and sent to
// POST /v1/imports/{id}/lines?first_line=N, N being the 1-based number of the
// chunk's first line in the whole input (blank lines count, and are sent: the
// daemon skips them). The daemon validates every line; if any failed, up to 50
// are printed as "line N: message", the import is deleted and the command
// exits 5. Otherwise it is committed: "imported N subscriptions".
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "cli/invocation.h"
#include "common/status.h"

namespace jopay::cli {

inline constexpr size_t kMaxChunkBytes = 900 * 1024;
inline constexpr size_t kMaxErrorsShown = 50;

struct Chunk {
  int64_t first_line = 1;  // 1-based line number of text's first line
  int64_t lines = 0;       // lines in text, each ending in '\n'
  std::string text;
};

// Reads an NDJSON stream chunk by chunk (the input is never all in memory).
class ChunkReader {
 public:
  explicit ChunkReader(std::istream& in, size_t max_bytes = kMaxChunkBytes)
      : in_(in), max_bytes_(max_bytes) {}

  // The next chunk, or nullopt at the end of the input. A line that cannot
  // fit in a chunk by itself is Status::Invalid naming the line. A last line
  // without '\n' gets one.
  Result<std::optional<Chunk>> Next();

  int64_t lines_read() const { return next_line_ - 1; }

 private:
  std::istream& in_;
  size_t max_bytes_;
  int64_t next_line_ = 1;
  std::optional<std::string> pending_;  // read but did not fit the last chunk
};

// The whole import from `in` (tests call it with a small max_chunk_bytes).
Status ImportFrom(Invocation& inv, std::istream& in, size_t max_chunk_bytes = kMaxChunkBytes);

}  // namespace jopay::cli
