// Checkout sessions: what a customer is asked to pay on the hosted page, and its lifecycle.
//
//   pending --pay ok--> completed      (checkout.session.completed; subscription mode also
//                                        writes the engine's subscription.created)
//   pending --decline--> pending        (checkout.payment.failed; payable until it expires)
//   pending --expires_at--> expired     (checkout.session.expired; session_expiry.h)
//   pending --cancel--> cancelled       (the merchant's API call; no event)
//
// Mode "payment" charges `amount` (the sum of its line items, one currency) once through the
// mode's provider and records a one-off payment (no subscription). Mode "subscription" creates
// a subscription through Engine::Create with the session's email, plan, trial and metadata,
// or, when the session was created bound to a pending subscription (subscription_id set while
// pending: POST /public/subscribe), starts that one through Engine::StartPending.
//
// Every function that writes runs inside a writer job (its SAVEPOINT): the session row, its
// payment or subscription rows and its events commit together. Faces built on top (the
// /api/checkout/v1 routes, the hosted page, the LNbits and Eventop adapters, jopayctl) call
// these and render the Session their own way.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/period.h"
#include "common/status.h"
#include "common/time.h"
#include "daemon/billing/engine.h"
#include "daemon/store/db.h"

namespace jopay {

namespace session_status {
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kCompleted = "completed";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kCancelled = "cancelled";
inline constexpr std::string_view kAll[] = {kPending, kCompleted, kExpired, kCancelled};
}  // namespace session_status

struct LineItem {
  std::string name;
  int64_t amount = 0;  // per unit, minor units
  std::string currency;
  int64_t quantity = 1;
};

// The plan a subscription session sells: a snapshot of an existing plan (id set) or an inline
// plan {name, amount, interval} (id empty until paid: then found or created, see PaySession).
struct SessionPlan {
  std::string id;
  std::string name;
  int64_t amount = 0;
  std::string currency;
  Interval interval = Interval::kMonth;
  int interval_count = 1;
  int trial_days = 0;  // the existing plan's own trial (inline plans: 0)
};

struct Session {
  std::string id;  // "cs_..."
  bool livemode = false;
  std::string mode;    // "payment" | "subscription"
  std::string status;  // session_status
  int64_t amount = 0;  // payment: sum of line items; subscription: the plan's price
  std::string currency;
  std::vector<LineItem> line_items;        // payment mode
  std::optional<SessionPlan> plan;         // subscription mode
  std::optional<int> trial_days;           // subscription mode: trial_period_days if given
  std::optional<std::string> customer_email;       // normalized
  std::optional<std::string> client_reference_id;  // the merchant's own customer id
  std::string success_url;
  std::string cancel_url;
  std::string metadata = "{}";  // JSON object of strings
  std::optional<std::string> subscription_id;  // once completed, or bound from the start
  std::optional<std::string> payment_id;       // once completed (payment mode)
  std::optional<std::string> provider_session;  // the provider's checkout that completed it
  int64_t attempts = 0;  // pay attempts so far (payment idempotency keys use it)
  int64_t sequence = 0;  // bumped by every event about this session
  UnixSeconds expires_at = 0;
  std::optional<UnixSeconds> completed_at;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;

