// The email queue: the only code that reads or writes the `emails` table (schema.sql,
// migration 12).
//
// Where emails come from: the events outbox. Every change that should tell a customer
// something already writes its event in the transaction that makes the change; FanOut walks
// the events past a durable cursor (meta 'emails_event_cursor') and writes the emails they
// call for together with the new cursor, in one writer job. So an email exists exactly when
// its cause committed, a crash between the two loses nothing (the cursor did not move
// either), and UNIQUE (event_pk, kind) means the same event can never yield a second email of a
// kind, even if a fan-out ran twice. The recipient is the customer row's email at fan-out.
//
//   invoice.paid (amount_paid > 0)   -> receipt
//   subscription.payment_failed      -> payment_failed
//   subscription.trial_ending        -> trial_ending
//   subscription.cancelled           -> cancelled
//   subscription.expired             -> expired
//   (a saved card near its expiry)   -> card_expiring (card_expiry.h)
//
// Life of an email: pending (next_attempt_at: when to try, wall-clock) -> sent (the relay
// answered 250 to its final dot) or failed (refused for good, or out of attempts). A failed
// attempt that may succeed later waits for the next delay of the retry schedule. A resend
// makes any email that is not pending pending again.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay::email {

struct EmailRow {
  int64_t pk = 0;
  std::string id;  // "em_..."
  bool livemode = false;
  std::string kind;
  std::optional<int64_t> event_pk;    // the event that caused it (all but card_expiring)
  std::optional<std::string> event_id;
  std::string object_id;              // in_... (receipt), pm_... (card_expiring), else sub_...
  std::optional<std::string> subscription_id;
  std::string customer_id;
  std::string to;                     // the address, as the customer row had it
  std::optional<std::string> card_expiry;  // card_expiring: "2026-03"
  std::string status;                 // pending, sent, failed
  int attempts = 0;
  std::optional<UnixSeconds> next_attempt_at;  // wall-clock; pending only
  std::optional<std::string> last_error;
  int resends = 0;
  UnixSeconds created_at = 0;              // billing clock: when its cause happened
  std::optional<UnixSeconds> sent_at;      // wall-clock
};

// Which kinds each mode leaves out (email-test-disabled, email-live-disabled).
struct KindsOff {
  std::set<std::string> test;
  std::set<std::string> live;
  bool Off(bool livemode, const std::string& kind) const {
    return (livemode ? live : test).count(kind) > 0;
  }
};

// The delays after each failed attempt: after the n-th failure the email waits delays[n-1];
// after the last one it is failed.
struct RetrySchedule {
  std::vector<int64_t> delays;
};

// The kind of email an event calls for ("" = none).
std::string KindForEvent(const std::string& type);

// The fan-out cursor: the key of the last event looked at; -1 before the first fan-out.
int64_t LoadCursor(Db& db);
// Sets the cursor (writer only): the sender starts at the newest event, so emails are owed only
// for what happened while email was configured.
void StoreCursor(Db& db, int64_t cursor);

// Writes the emails for up to `limit` events after `cursor` (writer only) and the new cursor.
// Kinds `off` in an event's mode are skipped. Returns the new cursor; `created` counts the
// emails written.
int64_t FanOut(Db& db, int64_t cursor, int limit, const KindsOff& off, UnixSeconds wall_now,
               int64_t* created);

// A card_expiring email for a payment method, unless one was already written for that card
// and expiry month. Returns whether one was written.
bool QueueCardExpiring(Db& db, bool livemode, const std::string& payment_method_id,
                       const std::string& customer_id, const std::string& subscription_id,
                       const std::string& card_expiry, UnixSeconds created_at,
                       UnixSeconds wall_now);

// A customer's one-click unsubscribe (unsubscribe.h): no more reminders are queued for them
// (writer only; customers.reminders_off_at is this file's, migration 12). Idempotent.
void TurnRemindersOff(Db& db, const std::string& customer_id, bool livemode, UnixSeconds now);

// Pending emails due at or before `wall_now`, oldest due first.
std::vector<EmailRow> LoadDue(Db& db, UnixSeconds wall_now, int limit);
// When the earliest pending email is due.
std::optional<UnixSeconds> EarliestDue(Db& db);

// The relay took the email (writer only). Nothing changes unless it is still pending.
void RecordSent(Db& db, int64_t pk, UnixSeconds wall_now);
// An attempt failed (writer only): with `permanent`, or with no delay left, the email is
// failed; else it is due again after the next delay. Returns the status it is left in.
std::string RecordFailure(Db& db, int64_t pk, const std::string& error, bool permanent,
                          const RetrySchedule& schedule, UnixSeconds wall_now);

Result<EmailRow> LoadEmail(Db& db, const std::string& id, bool livemode);

struct EmailFilter {
  std::string status;       // "" = any
  std::string kind;         // "" = any
  std::string customer_id;  // "" = any
  int limit = 100;
  std::string starting_after;  // an email id
};
// Newest first.
std::vector<EmailRow> ListEmails(Db& db, bool livemode, const EmailFilter& f);

// Makes a sent or failed email pending again, due now (writer only); kConflict when it is
// pending already.
Status Resend(Db& db, EmailRow& row, UnixSeconds wall_now);

// Emails not yet sent (both modes): pending, and of those already tried at least once; failed.
struct QueueCounts {
  int64_t pending = 0;
  int64_t retrying = 0;
  int64_t failed = 0;
};
QueueCounts CountQueue(Db& db);

// The API's view; `from_address` (smtp-from's address) names the Message-ID's domain.
boost::json::object EmailView(const EmailRow& row, const std::string& from_address);

}  // namespace jopay::email
