#include "daemon/email/queue.h"

#include <fmt/core.h>

#include "common/ids.h"
#include "common/json_fields.h"
#include "daemon/email/mime_message.h"
#include "daemon/events/outbox.h"

namespace jopay::email {

namespace json = boost::json;

namespace {

constexpr const char* kCursorKey = "emails_event_cursor";
constexpr const char* kColumns =
    "pk, id, livemode, kind, event_pk, event_id, object_id, subscription_id, customer_id, "
    "to_address, card_expiry, status, attempts, next_attempt_at, last_error, resends, "
    "created_at, sent_at";

EmailRow Read(Stmt& q) {
  EmailRow r;
  r.pk = q.Int(0);
  r.id = q.Text(1);
  r.livemode = q.Int(2) != 0;
  r.kind = q.Text(3);
  r.event_pk = q.OptInt(4);
  r.event_id = q.OptText(5);
  r.object_id = q.Text(6);
  r.subscription_id = q.OptText(7);
  r.customer_id = q.Text(8);
  r.to = q.Text(9);
  r.card_expiry = q.OptText(10);
  r.status = q.Text(11);
  r.attempts = static_cast<int>(q.Int(12));
  r.next_attempt_at = q.OptInt(13);
  r.last_error = q.OptText(14);
  r.resends = static_cast<int>(q.Int(15));
  r.created_at = q.Int(16);
  r.sent_at = q.OptInt(17);
  return r;
}

// Reminders are what a customer may turn off (List-Unsubscribe); receipts and notices about
// their subscription are not.
bool IsReminder(const std::string& kind) { return kind == "trial_ending" || kind == "card_expiring"; }

struct Recipient {
  std::string address;
  bool reminders_off = false;
};

std::optional<Recipient> RecipientOf(Db& db, const std::string& customer_id) {
  auto& q = db.Cached("SELECT email, reminders_off_at IS NOT NULL FROM customers WHERE id=?");
  q.Args(customer_id);
  std::optional<Recipient> r;
  if (q.Step()) r = Recipient{q.Text(0), q.Int(1) != 0};
  q.Reset();
  return r;
}

std::string TextOr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

struct Cause {
  std::string object_id;
  std::string subscription_id;
  std::string customer_id;
};

// Who and what an event's email is about, from the event's data; nullopt when it calls for
// none after all (a receipt for nothing paid: a trial's zero invoice).
std::optional<Cause> CauseOf(const Event& e, const std::string& kind) {
  json::value data = ParseStoredJson(e.data);
  if (!data.is_object()) return std::nullopt;
  const json::object& d = data.as_object();
  Cause c{e.object_id, TextOr(d, kind == "receipt" ? "subscription_id" : "id"),
          TextOr(d, "customer_id")};
  if (kind == "receipt") {
    const json::value* paid = d.if_contains("amount_paid");
    if (!paid || !paid->is_int64() || paid->as_int64() <= 0) return std::nullopt;
  }
  if (c.customer_id.empty()) return std::nullopt;
  return c;
}

void Insert(Db& db, const EmailRow& r) {
  db.Cached("INSERT OR IGNORE INTO emails (id, livemode, kind, event_pk, event_id, object_id, "
            "subscription_id, customer_id, to_address, card_expiry, status, next_attempt_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)")
      .Args(r.id, int64_t{r.livemode}, r.kind, r.event_pk, r.event_id, r.object_id,
            r.subscription_id, r.customer_id, r.to, r.card_expiry, r.next_attempt_at,
            r.created_at)
      .Exec();
}


}  // namespace

std::string KindForEvent(const std::string& type) {
  if (type == "invoice.paid") return "receipt";
  if (type == "subscription.payment_failed") return "payment_failed";
  if (type == "subscription.trial_ending") return "trial_ending";
  if (type == "subscription.cancelled") return "cancelled";
  if (type == "subscription.expired") return "expired";
  return "";
}

int64_t LoadCursor(Db& db) {
  auto& q = db.Cached("SELECT value FROM meta WHERE key = ?");
  q.Args(kCursorKey);
  int64_t cursor = -1;
  if (q.Step()) cursor = std::stoll(q.Text(0));
  q.Reset();
  return cursor;
}

void StoreCursor(Db& db, int64_t cursor) {
  db.Cached("INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .Args(kCursorKey, std::to_string(cursor))
      .Exec();
}

int64_t FanOut(Db& db, int64_t cursor, int limit, const KindsOff& off, UnixSeconds wall_now,
               int64_t* created) {
  int64_t made = 0;
  for (const Event& head : EventHeadsAfter(db, cursor, limit)) {
    cursor = head.pk;
    std::string kind = KindForEvent(head.type);
    if (kind.empty() || off.Off(head.livemode, kind)) continue;
    auto e = LoadEventByPk(db, head.pk);
    if (!e.ok()) continue;
    auto cause = CauseOf(*e, kind);
    if (!cause) continue;
    auto to = RecipientOf(db, cause->customer_id);
    if (!to || (to->reminders_off && IsReminder(kind))) continue;
    EmailRow r;
    r.id = NewId("em_");
    r.livemode = e->livemode;
    r.kind = kind;
    r.event_pk = e->pk;
    r.event_id = e->id;
    r.object_id = cause->object_id;
    if (!cause->subscription_id.empty()) r.subscription_id = cause->subscription_id;
    r.customer_id = cause->customer_id;
    r.to = to->address;
    r.next_attempt_at = wall_now;
    r.created_at = e->created_at;
    Insert(db, r);
    made += db.changes();
  }
  StoreCursor(db, cursor);
  if (created) *created = made;
  return cursor;
}

bool QueueCardExpiring(Db& db, bool livemode, const std::string& payment_method_id,
                       const std::string& customer_id, const std::string& subscription_id,
                       const std::string& card_expiry, UnixSeconds created_at,
                       UnixSeconds wall_now) {
  auto to = RecipientOf(db, customer_id);
  if (!to || to->reminders_off) return false;
  EmailRow r;
  r.id = NewId("em_");
  r.livemode = livemode;
  r.kind = "card_expiring";
  r.object_id = payment_method_id;
  r.subscription_id = subscription_id;
  r.customer_id = customer_id;
  r.to = to->address;
  r.card_expiry = card_expiry;
  r.next_attempt_at = wall_now;
  r.created_at = created_at;
  Insert(db, r);
  return db.changes() > 0;
}

void TurnRemindersOff(Db& db, const std::string& customer_id, bool livemode, UnixSeconds now) {
  db.Cached("UPDATE customers SET reminders_off_at=? WHERE id=? AND livemode=? AND "
            "reminders_off_at IS NULL")
      .Args(now, customer_id, int64_t{livemode})
      .Exec();
}

std::vector<EmailRow> LoadDue(Db& db, UnixSeconds wall_now, int limit) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM emails WHERE next_attempt_at IS NOT NULL AND "
                                  "next_attempt_at <= ? ORDER BY next_attempt_at, pk LIMIT ?",
                                  kColumns));
  q.Args(wall_now, int64_t{limit});
  std::vector<EmailRow> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::optional<UnixSeconds> EarliestDue(Db& db) {
  auto& q = db.Cached("SELECT MIN(next_attempt_at) FROM emails WHERE next_attempt_at IS NOT NULL");
  q.Step();
  auto at = q.OptInt(0);
  q.Reset();
  return at;
}

