// A thin RAII face over one SQLite connection and its prepared statements.
//
// SQLite failures inside the store are unexpected (I/O errors, a violated constraint that
// validation should have caught), so the wrapper throws DbError; the writer catches it at the
// SAVEPOINT boundary of each job and turns it into a Status. Nothing above the store sees it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/row_id_cipher.h"

namespace jopay {

class DbError : public std::runtime_error {
 public:
  DbError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  // True for UNIQUE / PRIMARY KEY violations (used for idempotency look-ups).
  bool is_unique_violation() const;

 private:
  int code_;
};

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Bind by 1-based index. An empty optional binds NULL.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, std::optional<int64_t> value);
  Stmt& Bind(int index, const std::optional<std::string>& value);
  Stmt& BindNull(int index);

  // Binds all arguments in order from index 1 after Reset(); parameters past the last
  // argument are NULL. Text is copied: the statement may be stepped after the arguments die.
  template <class... Ts>
  Stmt& Args(Ts&&... args) {
    Reset();
    if (static_cast<int>(sizeof...(Ts)) < sqlite3_bind_parameter_count(stmt_)) Unbind();
    int i = 0;
    (Bind(++i, std::forward<Ts>(args)), ...);
    return *this;
  }

  // Args(args...) then Exec(), for a statement run once with arguments that outlive the call:
  // text is lent to SQLite, not copied (a renewal binds ~1 KB of text), and unbound again
  // before this returns, so the statement never keeps a pointer into an argument.
  template <class... Ts>
  void ExecWith(Ts&&... args) {
    lend_text_ = true;
    try {
      Args(std::forward<Ts>(args)...);
      Exec();
    } catch (...) {
      lend_text_ = false;
      Unbind();
      throw;
    }
    lend_text_ = false;
    Unbind();
  }

  // Advances; true while a row is available. Throws DbError on failure.
  bool Step();
  // Runs a statement that returns no rows (or ignores them) and resets it.
  void Exec();
  // Ready to step again from the start. Bindings stay until the next Args or Bind.
  void Reset();
  // Every parameter back to NULL.
  void Unbind();

  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::optional<std::string> OptText(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool lend_text_ = false;  // within ExecWith: text binds as SQLITE_STATIC
};

// A statement text with a slot of its own in every connection's statement cache, for the
// statements a renewal runs: Db::Cached(slot) is an index, where Cached(text) looks the text up
// in a map (1.7% of a renewal). Declare slots as statics; each takes the next free index.
class SqlSlot {
 public:
  explicit SqlSlot(std::string sql);
  const std::string& sql() const { return sql_; }
  size_t index() const { return index_; }

 private:
  std::string sql_;
  size_t index_;
};

class Db {
 public:
  // Opens `path`; read_only connections never write. Applies the store's pragmas.
  Db(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements with no parameters.
  void Exec(std::string_view sql);
  // A prepared statement kept for the connection's lifetime, keyed by its text: hot paths
  // prepare once. The returned statement is Reset() and ready to bind.
  Stmt& Cached(const std::string& sql);
  Stmt& Cached(const SqlSlot& slot);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }
  // Slot `table` of the connection's next-free-key memo (row_keys.h; 0 = not read yet).
  int64_t& next_key(size_t table) { return next_keys_.at(table); }
  // The connection's memo of the store's row id cipher (row_keys.h; empty = not read yet).
  std::optional<RowIdCipher>& row_id_cipher() { return row_id_cipher_; }
  // Inside a writer job: `fn` runs on the writer thread once the transaction holding the job
  // has committed, and never if the job fails or its transaction is rolled back. For what
  // outside the store must agree with what was written (metrics counted once per charge).
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }
  std::vector<std::function<void()>>& after_commit() { return after_commit_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>> cache_;
  std::vector<std::unique_ptr<Stmt>> slots_;  // by SqlSlot::index()
  std::array<int64_t, 3> next_keys_{};
  std::vector<std::function<void()>> after_commit_;
  std::optional<RowIdCipher> row_id_cipher_;
};

}  // namespace jopay
