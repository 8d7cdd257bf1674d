// Session transitions: create, cancel, pay, expire (see the state diagram in session.h).
#include <fmt/core.h>

#include "common/ids.h"
#include "common/validate.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/plans.h"
#include "daemon/checkout/session.h"
#include "daemon/checkout/session_rows.h"
#include "daemon/events/outbox.h"

namespace jopay {

namespace {

// Writes a one-time payment of session `s`; a paid one is billed by an invoice of the session's
// line items (a declined attempt bills nothing: the customer tries again on the same session).
void InsertSessionPayment(Db& db, const Session& s, Payment& p, const InvoiceIssuer& issuer,
                          UnixSeconds now) {
  if (p.status != "paid") return InsertPayment(db, p);
  RowKey key = ReserveInvoiceKey(db);
  p.invoice_pk = key.pk;
  InsertPayment(db, p);
  InvoiceDraft d;
  d.livemode = p.livemode;
  d.billing_reason = "checkout";
  d.customer_id = p.customer_id;
  d.currency = p.currency;
  for (const LineItem& item : s.line_items) {
    d.lines.push_back({item.name, std::nullopt, std::nullopt, item.quantity, item.amount,
                       item.quantity * item.amount});
  }
  // What the provider took when it is not what the items say (an orphan payment's record).
  if (d.lines.empty() || s.amount != p.amount) {
    d.lines = {{fmt::format("Checkout {}", s.id), std::nullopt, std::nullopt, 1, p.amount,
                p.amount}};
  }
  Invoice inv = IssueInvoice(db, d, issuer, now, &key);
  MarkInvoicePaid(db, inv, p.amount, now);
}

void Emit(Db& db, Session& s, std::string_view type, UnixSeconds at,
          const PayOutcome* failure = nullptr) {
  ++s.sequence;
  boost::json::object data = SessionEventData(s);
  if (failure) {
    data["failure_code"] = failure->failure_code;
    data["failure_message"] = failure->failure_message;
    data["attempt"] = s.attempts;
  }
  Event e;
  e.livemode = s.livemode;
  e.type = std::string(type);
  e.object_id = s.id;
  e.sequence = s.sequence;
  e.data = boost::json::serialize(data);
  e.created_at = at;
  InsertEvent(db, e);
}

Status NotPending(const Session& s, UnixSeconds now) {
  if (s.status == session_status::kPending && now >= s.expires_at) {
    return Status::Conflict("The checkout session has expired.", "session_expired");
  }
  return Status::Conflict(fmt::format("The checkout session is {}.", s.status),
                          s.status == session_status::kExpired ? "session_expired"
                                                               : "session_not_pending");
}

// The plan an inline subscription session sells: an active plan of this mode with exactly its
// terms (so many sessions for "Pro Monthly" share one plan), or a new one.
std::string FindOrCreatePlan(Db& db, bool livemode, const SessionPlan& spec, UnixSeconds now) {
  auto& q = db.Cached(
      "SELECT id FROM plans WHERE livemode=? AND active=1 AND name=? AND amount=? AND "
      "currency=? AND interval=? AND interval_count=? AND trial_days=0 AND grace_days=0 "
      "ORDER BY rowid LIMIT 1");
  q.Args(int64_t{livemode}, spec.name, spec.amount, spec.currency,
         std::string(IntervalName(spec.interval)), int64_t{spec.interval_count});
  if (q.Step()) {
    std::string id = q.Text(0);
    q.Reset();
    return id;
  }
  q.Reset();
  Plan plan;
  plan.id = NewId("plan_");
  plan.livemode = livemode;
  plan.name = spec.name;
  plan.amount = spec.amount;
  plan.currency = spec.currency;
  plan.interval = spec.interval;
  plan.interval_count = spec.interval_count;
  plan.created_at = plan.updated_at = now;
  InsertPlan(db, plan);
  return plan.id;
}

void Decline(Db& db, Session& s, const PayOutcome& outcome, UnixSeconds now) {
  s.updated_at = now;
  Emit(db, s, "checkout.payment.failed", now, &outcome);
  SaveSession(db, s);
}

void Complete(Db& db, Session& s, const std::string& email, UnixSeconds now) {
  s.status = std::string(session_status::kCompleted);
  s.customer_email = email;
  s.completed_at = now;
  s.updated_at = now;
  Emit(db, s, "checkout.session.completed", now);
  SaveSession(db, s);
}

Status PaySubscription(Db& db, Engine& engine, Session& s, const std::string& email,
                       const PayRequest& req, UnixSeconds now, PayOutcome* outcome) {
  NewSubscription sub;
  sub.plan_id = s.plan->id.empty() ? FindOrCreatePlan(db, s.livemode, *s.plan, now) : s.plan->id;
  sub.email = email;
  sub.name = req.name;
  sub.card = req.card;
  sub.trial_days = s.trial_days;
  sub.metadata = s.metadata;
  // A declined first charge must leave no subscription behind: its rows are undone here while
  // the decline itself (the session's attempt and event) still commits.
  db.Exec("SAVEPOINT checkout_subscription");
  Subscription created;
  Status payment;
  Status st = s.subscription_id
                  ? engine.StartPending(db, s.livemode, *s.subscription_id, req.card,
                                        s.trial_days, now, &created, &payment)
                  : engine.Create(db, s.livemode, sub, now, &created, &payment);
  if (st.ok() && payment.ok()) {
    db.Exec("RELEASE checkout_subscription");
    s.subscription_id = created.id;
    if (s.plan->id.empty()) s.plan->id = sub.plan_id;
    Complete(db, s, email, now);
    outcome->paid = true;
    return Status::Ok();
  }
  db.Exec("ROLLBACK TO checkout_subscription");
  db.Exec("RELEASE checkout_subscription");
  const Status& why = st.ok() ? payment : st;
  if (why.kind() != Status::Kind::kPaymentFailed) return why;
  *outcome = {false, why.code(), why.message()};
  Decline(db, s, *outcome, now);
  return Status::Ok();
}

Status PayOnce(Db& db, Engine& engine, Session& s, const std::string& email,
               const PayRequest& req, UnixSeconds now, PayOutcome* outcome) {
  Provider* provider = engine.CardProvider(s.livemode);
  if (!provider) {
    return Status::Invalid("No live payment provider is configured.", "card",
                           "provider_unavailable");
  }
  auto card = provider->Attach(req.card);  // a network provider refuses card numbers (kInvalid)
  if (!card.ok() && card.status().kind() != Status::Kind::kPaymentFailed) return card.status();
  Customer customer = FindOrCreateCustomer(db, s.livemode, email, req.name, now);
  Payment p;
  p.livemode = s.livemode;
  p.customer_id = customer.id;
  p.provider = std::string(provider->name());
  p.amount = s.amount;
  p.currency = s.currency;
  p.attempt = static_cast<int>(s.attempts);
  p.idempotency_key = fmt::format("{}:{}", s.id, s.attempts);
  p.created_at = now;
  ChargeOutcome charged =
      card.ok() ? provider->Charge(card->provider_ref, s.amount, s.currency, p.idempotency_key)
                : ChargeOutcome::Failed(card.status().code(), card.status().message());
  p.status = charged.paid ? "paid" : "failed";
  if (charged.paid) {
    p.paid_at = now;
  } else {
    p.failure_code = charged.failure_code;
    p.failure_message = charged.failure_message;
  }
  InsertSessionPayment(db, s, p, engine.invoice_issuer(), now);
  if (!charged.paid) {
    *outcome = {false, charged.failure_code, charged.failure_message};
    Decline(db, s, *outcome, now);
    return Status::Ok();
  }
  s.payment_id = p.id;
  Complete(db, s, email, now);
  outcome->paid = true;
  return Status::Ok();
}

// Checks what a provider's checkout settled against what the session asks for.
Status CheckSettled(const Session& s, const ProviderCheckout& paid, int trial_days) {
  auto mismatch = [&](const std::string& what) {
    return Status::Invalid(fmt::format("The provider's checkout {} does not match session {}; "
                                       "nothing was completed.", what, s.id),
                           "provider_session", "provider_checkout_mismatch");
  };
  if (paid.card.provider_ref.empty()) return mismatch("saved no payment method, so it");
  bool setup = !paid.charge_ref;
  if (s.subscription_mode() && setup != (trial_days > 0)) return mismatch("kind (setup or payment)");
  if (!s.subscription_mode() && setup) return mismatch("made no payment, so it");
  if (!setup && (paid.amount_paid != s.amount || paid.currency != s.currency)) {
    return mismatch(fmt::format("amount ({} {})", paid.amount_paid, paid.currency));
  }
  return Status::Ok();
}

// A payment the provider took for a session that can no longer be completed (cancelled):
// recorded, so that the money is on the books and the operator can refund it.
void RecordOrphanPayment(Db& db, const Engine& engine, const Session& s,
                         const ProviderCheckout& paid, const std::string& email, UnixSeconds now) {
  Customer customer = FindOrCreateCustomer(db, s.livemode, email, "", now);
  Payment p;
  p.livemode = s.livemode;
  p.customer_id = customer.id;
  p.provider = paid.card.provider;
  p.amount = paid.amount_paid;
  p.currency = paid.currency;
  p.status = "paid";
  p.paid_at = now;
  p.provider_ref = *paid.charge_ref;
  p.idempotency_key = fmt::format("{}:{}", s.id, paid.provider_session);
  p.created_at = now;
  InsertSessionPayment(db, s, p, engine.invoice_issuer(), now);
}

Status CompleteSubscription(Db& db, Engine& engine, Session& s, const ProviderCheckout& paid,
                            const std::string& email, int trial_days, UnixSeconds now) {
  Subscription created;
  Status payment;
  Status st;
  if (s.subscription_id) {
    st = engine.StartPendingWithCard(db, s.livemode, *s.subscription_id, paid.card,
                                     paid.charge_ref, trial_days, now, &created, &payment);
  } else {
    NewSubscription sub;
    sub.plan_id = s.plan->id.empty() ? FindOrCreatePlan(db, s.livemode, *s.plan, now) : s.plan->id;
    sub.email = email;
    sub.trial_days = trial_days;
    sub.metadata = s.metadata;
    st = engine.CreateWithCard(db, s.livemode, sub, paid.card, paid.charge_ref, now, &created,
                               &payment);
    if (s.plan->id.empty()) s.plan->id = sub.plan_id;
  }
  if (!st.ok()) return st;
  if (!payment.ok()) return payment;  // cannot happen: the first period was paid or a trial
  s.subscription_id = created.id;
  return Status::Ok();
}

}  // namespace

int TrialDaysOf(Db& db, const Session& s) {
  if (!s.subscription_mode()) return 0;
  if (s.trial_days) return *s.trial_days;
  if (s.plan && !s.plan->id.empty()) {
    if (auto plan = LoadPlan(db, s.plan->id, s.livemode); plan.ok()) return plan->trial_days;
  }
  return 0;
}

Status CompleteWithProvider(Db& db, Engine& engine, bool livemode, const std::string& id,
                            const ProviderCheckout& paid, UnixSeconds now, Session* out,
                            bool* already) {
  *already = false;
  auto s = LoadSession(db, id, livemode);
  if (!s.ok()) return s.status();
  if (s->status == session_status::kCompleted) {  // the return and the callback race
    *already = true;
    *out = std::move(*s);
    return Status::Ok();
  }
  std::string email = !paid.email.empty() ? NormalizeEmail(paid.email)
                                          : s->customer_email.value_or("");
  int trial = TrialDaysOf(db, *s);
  JOPAY_RETURN_IF_ERROR(CheckSettled(*s, paid, trial));
  if (s->status == session_status::kCancelled) {
    if (paid.charge_ref) RecordOrphanPayment(db, engine, *s, paid, email, now);
    return Status::Conflict(fmt::format("Session {} was cancelled, but the customer paid at the "
                                        "provider ({}); the payment is recorded for a refund.",
                                        id, paid.provider_session),
                            "session_cancelled_but_paid");
  }
  // A pending or expired session: the customer paid, so it completes (an expiry only means
  // that the JoPay page stopped offering it).
  ++s->attempts;
  if (s->subscription_mode()) {
    JOPAY_RETURN_IF_ERROR(CompleteSubscription(db, engine, *s, paid, email, trial, now));
  } else {
    Customer customer = FindOrCreateCustomer(db, s->livemode, email, "", now);
    Payment p;
    p.livemode = s->livemode;
    p.customer_id = customer.id;
    p.provider = paid.card.provider;
    p.amount = paid.amount_paid;
    p.currency = paid.currency;
    p.status = "paid";
    p.paid_at = now;
    p.provider_ref = *paid.charge_ref;
    p.attempt = static_cast<int>(s->attempts);
    p.idempotency_key = fmt::format("{}:{}", s->id, paid.provider_session);
    p.created_at = now;
    InsertSessionPayment(db, *s, p, engine.invoice_issuer(), now);
    s->payment_id = p.id;
  }
  s->provider_session = paid.provider_session;
  Complete(db, *s, email, now);
  *out = std::move(*s);
  return Status::Ok();
}

Status CompleteBoundSession(Db& db, bool livemode, const std::string& subscription_id,
                            const std::optional<std::string>& payment_id, UnixSeconds now) {
  auto& q = db.Cached(
      "SELECT id FROM checkout_sessions WHERE subscription_id=? AND livemode=? AND "
      "(status='pending' OR status='expired') ORDER BY rowid DESC LIMIT 1");
  q.Args(subscription_id, int64_t{livemode});
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  if (!id) return Status::Ok();
  auto s = LoadSession(db, *id, livemode);
  if (!s.ok()) return s.status();
  ++s->attempts;
  s->payment_id = payment_id;
  Complete(db, *s, s->customer_email.value_or(""), now);
  return Status::Ok();
}

Status StartSessionOnPushRail(Db& db, Engine& engine, bool livemode, const std::string& id,
                              std::string_view rail, const std::string& email, UnixSeconds now,
                              std::string* payment_id) {
  auto s = LoadSession(db, id, livemode);
  if (!s.ok()) return s.status();
  if (!s->Payable(now)) {
    return Status::Conflict(fmt::format("Session {} is {}.", id, s->status), "session_not_pending");
  }
  if (!s->subscription_mode()) {
    return Status::Conflict("Lightning and on-chain payments are taken for subscriptions only.",
                            "session_not_subscription");
  }
  std::string customer = s->customer_email.value_or(NormalizeEmail(email));
  JOPAY_RETURN_IF_ERROR(ValidateEmail(customer));
  if (!s->subscription_id) {
    NewSubscription sub;
    sub.plan_id = s->plan->id.empty() ? FindOrCreatePlan(db, livemode, *s->plan, now) : s->plan->id;
    s->plan->id = sub.plan_id;
    sub.email = customer;
    sub.metadata = s->metadata;
    Subscription pending;
    JOPAY_RETURN_IF_ERROR(engine.CreatePending(db, livemode, sub, s->expires_at, now, &pending));
    s->subscription_id = pending.id;
    s->customer_email = customer;
    SaveSession(db, *s);
  }
  Subscription started;
  JOPAY_RETURN_IF_ERROR(engine.StartPushPending(db, livemode, *s->subscription_id, rail,
                                                s->trial_days, s->expires_at - now, now,
                                                &started, payment_id));
  if (payment_id->empty()) {
    return CompleteBoundSession(db, livemode, *s->subscription_id, std::nullopt, now);
  }
  return Status::Ok();
}

Status SettlePushPayment(Db& db, Engine& engine, const std::string& payment_id, bool livemode,
                         int64_t received_sats, UnixSeconds now,
                         std::optional<PushApplied>* applied) {
  JOPAY_RETURN_IF_ERROR(
      engine.ApplyPushPaid(db, payment_id, livemode, received_sats, now, applied, nullptr));
  if (*applied != PushApplied::kStarted) return Status::Ok();
  auto p = LoadPayment(db, payment_id, livemode);
  if (!p.ok() || !p->subscription_id) return p.status();
  return CompleteBoundSession(db, livemode, *p->subscription_id, payment_id, now);
}

Status CreateSession(Db& db, bool livemode, const NewSession& req, UnixSeconds now,
                     Session* out) {
  Session s;
  s.id = req.id.empty() ? NewId("cs_") : req.id;
  s.livemode = livemode;
  s.mode = req.mode;
  s.status = std::string(session_status::kPending);
  if (req.mode == "subscription") {
    SessionPlan plan = *req.plan;
    if (!plan.id.empty()) {
      auto stored = LoadPlan(db, plan.id, livemode);
      if (!stored.ok()) return Status::NotFound(stored.status().message(), "plan");
      if (!stored->active) return Status::Invalid("The plan is archived.", "plan", "plan_archived");
      plan = {stored->id,       stored->name,           stored->amount,    stored->currency,
              stored->interval, stored->interval_count, stored->trial_days};
    }
    s.amount = plan.amount;
    s.currency = plan.currency;
    s.plan = std::move(plan);
    s.trial_days = req.trial_days;
  } else {
    s.line_items = req.line_items;
    for (const auto& item : s.line_items) s.amount += item.amount * item.quantity;
    s.currency = s.line_items.front().currency;
  }
  s.customer_email = req.customer_email;
  s.client_reference_id = req.client_reference_id;
  s.success_url = req.success_url;
  s.cancel_url = req.cancel_url;
  s.metadata = req.metadata;
  if (s.subscription_mode()) s.subscription_id = req.subscription_id;
  s.expires_at = now + req.expires_in;
  s.created_at = s.updated_at = now;
  InsertSession(db, s);
  *out = std::move(s);
  return Status::Ok();
}

Status CancelSession(Db& db, bool livemode, const std::string& id, UnixSeconds now,
                     Session* out) {
  auto s = LoadSession(db, id, livemode);
  if (!s.ok()) return s.status();
  if (!s->Payable(now)) return NotPending(*s, now);
  s->status = std::string(session_status::kCancelled);
  s->updated_at = now;
  SaveSession(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status PaySession(Db& db, Engine& engine, bool livemode, const std::string& id,
                  const PayRequest& req, UnixSeconds now, Session* out, PayOutcome* outcome) {
  auto s = LoadSession(db, id, livemode);
  if (!s.ok()) return s.status();
  if (!s->Payable(now)) return NotPending(*s, now);
  std::string email = s->customer_email ? *s->customer_email : NormalizeEmail(req.email);
  if (email.empty()) {
    return Status::Invalid("missing required param: email (the session has no customer_email)",
                           "email", "parameter_missing");
  }
  JOPAY_RETURN_IF_ERROR(ValidateEmail(email));
  JOPAY_RETURN_IF_ERROR(ValidateText(req.name, "name", 200));
  if (req.card.empty()) return Status::Invalid("missing required param: card", "card", "parameter_missing");
  if (s->subscription_mode() && s->plan && !s->plan->id.empty()) {
    if (!LoadPlanFlags(db, s->plan->id).allow_stripe) {
      return Status::Invalid("This plan takes no cards (allow_stripe is off): pay it with "
                             "Lightning or on-chain.", "card", "payment_method_unavailable");
    }
  }
  ++s->attempts;
  *outcome = {};
  Status st = s->subscription_mode() ? PaySubscription(db, engine, *s, email, req, now, outcome)
                                     : PayOnce(db, engine, *s, email, req, now, outcome);
  if (!st.ok()) return st;
  *out = std::move(*s);
  return Status::Ok();
}

int64_t ExpireDueSessions(Db& db, UnixSeconds until, bool use_due_time, UnixSeconds now,
                          int limit) {
  auto due = LoadExpiring(db, until, limit);
  for (Session& s : due) {
    UnixSeconds at = use_due_time ? s.expires_at : now;
    s.status = std::string(session_status::kExpired);
    s.updated_at = at;
    Emit(db, s, "checkout.session.expired", at);
    SaveSession(db, s);
  }
  return static_cast<int64_t>(due.size());
}

}  // namespace jopay
