// Bulk import of subscriptions from NDJSON (how an operator migrates in, and how the
// benchmark loads a million rows). Lines arrive in chunks and are validated as they come;
// nothing is written until Commit, which inserts every staged row in one transaction: an
// import lands whole or not at all. Imported subscriptions write no events (they are not new
// to the merchant). The fields are documented in docs/admin-api.md.
#pragma once

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "daemon/billing/engine.h"
#include "daemon/billing/plans.h"
#include "daemon/store/db.h"

namespace jopay {

struct ImportRow {
  std::string email;
  std::string name;
  std::string plan_id;
  std::string status;
  std::optional<UnixSeconds> period_start;
  std::optional<UnixSeconds> period_end;
  std::optional<UnixSeconds> trial_end;
  std::optional<SavedCard> card;
  std::string metadata = "{}";
};

struct LineError {
  int64_t line = 0;
  std::string message;
  std::string param;
};

// One import in progress.
class ImportBatch {
 public:
  explicit ImportBatch(bool livemode) : livemode_(livemode) {}
  bool livemode() const { return livemode_; }
  // Validates the lines of `text`, numbering them from `first_line`; valid ones are staged.
  // Plans are looked up through `db` (a reader). Returns the errors of this chunk.
  std::vector<LineError> AddLines(Db& db, Engine& engine, std::string_view text,
                                  int64_t first_line);
  int64_t staged();
  int64_t error_count();
  // Writes every staged row (inside a writer job). Returns how many.
  int64_t Commit(Db& db, const Policy& policy, UnixSeconds now);

 private:
  Result<std::optional<SavedCard>> ParseStripeCard(const boost::json::object& o, Engine& engine);
  Result<ImportRow> ParseLine(Db& db, Engine& engine, std::string_view line);
  Result<Plan> PlanFor(Db& db, const std::string& id);

  bool livemode_;
  std::mutex mu_;  // chunks of one import may arrive on different io threads
  std::vector<ImportRow> rows_;
  std::map<std::string, Plan> plans_;
  int64_t errors_ = 0;
};

// The imports in progress, by id.
class ImportRegistry {
 public:
  std::string Open(bool livemode);
  std::shared_ptr<ImportBatch> Find(const std::string& id);
  void Close(const std::string& id);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ImportBatch>> open_;
};

}  // namespace jopay
