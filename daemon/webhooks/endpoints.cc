#include "daemon/webhooks/endpoints.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/ids.h"
#include "common/json_fields.h"
#include "common/webhook_signing.h"
#include "daemon/events/outbox.h"

namespace jopay::webhooks {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "id, livemode, url, description, events, secret, previous_secret, "
    "previous_secret_expires_at, status, disabled_reason, failing_since, after_event_rowid, "
    "created_at, updated_at";

std::vector<std::string> ParseTypes(const std::string& text) {
  std::vector<std::string> out;
  json::value v = json::parse(text);
  for (const auto& t : v.as_array()) out.emplace_back(t.as_string());
  return out;
}

std::string TypesText(const std::vector<std::string>& types) {
  json::array a;
  for (const auto& t : types) a.emplace_back(t);
  return json::serialize(a);
}

Endpoint Read(const Stmt& q) {
  Endpoint e;
  e.id = q.Text(0);
  e.livemode = q.Int(1) != 0;
  e.url = q.Text(2);
  e.description = q.Text(3);
  e.events = ParseTypes(q.Text(4));
  e.secret = q.Text(5);
  e.previous_secret = q.OptText(6);
  e.previous_secret_expires_at = q.OptInt(7);
  e.enabled = q.Text(8) == "enabled";
  e.disabled_reason = q.OptText(9);
  e.failing_since = q.OptInt(10);
  e.after_event_rowid = q.Int(11);
  e.created_at = q.Int(12);
  e.updated_at = q.Int(13);
  return e;
}


}  // namespace

bool Endpoint::Wants(std::string_view type) const {
  for (const auto& t : events) {
    if (t == "*" || t == type) return true;
    if (t.size() > 2 && t.ends_with(".*") &&
        type.substr(0, t.size() - 1) == std::string_view(t).substr(0, t.size() - 1)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Endpoint::SigningSecrets(UnixSeconds now) const {
  std::vector<std::string> out{secret};
  if (previous_secret && previous_secret_expires_at && now < *previous_secret_expires_at) {
    out.push_back(*previous_secret);
  }
  return out;
}

const std::vector<std::string>& KnownEventTypes() {
  static const std::vector<std::string> types = {
      "subscription.created",        "subscription.updated",
      "subscription.renewed",        "subscription.trial_ending",
      "subscription.payment_failed", "subscription.cancelled",
      "subscription.expired",        "subscription.paused",
      "subscription.resumed",        "checkout.session.completed",
      "checkout.session.expired",    "checkout.payment.failed",
      "invoice.created",             "invoice.paid",
      "invoice.voided",              "credit_note.created",
      "payment.refunded",            "payment.disputed",
      "payment.unapplied",
      "webhook.test",
  };
  return types;
}

Status ValidateEventTypes(const std::vector<std::string>& types) {
  if (types.empty()) return Status::Invalid("events must name at least one type (or *)", "events");
  const auto& known = KnownEventTypes();
  for (const auto& t : types) {
    if (t == "*") continue;
    if (std::find(known.begin(), known.end(), t) != known.end()) continue;
    if (t.ends_with(".*")) {
      std::string family = t.substr(0, t.size() - 1);
      bool any = std::any_of(known.begin(), known.end(),
                             [&](const std::string& k) { return k.starts_with(family); });
      if (any) continue;
    }
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return Status::Invalid(
        fmt::format("unknown event type '{}' (known: *, {}; or a family like subscription.*)",
                    t, list),
        "events");
  }
  return Status::Ok();
}

void InsertEndpoint(Db& db, Endpoint& e) {
  e.id = NewId("we_");
  e.secret = NewWebhookSecret();
  e.enabled = true;
  e.after_event_rowid = NewestEventPk(db);  // it receives the events written from now on
  db.Cached("INSERT INTO webhook_endpoints (id, livemode, url, description, events, secret, "
            "status, after_event_rowid, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,'enabled',?,?,?)")
      .Args(e.id, int64_t{e.livemode}, e.url, e.description, TypesText(e.events), e.secret,
            e.after_event_rowid, e.created_at, e.updated_at)
      .Exec();
}

Result<Endpoint> LoadEndpoint(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM webhook_endpoints WHERE id=? AND livemode=? AND removed_at IS NULL",
      kColumns));
  q.Args(id, int64_t{livemode});
  if (!q.Step()) return Status::NotFound(fmt::format("No such webhook endpoint: {}", id), "id");
  Endpoint e = Read(q);
  q.Reset();
  return e;
}

std::vector<Endpoint> ListEndpoints(Db& db, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM webhook_endpoints WHERE livemode=? AND "
                                  "removed_at IS NULL ORDER BY rowid DESC",
                                  kColumns));
  q.Args(int64_t{livemode});
  std::vector<Endpoint> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::vector<Endpoint> EnabledEndpoints(Db& db) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM webhook_endpoints WHERE status='enabled' AND "
                                  "removed_at IS NULL ORDER BY rowid",
                                  kColumns));
  q.Reset();
  std::vector<Endpoint> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