  bool subscription_mode() const { return mode == "subscription"; }
  // True when `url` (its success_url or cancel_url) is the session's own hosted page: sessions
  // made without a merchant page to return to (the LNbits public subscribe) end there.
  bool IsOwnPage(std::string_view url) const {
    return url.ends_with("/checkout/" + id);
  }
  // Pending and not past its expiry at `now` (the sweeper may not have run yet).
  bool Payable(UnixSeconds now) const { return status == session_status::kPending && now < expires_at; }
};

// A validated create request (session_request.h parses the public API's body into this).
struct NewSession {
  std::string id;  // "" = a new one; given when a URL must name the session before it exists
  std::string mode = "payment";
  std::vector<LineItem> line_items;
  std::optional<SessionPlan> plan;  // inline plan, or id only (filled from the store)
  std::optional<int> trial_days;
  std::optional<std::string> customer_email;
  std::optional<std::string> client_reference_id;
  std::string success_url;
  std::string cancel_url;
  std::string metadata = "{}";
  int64_t expires_in = 1800;
  // Subscription mode: a pending subscription (Engine::CreatePending) this session pays for;
  // paying starts it (Engine::StartPending) instead of creating another.
  std::optional<std::string> subscription_id;
};

// Inserts a pending session. A plan id must name an active plan of this mode (404 / 400).
Status CreateSession(Db& db, bool livemode, const NewSession& req, UnixSeconds now,
                     Session* out);
Result<Session> LoadSession(Db& db, const std::string& id, bool livemode);
// Newest first; status "" = any; paging after `starting_after` (a session id).
std::vector<Session> ListSessions(Db& db, bool livemode, const std::string& status, int limit,
                                  const std::string& starting_after);
// pending -> cancelled; any other status is kConflict ("session_not_pending").
Status CancelSession(Db& db, bool livemode, const std::string& id, UnixSeconds now,
                     Session* out);

struct PayRequest {
  std::string card;   // card number (test mode: a sandbox test card)
  std::string email;  // required when the session has no customer_email; else ignored
  std::string name;   // optional
};
struct PayOutcome {
  bool paid = false;
  std::string failure_code;  // card_declined, insufficient_funds, ...
  std::string failure_message;
};
// Pays a pending session. Success completes it; a declined card writes
// checkout.payment.failed and leaves it pending (the job still succeeds: the event commits,
// `outcome` says declined). A session past its expires_at is refused kConflict
// ("session_expired"; the expiry sweep marks it), completed/cancelled ones kConflict
// ("session_not_pending"). A card number that is not one -> kInvalid (param "card").
Status PaySession(Db& db, Engine& engine, bool livemode, const std::string& id,
                  const PayRequest& req, UnixSeconds now, Session* out, PayOutcome* outcome);

// Completes a session with what the provider settled, exactly once: the customer's return and
// the provider's callback race, and the second finds it completed (`*already`, Ok). Amount,
// currency and kind (a payment, or a setup for a trial) must match the session, else kInvalid
// "provider_checkout_mismatch" and nothing changes. A subscription session starts its
// subscription with the saved card (its first period paid by the charge, or a trial); a
// payment session records the payment. An expired session completes too (the customer paid);
// a cancelled one answers kConflict with the payment recorded for a refund.
Status CompleteWithProvider(Db& db, Engine& engine, bool livemode, const std::string& id,
                            const ProviderCheckout& paid, UnixSeconds now, Session* out,
                            bool* already);
// The session bound to a pending subscription (POST /public/subscribe) whose subscription has
// started without the hosted card form (a push rail's first payment, or a trial on one):
// completes it (checkout.session.completed) with that payment, if any. An expired session
// completes too (the customer paid); none pending or expired -> Ok, nothing changes.
Status CompleteBoundSession(Db& db, bool livemode, const std::string& subscription_id,
                            const std::optional<std::string>& payment_id, UnixSeconds now);
// The customer chose a push rail (Lightning, on-chain) on the hosted page of a payable
// subscription session: its subscription (the pending one it is bound to, or one created now
// for `email`, incomplete and bound to it) starts on that rail (Engine::StartPushPending),
// payable until the session expires. `payment_id`: its first charge, or "" when a trial
// started it at once (the session then completes). Payment sessions -> kConflict
// "session_not_subscription"; no email -> kInvalid (param email).
Status StartSessionOnPushRail(Db& db, Engine& engine, bool livemode, const std::string& id,
                              std::string_view rail, const std::string& email, UnixSeconds now,
                              std::string* payment_id);
// A push charge (Lightning, on-chain) is paid: Engine::ApplyPushPaid, and when it was the
// first payment of a subscription bound to a session, that session completes.
Status SettlePushPayment(Db& db, Engine& engine, const std::string& payment_id, bool livemode,
                         int64_t received_sats, UnixSeconds now,
                         std::optional<PushApplied>* applied);

// The trial a subscription session starts with: its own, else its plan's (0 for payments).
int TrialDaysOf(Db& db, const Session& s);

// Expires up to `limit` pending sessions (both modes) with expires_at <= until, each at its own
// expires_at when use_due_time (the manual clock), else at `now`. Returns how many.
int64_t ExpireDueSessions(Db& db, UnixSeconds until, bool use_due_time, UnixSeconds now,
                          int limit);
// The earliest expires_at of a pending session.
std::optional<UnixSeconds> EarliestSessionExpiry(Db& db);

// `base` (public URL without trailing slash) + "/checkout/" + id: the hosted page.
std::string CheckoutUrl(std::string_view base, std::string_view id);

// The full session as the API shows it (GET /sessions/{id}, jopayctl): id, object, livemode,
// mode, status, checkout_url, amount_cents, currency, line_items (payment) or plan +
// trial_period_days (subscription), customer_email, client_reference_id, success_url,
// cancel_url, metadata, subscription_id, payment_id, expires_at, completed_at, created_at.
boost::json::object SessionView(const Session& s, std::string_view base_url);
// The `data` of checkout.* events: the webhook payload of docs/reference/jopay-checkout-api.txt (id, status, amount_cents,
// currency, customer_email, metadata, completed_at) plus mode, client_reference_id,
// subscription_id, payment_id and sequence.
boost::json::object SessionEventData(const Session& s);

}  // namespace jopay
