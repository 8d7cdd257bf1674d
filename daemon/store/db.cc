#include "daemon/store/db.h"

#include <fmt/core.h>

#include <atomic>

#include "daemon/store/coalescing_vfs.h"

namespace jopay {

namespace {
[[noreturn]] void Throw(sqlite3* db, int rc, std::string_view context) {
  throw DbError(rc, fmt::format("sqlite: {} ({})", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                                context));
}
}  // namespace

bool DbError::is_unique_violation() const {
  return code_ == SQLITE_CONSTRAINT_UNIQUE || code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) Throw(db, rc, sql);
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                    lend_text_ ? SQLITE_STATIC : SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, std::optional<int64_t> v) { return v ? Bind(i, *v) : BindNull(i); }
Stmt& Stmt::Bind(int i, const std::optional<std::string>& v) {
  return v ? Bind(i, std::string_view(*v)) : BindNull(i);
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int ext = sqlite3_extended_errcode(db_);
  std::string msg = fmt::format("sqlite: {} ({})", sqlite3_errmsg(db_), sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  throw DbError(ext, msg);
}

void Stmt::Exec() {
  while (Step()) {
  }
  Reset();
}

void Stmt::Reset() { sqlite3_reset(stmt_); }

void Stmt::Unbind() { sqlite3_clear_bindings(stmt_); }

int64_t Stmt::Int(int c) const { return sqlite3_column_int64(stmt_, c); }
std::string Stmt::Text(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string(p, sqlite3_column_bytes(stmt_, c)) : std::string();
}
bool Stmt::IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::optional<int64_t> Stmt::OptInt(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Int(c);
}
std::optional<std::string> Stmt::OptText(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Text(c);
}

namespace {
// Process-wide SQLite settings, applied once before the first connection: connections are
// never shared between threads (MULTITHREAD), and memory statistics are off, since they take
// a global mutex on every allocation.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK && RegisterCoalescingVfs().ok();
  }();
  (void)configured;
}
}  // namespace

Db::Db(const std::string& path, bool read_only) : path_(path) {
  ConfigureSqliteOnce();
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread; no shared use
  // Writing connections gather their WAL and checkpoint writes (coalescing_vfs.h); readers
  // write nothing.
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, read_only ? nullptr : kCoalescingVfsName);
  if (rc != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path,
                                  db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  Exec("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
  // The writer touches the most pages; readers need less.
  Exec(read_only ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -524288");
  if (!read_only) {
    // Money: a committed write must survive power loss.
    // Checkpoints run on the store's checkpointer thread, not inside the writer's commits.
    Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;");
    // Checkpoints wait while a due run holds the writer, so the WAL grows (~1.2 GB for a
    // million renewals); once it is reset, cut the file back to 64 MiB instead of keeping that
    // disk until shutdown.
    Exec("PRAGMA journal_size_limit = 67108864");
  }
}

Db::~Db() {
  cache_.clear();  // statements first: a connection with live statements will not close
  slots_.clear();
  sqlite3_close_v2(db_);
}

void Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = fmt::format("sqlite: {} ({})", err ? err : sqlite3_errstr(rc),
                                  text.substr(0, 120));
    sqlite3_free(err);
    throw DbError(sqlite3_extended_errcode(db_), msg);
  }
}

SqlSlot::SqlSlot(std::string sql) : sql_(std::move(sql)) {
  static std::atomic<size_t> next{0};
  index_ = next++;
}

Stmt& Db::Cached(const SqlSlot& slot) {
  if (slot.index() >= slots_.size()) slots_.resize(slot.index() + 1);
  auto& stmt = slots_[slot.index()];
  if (!stmt) stmt = std::make_unique<Stmt>(db_, slot.sql());
  stmt->Reset();
  return *stmt;
}

Stmt& Db::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
  }
  it->second->Reset();
  return *it->second;
}

}  // namespace jopay