void RecordSent(Db& db, int64_t pk, UnixSeconds wall_now) {
  db.Cached("UPDATE emails SET status='sent', attempts=attempts+1, next_attempt_at=NULL, "
            "last_error=NULL, sent_at=? WHERE pk=? AND status='pending'")
      .Args(wall_now, pk)
      .Exec();
}

std::string RecordFailure(Db& db, int64_t pk, const std::string& error, bool permanent,
                          const RetrySchedule& schedule, UnixSeconds wall_now) {
  auto& q = db.Cached("SELECT attempts FROM emails WHERE pk=? AND status='pending'");
  q.Args(pk);
  std::optional<int64_t> attempts;
  if (q.Step()) attempts = q.Int(0);
  q.Reset();
  if (!attempts) return "";  // ended meanwhile
  size_t made = static_cast<size_t>(*attempts) + 1;
  bool give_up = permanent || made > schedule.delays.size();
  std::optional<int64_t> next;
  if (!give_up) next = wall_now + schedule.delays[made - 1];
  std::string status = give_up ? "failed" : "pending";
  db.Cached("UPDATE emails SET status=?, attempts=attempts+1, next_attempt_at=?, last_error=? "
            "WHERE pk=?")
      .Args(status, next, error, pk)
      .Exec();
  return status;
}

