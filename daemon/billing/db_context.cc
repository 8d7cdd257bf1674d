#include "daemon/billing/db_context.h"

#include <fmt/core.h>

#include <algorithm>

#include "daemon/billing/event_data.h"
#include "daemon/billing/payment_invoices.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/push_charges.h"
#include "daemon/events/outbox.h"

namespace jopay {

namespace {

// The payment row of charge `r` of `s` through `provider`, its status still to be said.
Payment PaymentOf(const Subscription& s, const ChargeRequest& r, std::string provider,
                  UnixSeconds now) {
  Payment p;
  p.livemode = s.livemode;
  p.subscription_id = s.id;
  p.customer_id = s.customer_id;
  p.payment_method_id = s.payment_method_id;
  p.provider = std::move(provider);
  p.amount = r.amount;
  p.currency = r.currency;
  p.attempt = r.attempt;
  p.schedule = r.schedule;
  p.period_start = r.period_start;
  p.period_end = r.period_end;
  p.idempotency_key = r.idempotency_key;
  p.created_at = now;
  return p;
}

// The invoice a period's first charge issues: the first period's is the subscription's first
// bill (after a trial too: the trial billed nothing), later ones are its cycle.
ChargeInvoiceText InvoiceText(const Subscription& s, const ChargeRequest& r) {
  bool first = r.period_start == s.Boundary(0) && r.schedule == 0;
  return {first ? "subscription_create" : "subscription_cycle", s.plan_name, s.plan_id};
}

}  // namespace

ChargeOutcome DbContext::Charge(const Subscription& s, const ChargeRequest& r) {
  if (prepaid) {
    ChargeOutcome paid{true, "", "", false, *prepaid};
    prepaid.reset();
    return Record(s, r, paid);
  }
  Provider* provider = engine_.ProviderFor(s.livemode, s.provider);
  // A network provider is never asked here: the charge is written pending, with its key,
  // and sent after this transaction commits (charges/charge_sender.h).
  bool queued = provider && !provider->instant() && s.payment_method_id;
  ChargeOutcome out =
      queued ? ChargeOutcome{false, "", "", true, ""} : ChargeProvider(s, r, provider);
  return Record(s, r, out);
}

void DbContext::Emit(const Subscription& s, std::string_view type, const EventExtras& x) {
  if (type == "subscription.expired") MarkUncollectible(db_, s.id);
  if (batch_) return batch_->Add(s, type, x, now);
  Event e = SubscriptionEvent(s, type, x, now);
  InsertEvent(db_, e);
}

ChargeOutcome DbContext::Record(const Subscription& s, const ChargeRequest& r,
                              const ChargeOutcome& out) {
  Payment p = PaymentOf(s, r, s.provider.empty() ? "none" : s.provider, now);
  p.status = out.pending ? "pending" : out.paid ? "paid" : "failed";
  if (!out.paid && !out.pending) {
    p.failure_code = out.failure_code;
    p.failure_message = out.failure_message;
  }
  if (out.pending) {
    // Wall-clock: sending is real time, also under the manual clock. From now on the charge
    // may reach the provider, which replays its key for 24 h.
    p.next_send_at = p.first_sent_at = SystemNow();
  }
  if (out.paid) p.paid_at = now;
  if (!out.provider_ref.empty()) p.provider_ref = out.provider_ref;
  ChargeInvoice invoice(db_, p);
  try {
    InsertPayment(db_, p);
  } catch (const DbError& e) {
    // The same (subscription, period, attempt) was already charged: report that outcome,
    // never a second charge. Any other failure aborts the job.
    auto prior = e.is_unique_violation()
                     ? FindAttempt(db_, s.id, r.schedule, r.period_start, r.attempt)
                     : std::nullopt;
    if (!prior) throw;
    return {prior->status == "paid", prior->failure_code.value_or(""),
            prior->failure_message.value_or(""), prior->pending(),
            prior->provider_ref.value_or("")};
  }
  invoice.Settle(p, InvoiceText(s, r), engine_.invoice_issuer(), now, batch_);
  return out;
}

ChargeOutcome DbContext::ChargeProvider(const Subscription& s, const ChargeRequest& r,
                                      Provider* provider) {
  if (!s.payment_method_id) {
    return ChargeOutcome::Failed("no_payment_method", "The subscription has no saved payment method.");
  }
  if (!provider) {
    return ChargeOutcome::Failed("provider_unavailable", "The payment method's provider is not configured.");
  }
  return provider->Charge(s.provider_ref, r.amount, r.currency, r.idempotency_key);
}

namespace {

// How long a period's charge stays payable: until the subscription would expire for it
// (push_renewal.h), so that reminders point at the same invoice. At least an hour.
int64_t PushExpiresIn(const Subscription& s, const ChargeRequest& r, const Policy& policy,
                      UnixSeconds now) {
  int64_t last = policy.retry_offsets.empty() ? 0 : policy.retry_offsets.back();
  return std::max<int64_t>(3600, r.period_start - now + int64_t{s.grace_days} * 86400 + last);
}

}  // namespace

PushDue DbContext::RequestPush(const Subscription& s, const ChargeRequest& r) {
  if (auto prior = FindAttempt(db_, s.id, r.schedule, r.period_start, r.attempt)) {
    return {prior->id, false, prior->status == "paid", false, {}};
  }
  PushProvider* provider = engine_.PushProviderFor(s.livemode, s.provider);
  if (!provider) {
    return {"", false, false, true,
            ChargeOutcome::Failed("provider_unavailable",
                                  "The subscription's payment provider is not configured.")};
  }
  Payment p = PaymentOf(s, r, std::string(provider->name()), now);
  p.status = "pending";
  ChargeInvoice invoice(db_, p);
  InsertPayment(db_, p);
  invoice.Settle(p, InvoiceText(s, r), engine_.invoice_issuer(), now, batch_);

  const Policy& policy = engine_.policy();
  PushChargeRequest req;
  req.payment_id = p.id;
  req.rail = s.rail;
  req.livemode = s.livemode;
  req.amount = r.amount;
  req.currency = r.currency;
  req.expires_in = push_expires_in.value_or(PushExpiresIn(s, r, policy, now));
  req.description = fmt::format("{} ({} to {})", s.plan_name, FormatRfc3339(r.period_start),
                                FormatRfc3339(r.period_end));
  req.callback_url = fmt::format("{}/public/webhook/{}", policy.public_url, provider->name());
  req.return_url = fmt::format("{}/pay/{}", policy.public_url, p.id);
  req.created_at = now;
  PushChargeRow row;
  row.payment_pk = p.pk;
  row.rail = s.rail;
  row.provider = p.provider;
  if (provider->instant()) {
    // The sandbox answers in-process; a network provider is asked after the commit.
    provider->CreateCharge(req, [&row](PushAnswer a) { row.charge = std::move(a.charge); });
  } else {
    row.next_check_at = SystemNow();
  }
  InsertPushCharge(db_, row);
  return {p.id, true, false, false, {}};
}

bool DbContext::PushPaid(const Subscription& s, UnixSeconds period_start) {
  auto p = FindAttempt(db_, s.id, s.schedule, period_start, 1);
  return p && p->status == "paid";
}

}  // namespace jopay