bool AnyEnabledEndpoint(Db& db) {
  auto& q = db.Cached("SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE status='enabled' "
                      "AND removed_at IS NULL)");
  q.Reset();
  q.Step();
  bool any = q.Int(0) != 0;
  q.Reset();
  return any;
}

Result<Endpoint> SetEndpointEnabled(Db& db, const std::string& id, bool livemode, bool enabled,
                                    const std::string& reason, UnixSeconds now) {
  auto e = LoadEndpoint(db, id, livemode);
  if (!e.ok()) return e;
  if (e->enabled == enabled) {
    return Status::Conflict(fmt::format("The webhook endpoint is already {}.",
                                        enabled ? "enabled" : "disabled"),
                            enabled ? "already_enabled" : "already_disabled");
  }
  if (enabled) {
    db.Cached("UPDATE webhook_endpoints SET status='enabled', disabled_reason=NULL, "
              "failing_since=NULL, updated_at=? WHERE id=?")
        .Args(now, id)
        .Exec();
  } else {
    db.Cached("UPDATE webhook_endpoints SET status='disabled', disabled_reason=?, updated_at=? "
              "WHERE id=?")
        .Args(reason, now, id)
        .Exec();
  }
  return LoadEndpoint(db, id, livemode);
}

Result<Endpoint> UpdateEndpoint(Db& db, const std::string& id, bool livemode,
                                const EndpointChange& change, UnixSeconds now) {
  auto e = LoadEndpoint(db, id, livemode);
  if (!e.ok()) return e;
  db.Cached("UPDATE webhook_endpoints SET url=?, events=?, description=?, updated_at=? WHERE id=?")
      .Args(change.url.value_or(e->url), TypesText(change.events.value_or(e->events)),
            change.description.value_or(e->description), now, id)
      .Exec();
  return LoadEndpoint(db, id, livemode);
}

Result<Endpoint> RotateEndpointSecret(Db& db, const std::string& id, bool livemode,
                                      UnixSeconds now) {
  auto e = LoadEndpoint(db, id, livemode);
  if (!e.ok()) return e;
  db.Cached("UPDATE webhook_endpoints SET previous_secret=secret, previous_secret_expires_at=?, "
            "secret=?, updated_at=? WHERE id=?")
      .Args(now + kRotationOverlapSeconds, NewWebhookSecret(), now, id)
      .Exec();
  return LoadEndpoint(db, id, livemode);
}

Result<Endpoint> RemoveEndpoint(Db& db, const std::string& id, bool livemode, UnixSeconds now) {
  auto e = LoadEndpoint(db, id, livemode);
  if (!e.ok()) return e;
  db.Cached("UPDATE webhook_endpoints SET removed_at=?, status='disabled', "
            "disabled_reason='removed', updated_at=? WHERE id=?")
      .Args(now, now, id)
      .Exec();
  db.Cached("UPDATE webhook_deliveries SET status='failed', next_attempt_at=NULL, "
            "last_error='endpoint removed', finished_at=? "
            "WHERE endpoint_id=? AND next_attempt_at IS NOT NULL")
      .Args(now, id)
      .Exec();
  e->enabled = false;
  e->disabled_reason = "removed";
  return e;
}

json::object EndpointView(const Endpoint& e, UnixSeconds now, bool with_secret) {
  json::array types;
  for (const auto& t : e.events) types.emplace_back(t);
  json::object v{{"id", e.id},
                 {"object", "webhook_endpoint"},
                 {"livemode", e.livemode},
                 {"url", e.url},
                 {"description", e.description},
                 {"events", std::move(types)},
                 {"status", e.enabled ? "enabled" : "disabled"},
                 {"disabled_reason", e.disabled_reason ? json::value(*e.disabled_reason)
                                                       : json::value(nullptr)},
                 {"failing_since", TimeOrNull(e.failing_since)},
                 {"rotation_ends_at",
                  e.SigningSecrets(now).size() > 1 ? TimeOrNull(e.previous_secret_expires_at)
                                                   : json::value(nullptr)},
                 {"created_at", FormatRfc3339(e.created_at)},
                 {"updated_at", FormatRfc3339(e.updated_at)}};
  if (with_secret) v["secret"] = e.secret;
  return v;
}

}  // namespace jopay::webhooks
