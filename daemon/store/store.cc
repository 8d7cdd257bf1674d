#include "daemon/store/store.h"

#include <fmt/core.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <atomic>
#include <mutex>
#include <regex>
#include <unordered_map>
#include <unordered_set>

#include "common/thread_name.h"

namespace jopay {

namespace {

struct Migration {
  int version;
  std::string sql;
};

// schema.sql is split on lines "-- migration N".
std::vector<Migration> SplitMigrations(const std::string& schema) {
  static const std::regex marker(R"(^-- migration (\d+)\s*$)", std::regex::multiline);
  std::vector<Migration> out;
  auto begin = std::sregex_iterator(schema.begin(), schema.end(), marker);
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    auto next = std::next(it);
    size_t start = it->position() + it->length();
    size_t end = next == std::sregex_iterator() ? schema.size() : next->position();
    out.push_back({std::stoi((*it)[1]), schema.substr(start, end - start)});
  }
  return out;
}

// A migration may edit table definitions in sqlite_schema (SQLite's procedure for changing a
// CHECK constraint); the schema cookie must then move so that every connection reloads the
// schema. After ordinary DDL the extra bump is harmless.
void BumpSchemaVersion(Db& db) {
  Stmt q(db.raw(), "PRAGMA schema_version");
  q.Step();
  int64_t version = q.Int(0);
  q.Reset();
  db.Exec(fmt::format("PRAGMA schema_version = {}", version + 1));
}

}  // namespace

Result<int> Migrate(Db& db, const std::string& schema_sql) {
  Stmt version_q(db.raw(), "PRAGMA user_version");
  version_q.Step();
  int current = static_cast<int>(version_q.Int(0));
  version_q.Reset();
  auto migrations = SplitMigrations(schema_sql);
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (current > known) {
    return Status::Internal(fmt::format("the database is at schema version {}, newer than this "
                                        "jopayd knows ({}); run a newer jopayd", current, known));
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    if (m.version != current + 1) {
      return Status::Internal(fmt::format("schema.sql: migration {} follows {}", m.version, current));
    }
    try {
      db.Exec("BEGIN IMMEDIATE");
      db.Exec(m.sql);
      BumpSchemaVersion(db);
      db.Exec(fmt::format("PRAGMA user_version = {}", m.version));
      db.Exec("COMMIT");
    } catch (const DbError& e) {
      try {
        db.Exec("ROLLBACK");
      } catch (const DbError&) {
      }
      return Status::Internal(fmt::format("migration {} failed: {}", m.version, e.what()));
    }
    current = m.version;
  }
  return current;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  std::unique_ptr<Store> store(new Store(path));
  try {
    auto db = std::make_unique<Db>(path, false);
    auto version = Migrate(*db, kSchemaSql);
    if (!version.ok()) return version.status();
    store->writer_ = std::make_unique<Writer>(std::move(db));
    store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
  } catch (const DbError& e) {
    return Status::Internal(e.what());
  }
  return store;
}

namespace {

// The serials of the stores open now, and a count of closings: a thread's readers of a store
// that has closed are dropped the next time that thread asks for any reader (their files may be
// gone; each connection holds ~0.8 MB of cache and its descriptors).
std::mutex g_open_mu;
std::unordered_set<uint64_t> g_open_serials;  // guarded by g_open_mu
std::atomic<uint64_t> g_closings{0};

// Drops the calling thread's readers of closed stores, if any store closed since it last looked.
void PruneClosedReaders(std::unordered_map<uint64_t, std::unique_ptr<Db>>& readers,
                        uint64_t& seen_closings) {
  uint64_t closings = g_closings.load(std::memory_order_acquire);
  if (closings == seen_closings) return;
  seen_closings = closings;
  std::lock_guard lock(g_open_mu);
  std::erase_if(readers, [](const auto& entry) { return !g_open_serials.contains(entry.first); });
}

}  // namespace

Store::Store(std::string path) : path_(std::move(path)) {
  static std::atomic<uint64_t> next_serial{1};
  serial_ = next_serial++;
  std::lock_guard lock(g_open_mu);
  g_open_serials.insert(serial_);
}

Store::~Store() { Close(); }

void Store::Close() {
  if (writer_) writer_->Stop();
  {
    std::lock_guard lock(checkpoint_mu_);
    closing_ = true;
    checkpoint_cv_.notify_all();
  }
  if (checkpointer_.joinable()) checkpointer_.join();
  std::lock_guard lock(g_open_mu);
  if (g_open_serials.erase(serial_) > 0) g_closings.fetch_add(1, std::memory_order_release);
}

