// jopayctl export subscriptions|payments|customers: every page of a collection,
// as CSV for accountants (fixed columns, cli/csv.h) or as NDJSON (the whole
// objects), to stdout or to a file.
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <unordered_map>

#include "cli/csv.h"
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

// The CSV columns, named as the API names the fields, so a column means what
// the field does in jopayctl's JSON and in the webhooks. Amounts are integers
// in minor units beside their currency; times are RFC 3339 UTC.
const std::vector<std::string> kSubscriptionColumns = {
    "id", "status", "customer_id", "customer_email", "plan_id", "plan_name", "plan_interval",
    "interval_count", "amount_cents", "currency", "current_period_start", "current_period_end",
    "trial_end", "cancel_at_period_end", "canceled_at", "cancel_reason", "ended_at",
    "created_at"};
const std::vector<std::string> kPaymentColumns = {
    "id", "status", "customer_id", "customer_email", "subscription_id", "amount",
    "amount_refunded", "currency", "attempt", "failure_code", "period_start", "period_end",
    "provider", "provider_ref", "created_at", "paid_at"};
const std::vector<std::string> kCustomerColumns = {"id", "email", "name", "created_at"};

// A field as a CSV cell: text as it is, numbers in decimal, true/false, and
// null or absent as an empty cell (not "-" as the table shows it).
std::string CellText(const json::value* v) {
  if (!v || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

// Where an export goes: stdout, or --output-file through a temporary file
// renamed over it at the end, so an export that fails midway never leaves a
// file that looks complete.
class Target {
 public:
  explicit Target(Invocation& inv) : inv_(inv), path_(inv.Get("output-file")) {}
  ~Target() {
    if (file_.is_open()) std::remove(Partial().c_str());
  }

  Status Open() {
    if (path_.empty()) return Status::Ok();
    file_.open(Partial(), std::ios::binary | std::ios::trunc);
    if (!file_) return Status::Invalid(CannotWrite(), "output-file");
    return Status::Ok();
  }
  std::ostream& stream() { return path_.empty() ? inv_.out().stream() : file_; }

  // Ok when every row got through; flushes after each page so rows stream.
  Status Flush() {
    stream().flush();
    if (!stream()) return Status::Internal(path_.empty() ? "cannot write to stdout" : CannotWrite());
    return Status::Ok();
  }

  Status Commit() {
    JOPAY_RETURN_IF_ERROR(Flush());
    if (path_.empty()) return Status::Ok();
    file_.close();
    if (std::rename(Partial().c_str(), path_.c_str()) != 0) {
      std::string error = CannotWrite();
      std::remove(Partial().c_str());
      return Status::Invalid(error, "output-file");
    }
    return Status::Ok();
  }

 private:
  std::string Partial() const { return path_ + ".partial"; }
  std::string CannotWrite() const { return "cannot write " + path_ + ": " + std::strerror(errno); }

  Invocation& inv_;
  std::string path_;
  std::ofstream file_;
};

// Adds what an object lacks before it is written (payments: the email).
using Enrich = std::function<void(json::object&)>;

// Every object of GET path?query, newest first, to the target in --format.
Status Export(Invocation& inv, const Path& path, const QueryParams& query,
              const std::vector<std::string>& columns, const Enrich& enrich = {}) {
  Target target(inv);
  JOPAY_RETURN_IF_ERROR(target.Open());
  std::ostream& out = target.stream();
  bool csv = inv.Get("format") == "csv";
  if (csv) WriteCsvRow(out, columns);
  auto write_page = [&](const json::array& data) {
    for (const auto& item : data) {
      if (!item.is_object()) continue;
      json::object o = item.as_object();
      if (enrich) enrich(o);
      if (!csv) {
        out << json::serialize(o) << '\n';
        continue;
      }
      std::vector<std::string> cells;
      for (const auto& c : columns) cells.push_back(CellText(o.if_contains(c)));
      WriteCsvRow(out, cells);
    }
    return target.Flush();
  };
  auto rest = FetchPages(inv, path, query, inv.Get("page-size"), "", true, write_page);
  if (!rest.ok()) return rest.status();
  return target.Commit();
}

// Every customer's email by id: a payment names its customer by id only.
Result<std::unordered_map<std::string, std::string>> CustomerEmails(Invocation& inv) {
  std::unordered_map<std::string, std::string> emails;
  auto rest = FetchPages(inv, {"v1", "customers"}, {}, inv.Get("page-size"), "", true,
                         [&](const json::array& data) {
                           for (const auto& c : data) {
                             if (!c.is_object()) continue;
                             emails[CellText(c.as_object().if_contains("id"))] =
                                 CellText(c.as_object().if_contains("email"));
                           }
                           return Status::Ok();
                         });
  if (!rest.ok()) return rest.status();
  return emails;
}

}  // namespace

Status ExportSubscriptions(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "status", "status");
  AddQuery(query, inv, "email", "email");
  AddQuery(query, inv, "plan", "plan");
  return Export(inv, {"v1", "subscriptions"}, query, kSubscriptionColumns);
}

Status ExportPayments(Invocation& inv) {
  auto emails = CustomerEmails(inv);
  if (!emails.ok()) return emails.status();
  QueryParams query;
  AddQuery(query, inv, "subscription", "subscription");
  AddQuery(query, inv, "status", "status");
  return Export(inv, {"v1", "payments"}, query, kPaymentColumns, [&](json::object& p) {
    auto it = emails->find(CellText(p.if_contains("customer_id")));
    if (it != emails->end()) p["customer_email"] = it->second;
  });
}

Status ExportCustomers(Invocation& inv) {
  QueryParams query;
  AddQuery(query, inv, "search", "search");
  return Export(inv, {"v1", "customers"}, query, kCustomerColumns);
}

}  // namespace jopay::cli
