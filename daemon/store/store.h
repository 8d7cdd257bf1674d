// The store: one SQLite file, its migrations, the single writer and per-thread readers.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "daemon/store/db.h"
#include "daemon/store/writer.h"

namespace jopay {

extern const char* const kSchemaSql;  // schema.sql, embedded at build time

// Applies every migration of `schema_sql` newer than PRAGMA user_version, in order; each one
// commits together with its version bump, so a crash never leaves half a migration.
// Returns the schema version reached.
Result<int> Migrate(Db& db, const std::string& schema_sql);

class Store {
 public:
  // Opens (creating if needed) the database at `path` and migrates it.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();

  Writer& writer() { return *writer_; }
  // A read-only connection owned by the calling thread (opened on first use).
  Db& reader();
  const std::string& path() const { return path_; }
  // A consistent online copy to `dest` (written to a temporary file, then renamed).
  Result<int64_t> Backup(const std::string& dest);
  // Ends the writer after draining its queue.
  void Close();

  // While a hold lives, checkpoints wait until the WAL passes kHeldWalLimit bytes; when the last
  // hold ends, the checkpointer catches up at once. A due run holds them: it then has both
  // cores to itself (measured at 1M renewals: 93.6k-102.1k/s with checkpoints running,
  // 103.8k-106.3k/s held; bench/README.md) and each page it writes is copied into the database
  // once, after it. Nothing waits for a checkpoint to be durable: every commit is synced to the
  // WAL.
  class CheckpointHold {
   public:
    explicit CheckpointHold(Store& store);
    ~CheckpointHold();
    CheckpointHold(const CheckpointHold&) = delete;
    CheckpointHold& operator=(const CheckpointHold&) = delete;

   private:
    Store& store_;
  };
  static constexpr int64_t kHeldWalLimit = int64_t{2} << 30;  // 2 GiB: a million renewals

  // What the last checkpoint round left: WAL frames (pages) not yet copied into the database,
  // which a reader's old snapshot or a hold keeps there, and whether a hold is in force. A
  // backlog with no hold means checkpoints are not keeping up (status warns).
  struct CheckpointState {
    int64_t frames_behind = 0;
    bool held = false;
  };
  CheckpointState checkpoint_state();

 private:
  explicit Store(std::string path);
  void CheckpointLoop();
  std::string path_;
  // Names this store among every Store the process has opened: per-thread readers are keyed
  // by it, not by address, so a new Store at a freed one's address never gets its readers.
  uint64_t serial_;
  std::unique_ptr<Writer> writer_;
  // Copies committed WAL pages back into the database file on its own connection and thread,
  // so the writer never pays for it inside a commit.
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool closing_ = false;     // guarded by checkpoint_mu_
  int holds_ = 0;            // likewise: live CheckpointHolds
  bool catch_up_ = false;    // likewise: the last hold just ended
  std::atomic<int64_t> frames_behind_{0};
};

}  // namespace jopay
