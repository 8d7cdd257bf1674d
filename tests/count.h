// Counting rows in tests: the first column of the first row `sql` returns, as an integer.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/store/db.h"

namespace jopay::testing {

inline int64_t Count(Db& db, const std::string& sql) {
  Stmt q(db.raw(), sql);
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

}  // namespace jopay::testing