Result<EmailRow> LoadEmail(Db& db, const std::string& id, bool livemode) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM emails WHERE id=? AND livemode=?", kColumns));
  q.Args(id, int64_t{livemode});
  std::optional<EmailRow> r;
  if (q.Step()) r = Read(q);
  q.Reset();
  if (!r) return Status::NotFound(fmt::format("No such email: '{}'", id), "id");
  return *r;
}

std::vector<EmailRow> ListEmails(Db& db, bool livemode, const EmailFilter& f) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM emails WHERE livemode=?1 AND (?2 = '' OR status=?2) AND "
      "(?3 = '' OR kind=?3) AND (?4 = '' OR customer_id=?4) AND "
      "(?5 = '' OR pk < (SELECT pk FROM emails WHERE id=?5)) ORDER BY pk DESC LIMIT ?6",
      kColumns));
  q.Args(int64_t{livemode}, f.status, f.kind, f.customer_id, f.starting_after,
         int64_t{f.limit});
  std::vector<EmailRow> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

Status Resend(Db& db, EmailRow& row, UnixSeconds wall_now) {
  if (row.status == "pending") {
    return Status::Conflict(fmt::format("Email {} is still pending: it is sent as soon as the "
                                        "relay takes it.", row.id),
                            "email_pending");
  }
  db.Cached("UPDATE emails SET status='pending', next_attempt_at=?, attempts=0, last_error=NULL, "
            "resends=resends+1 WHERE pk=? AND status != 'pending'")
      .Args(wall_now, row.pk)
      .Exec();
  row.status = "pending";
  row.next_attempt_at = wall_now;
  row.attempts = 0;
  row.last_error.reset();
  ++row.resends;
  return Status::Ok();
}

QueueCounts CountQueue(Db& db) {
  auto& q = db.Cached("SELECT coalesce(sum(status='pending'), 0), "
                      "coalesce(sum(status='pending' AND attempts > 0), 0), "
                      "coalesce(sum(status='failed'), 0) FROM emails WHERE status != 'sent'");
  q.Step();
  QueueCounts c{q.Int(0), q.Int(1), q.Int(2)};
  q.Reset();
  return c;
}

json::object EmailView(const EmailRow& r, const std::string& from_address) {
  return {{"id", r.id},
          {"object", "email"},
          {"livemode", r.livemode},
          {"kind", r.kind},
          {"status", r.status},
          {"to", r.to},
          {"customer_id", r.customer_id},
          {"subscription_id", TextOrNull(r.subscription_id)},
          {"object_id", r.object_id},
          {"event_id", TextOrNull(r.event_id)},
          {"card_expiry", TextOrNull(r.card_expiry)},
          {"message_id", from_address.empty() ? json::value(nullptr)
                                              : json::value(MessageIdFor(r.id, from_address))},
          {"attempts", r.attempts},
          {"next_attempt_at", TimeOrNull(r.next_attempt_at)},
          {"last_error", TextOrNull(r.last_error)},
          {"resends", r.resends},
          {"created_at", FormatRfc3339(r.created_at)},
          {"sent_at", TimeOrNull(r.sent_at)}};
}

}  // namespace jopay::email