Store::CheckpointState Store::checkpoint_state() {
  std::lock_guard lock(checkpoint_mu_);
  return {frames_behind_.load(), holds_ > 0};
}

void Store::CheckpointLoop() {
  NameThisThread("checkpoint");
  // Normal priority, on purpose: at nice 19 (tried) a busy machine starved it, and a WAL that
  // is never copied back grows without end. Due runs keep it off their cores with a
  // CheckpointHold instead.
  std::unique_ptr<Db> db;
  try {
    db = std::make_unique<Db>(path_, false);
  } catch (const DbError&) {
    return;  // SQLite's own checkpoints are off; the WAL just grows until the next start
  }
  // A WAL that cannot be measured (none yet) counts as under the limit.
  auto wal_under_held_limit = [wal = path_ + "-wal"] {
    std::error_code error;
    uintmax_t bytes = std::filesystem::file_size(wal, error);
    return error || bytes < static_cast<uintmax_t>(kHeldWalLimit);
  };
  std::unique_lock lock(checkpoint_mu_);
  for (;;) {
    checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(200),
                            [this] { return closing_ || catch_up_; });
    catch_up_ = false;
    bool last = closing_;
    bool held = holds_ > 0;
    lock.unlock();
    if (last || !held || !wal_under_held_limit()) {
      // PASSIVE never blocks the writer; at close a TRUNCATE leaves an empty WAL behind. Busy
      // or interrupted: the next round tries again; the WAL stays valid meanwhile.
      int frames = 0, copied = 0;
      int rc = sqlite3_wal_checkpoint_v2(
          db->raw(), nullptr, last ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
          &frames, &copied);
      if (rc == SQLITE_OK && frames >= 0) frames_behind_.store(frames - copied);
    }
    if (last) return;
    lock.lock();
  }
}

Store::CheckpointHold::CheckpointHold(Store& store) : store_(store) {
  std::lock_guard lock(store_.checkpoint_mu_);
  ++store_.holds_;
}

Store::CheckpointHold::~CheckpointHold() {
  std::lock_guard lock(store_.checkpoint_mu_);
  if (--store_.holds_ == 0) {
    store_.catch_up_ = true;
    store_.checkpoint_cv_.notify_all();
  }
}

Db& Store::reader() {
  // Per-thread connections: SQLite connections are not shared between threads here.
  thread_local std::unordered_map<uint64_t, std::unique_ptr<Db>> readers;
  thread_local uint64_t seen_closings = 0;
  PruneClosedReaders(readers, seen_closings);
  auto& slot = readers[serial_];
  if (!slot) slot = std::make_unique<Db>(path_, true);
  return *slot;
}

Result<int64_t> Store::Backup(const std::string& dest) {
  // Writing over the store's own files would destroy it.
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::weakly_canonical(dest, ec);
  fs::path db = fs::weakly_canonical(path_, ec);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    if (target == fs::path(db.string() + suffix)) {
      return Status::Invalid(
          fmt::format("cannot back up to {}: it is one of the live store's own files", dest), "path");
    }
  }
  if (fs::is_directory(target, ec)) {
    return Status::Invalid(fmt::format("cannot back up to {}: it is a directory", dest), "path");
  }
  std::string tmp = dest + ".tmp";
  std::remove(tmp.c_str());
  sqlite3* out = nullptr;
  if (sqlite3_open_v2(tmp.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = fmt::format("cannot create {}: {}", tmp, sqlite3_errmsg(out));
    sqlite3_close(out);
    return Status::Invalid(msg, "path");
  }
  // A fresh read connection: the whole copy runs in one read transaction, one consistent
  // snapshot, while the writer goes on committing.
  Db source(path_, true);
  sqlite3_backup* b = sqlite3_backup_init(out, "main", source.raw(), "main");
  int rc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(out);
  if (b) sqlite3_backup_finish(b);
  std::string err = sqlite3_errmsg(out);
  sqlite3_close(out);
  if (rc != SQLITE_DONE) {
    std::remove(tmp.c_str());
    return Status::Internal("backup failed: " + err);
  }
  if (std::rename(tmp.c_str(), dest.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::Invalid(fmt::format("cannot write {}", dest), "path");
  }
  struct stat st {};
  ::stat(dest.c_str(), &st);
  return static_cast<int64_t>(st.st_size);
}

}  // namespace jopay
