// /v1/status, /v1/clock, /v1/renew, /v1/backup.
#include <unistd.h>

#include <fmt/core.h>

#include "common/json_fields.h"
#include "common/time.h"
#include "daemon/admin/context.h"
#include "daemon/admin/status_warnings.h"
#include "daemon/billing/payments.h"
#include "daemon/email/sender.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

json::object SummaryView(const Summary& s, bool dry_run, UnixSeconds now) {
  json::object charged;
  for (const auto& [cur, amount] : s.charged) charged[cur] = amount;
  json::object view{{"dry_run", dry_run},     {"now", FormatRfc3339(now)}, {"renewed", s.renewed},
                    {"failed", s.failed},     {"retried", s.retried},      {"expired", s.expired},
                    {"reminders", s.reminders}, {"charged", std::move(charged)}};
  for (const auto& [name, n] : s.work) view[name] = n;  // other due work, e.g. sessions_expired
  return view;
}

json::object ClockView(const Clock& clock) {
  return {{"mode", clock.manual() ? "manual" : "system"}, {"now", FormatRfc3339(clock.Now())}};
}

int64_t CountOf(Db& db, const std::string& sql, bool live) {
  auto& q = db.Cached(sql);
  q.Args(int64_t{live});
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

void StatusRoute(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  bool live = IsLive(req);
  json::object counts;
  for (auto s : sub_status::kAll) counts[s] = 0;
  auto& q = db.Cached("SELECT status, count(*) FROM subscriptions WHERE livemode=? GROUP BY status");
  q.Args(int64_t{live});
  while (q.Step()) counts[q.Text(0)] = q.Int(1);
  q.Reset();
  json::value next = nullptr;
  auto& n = db.Cached("SELECT next_action_at, next_action, id FROM subscriptions WHERE "
                      "next_action_at IS NOT NULL AND livemode=? ORDER BY next_action_at LIMIT 1");
  n.Args(int64_t{live});
  if (n.Step()) {
    next = json::object{{"at", FormatRfc3339(n.Int(0))}, {"action", n.Text(1)},
                        {"subscription_id", n.Text(2)}};
  }
  n.Reset();
  UnixSeconds wall = SystemNow();
  // Which provider takes cards in each mode; never a key.
  auto cards = [&c](bool mode) -> json::value {
    Provider* p = c.engine.CardProvider(mode);
    return p ? json::value(std::string(p->name())) : json::value(nullptr);
  };
  // Which server makes each mode's Lightning / on-chain charges (null: none).
  auto push = [&c](bool mode) -> json::value {
    json::object o;
    for (const char* rail : {"lightning", "onchain"}) {
      PushProvider* p = c.engine.PushRailProvider(mode, rail);
      o[rail] = p ? json::value(std::string(p->name())) : json::value(nullptr);
    }
    return o;
  };
  size_t open = c.info.public_connections ? c.info.public_connections() : 0;
  json::array warnings = StatusWarnings(c, db, live);
  ChargeSender::Stats charges = c.charges.stats();
  respond(Ok(json::object{
      {"version", JOPAY_VERSION},
      {"pid", static_cast<int64_t>(getpid())},
      {"livemode", live},
      {"started_at", FormatRfc3339(c.info.started_at)},
      {"uptime_seconds", wall - c.info.started_at},
      {"clock", ClockView(c.clock)},
      {"data_dir", c.info.data_dir},
      {"socket", c.info.socket},
      {"listen", c.info.listen},
      {"metrics", c.info.metrics.empty() ? json::value(nullptr) : json::value(c.info.metrics)},
      {"connections", json::object{{"public", open},
                                   {"public_max", c.info.public_max_connections},
                                   {"public_max_per_address", c.info.public_max_per_address}}},
      {"subscriptions", std::move(counts)},
      {"customers", CountOf(db, "SELECT count(*) FROM customers WHERE livemode=?", live)},
      {"plans", CountOf(db, "SELECT count(*) FROM plans WHERE livemode=? AND active=1", live)},
      {"next_action", next},
      {"card_providers", json::object{{"test", cards(false)}, {"live", cards(true)}}},
      {"push_providers", json::object{{"test", push(false)}, {"live", push(true)}}},
      {"charges", json::object{{"pending", CountPendingPayments(db)},
                               {"in_flight", charges.in_flight},
                               {"sent", charges.sent},
                               {"settled", charges.settled},
                               {"not_settled", charges.unknown}}},
      // Customer emails: the relay and the queue (never the password); null when email is off.
      {"email", c.email ? json::value(c.email->StatusView(db)) : json::value(nullptr)},
      {"warnings", std::move(warnings)}}));
}

void ClockGet(Context& c, http::Request&, http::Respond respond) { respond(Ok(ClockView(c.clock))); }

// Moves the manual clock to `target` and answers {mode, now, fired}.
void MoveClockTo(Context& c, UnixSeconds target, http::Respond respond) {
  c.scheduler.MoveClock(target, [&c, respond](Result<Summary> r) {
    if (!r.ok()) return respond(http::ErrorResponse(r.status()));
    json::object view = ClockView(c.clock);
    view["fired"] = SummaryView(*r, false, c.clock.Now());
    respond(Ok(view));
  });
}

Status RequireManual(const Clock& clock) {
  if (clock.manual()) return Status::Ok();
  return Status::Conflict("The clock is the system clock; start jopayd with --clock manual "
                          "(test mode) to move it.", "clock_not_manual");
}

void ClockSet(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> time;
  Status st = RejectUnknown(*body, {"time"});
  if (st.ok()) st = GetString(*body, "time", time, 64);
  if (st.ok()) st = Require(time.has_value(), "time");
  if (st.ok()) st = RequireManual(c.clock);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  auto t = ParseRfc3339(*time);
  if (!t.ok()) return respond(http::ErrorResponse(Status::Invalid(t.status().message(), "time")));
  MoveClockTo(c, *t, respond);
}

void ClockAdvance(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> by;
  Status st = RejectUnknown(*body, {"by"});
  if (st.ok()) st = GetString(*body, "by", by, 64);
  if (st.ok()) st = Require(by.has_value(), "by");
  if (st.ok()) st = RequireManual(c.clock);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  auto d = ParseDuration(*by);
  if (!d.ok()) return respond(http::ErrorResponse(Status::Invalid(d.status().message(), "by")));
  MoveClockTo(c, AddDuration(c.clock.Now(), *d), respond);
}

void Renew(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<bool> dry_run;
  Status st = RejectUnknown(*body, {"dry_run"});
  if (st.ok()) st = GetBool(*body, "dry_run", dry_run);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  bool dry = dry_run.value_or(false);
  c.scheduler.Renew(dry, [&c, dry, respond](Result<Summary> r) {
    if (!r.ok()) return respond(http::ErrorResponse(r.status()));
    respond(Ok(SummaryView(*r, dry, c.clock.Now())));
  });
}

void Backup(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> path;
  Status st = RejectUnknown(*body, {"path"});
  if (st.ok()) st = GetString(*body, "path", path, 4096);
  if (st.ok()) st = Require(path.has_value(), "path");
  if (st.ok() && (path->empty() || (*path)[0] != '/')) {
    st = Status::Invalid("path must be absolute", "path");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  c.background.Run([&c, dest = *path, respond] {
    auto bytes = c.store.Backup(dest);
    if (!bytes.ok()) return respond(http::ErrorResponse(bytes.status()));
    respond(Ok(json::object{{"path", dest}, {"bytes", *bytes}}));
  });
}

}  // namespace

void AddSystemRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/status", StatusRoute);
  AddRoute(r, c, "GET", "/v1/clock", ClockGet);
  AddRoute(r, c, "POST", "/v1/clock/set", ClockSet);
  AddRoute(r, c, "POST", "/v1/clock/advance", ClockAdvance);
  AddRoute(r, c, "POST", "/v1/renew", Renew);
  AddRoute(r, c, "POST", "/v1/backup", Backup);
}

}  // namespace jopay::admin
