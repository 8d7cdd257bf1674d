#include "daemon/billing/engine_plan_change.h"

#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/billing/credit_notes.h"
#include "daemon/billing/db_context.h"
#include "daemon/billing/refunds.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay {

namespace json = boost::json;

namespace {

PlanTerms TermsOfPlan(const Plan& p) {
  return {p.id, p.name, p.amount, p.currency, p.interval, p.interval_count, p.grace_days};
}

// The plan a change moves to, if it may be chosen.
Result<Plan> TargetPlan(Db& db, bool livemode, const PlanChangeRequest& req) {
  if (req.plan_id.empty()) {
    return Status::Invalid("give the plan to move to", "plan", "parameter_missing");
  }
  auto plan = LoadPlan(db, req.plan_id, livemode);
  if (!plan.ok()) return Status::NotFound(plan.status().message(), "plan");
  if (!plan->active) {
    return Status::Invalid(fmt::format("Plan {} is archived.", plan->id), "plan", "plan_archived");
  }
  if (req.by_customer && !plan->switchable) {
    return Status::Invalid(fmt::format("Plan {} cannot be chosen here.", plan->id), "plan",
                           "plan_not_switchable");
  }
  return plan;
}

// The two lines of a prorated change (from `before`, the terms the period was paid at).
InvoiceDraft ProrationDraft(const Subscription& s, const PlanTerms& before, const PlanChange& c) {
  InvoiceDraft d;
  d.livemode = s.livemode;
  d.billing_reason = "subscription_update";
  d.customer_id = s.customer_id;
  d.subscription_id = s.id;
  d.plan_id = c.to.plan_id;
  d.schedule = s.schedule;
  d.period_start = c.charge_start;
  d.period_end = c.charge_end;
  d.currency = c.to.currency;
  int64_t credit = c.proration.credit, charge = c.proration.charge;
  d.lines.push_back({fmt::format("Unused time on {}", before.plan_name), c.credit_start,
                     c.credit_end, 1, -credit, -credit});
  std::string what = c.new_period ? c.to.plan_name : "Remaining time on " + c.to.plan_name;
  d.lines.push_back({what, c.charge_start, c.charge_end, 1, charge, charge});
  return d;
}

// The attempt number of the next change billed at `at` in `s`'s schedule: -1, -2, ...
int NextChangeAttempt(Db& db, const Subscription& s, UnixSeconds at) {
  auto& q = db.Cached(
      "SELECT IFNULL(-MIN(attempt), 0) + 1 FROM payments WHERE subscription_id=? AND "
      "schedule=? AND period_start=? AND attempt < 0");
  q.Args(s.id, s.schedule, at);
  q.Step();
  int n = static_cast<int>(q.Int(0));
  q.Reset();
  return -n;
}

// Charges the net of `invoice` to the subscription's saved method (see the header): paid now,
// pending for a network provider, or kPaymentFailed (the caller's job then rolls back).
Result<Payment> ChargeNet(const Engine& engine, Db& db, const Subscription& s,
                          const Invoice& invoice, UnixSeconds now) {
  Provider* provider = engine.ProviderFor(s.livemode, s.provider);
  if (!s.payment_method_id) {
    return Status::PaymentFailed("no_payment_method",
                                 "The subscription has no saved payment method to charge.");
  }
  if (!provider) {
    return Status::PaymentFailed("provider_unavailable",
                                 "The payment method's provider is not configured.");
  }
  Payment p;
  p.livemode = s.livemode;
  p.subscription_id = s.id;
  p.customer_id = s.customer_id;
  p.payment_method_id = s.payment_method_id;
  p.provider = s.provider;
  p.amount = invoice.total;
  p.currency = invoice.currency;
  p.attempt = NextChangeAttempt(db, s, now);
  p.schedule = s.schedule;
  p.period_start = invoice.period_start;
  p.period_end = invoice.period_end;
  p.idempotency_key = fmt::format("{}:update:{}:{}", s.id, now, -p.attempt);
  if (s.schedule > 0) p.idempotency_key += fmt::format(":s{}", s.schedule);
  p.created_at = now;
  p.invoice_pk = invoice.pk;
  ChargeOutcome out{false, "", "", true, ""};
  if (provider->instant()) {
    out = provider->Charge(s.provider_ref, p.amount, p.currency, p.idempotency_key);
    if (!out.paid && !out.pending) {
      return Status::PaymentFailed(out.failure_code, out.failure_message);
    }
  }
  p.status = out.paid ? "paid" : "pending";
  if (out.paid) p.paid_at = now;
  // Wall-clock, as a renewal's: sending is real time, also under the manual clock.
  if (out.pending) p.next_send_at = p.first_sent_at = SystemNow();
  if (!out.provider_ref.empty()) p.provider_ref = out.provider_ref;
  InsertPayment(db, p);
  if (out.paid) MarkInvoicePaid(db, invoice.pk, p.amount, now);
  return p;
}

// A credit beyond the charge (`excess`) goes back to the payment that paid the period the
// change was made in (`paid`: its schedule and start), as far as that payment has money left
// to give back; keyed by the invoice, so a replayed job never refunds twice. Nothing when no
// such payment is stored (an imported subscription's period) or its provider is not here.
Status RefundExcessCredit(const Engine& engine, Db& db, const Subscription& s,
                          std::pair<int64_t, UnixSeconds> paid, const Invoice& invoice,
                          int64_t excess, UnixSeconds now, PlanChangeResult* result) {
  std::optional<Invoice> period = FindPeriodInvoice(db, s.id, paid.first, paid.second);
  std::optional<Payment> p = period ? PaymentOfInvoice(db, period->pk) : std::nullopt;
  Provider* provider = p ? engine.ProviderFor(p->livemode, p->provider) : nullptr;
  if (!provider) return Status::Ok();
  int64_t left = p->amount;
  for (const Refund& r : RefundsOfPayment(db, p->id)) {
    if (r.status != "failed") left -= r.amount;
  }
  if (std::min(excess, left) <= 0) return Status::Ok();
  NewRefund req{p->id, std::min(excess, left), std::nullopt, "update:" + invoice.id};
  Refund refund;
  JOPAY_RETURN_IF_ERROR(CreateRefund(db, s.livemode, req, provider->instant(), now, &refund));
  result->refund = std::move(refund);
  return Status::Ok();
}

// Bills a change that applied now with proration: the invoice and, for a positive net, its
// charge; a negative net is refunded. `before` is what the period was paid at, `paid` the
// schedule and start of that period.
Status BillProration(const Engine& engine, Db& db, const Subscription& s, const PlanTerms& before,
                     std::pair<int64_t, UnixSeconds> paid, const PlanChange& c, UnixSeconds now,
                     PlanChangeResult* result) {
  if (c.proration.credit == c.proration.charge && !c.new_period) return Status::Ok();
  Invoice invoice = IssueInvoice(db, ProrationDraft(s, before, c), engine.invoice_issuer(), now);
  if (invoice.total > 0) {
    auto payment = ChargeNet(engine, db, s, invoice, now);
    if (!payment.ok()) return payment.status();
    result->payment = std::move(*payment);
    if (result->payment->status == "paid") invoice = *LoadInvoiceByPk(db, invoice.pk);
  } else {
    MarkInvoicePaid(db, invoice, 0, now);  // nothing is owed
    if (invoice.total < 0) {
      JOPAY_RETURN_IF_ERROR(
          RefundExcessCredit(engine, db, s, paid, invoice, -invoice.total, now, result));
    }
  }
  result->invoice = std::move(invoice);
  return Status::Ok();
}

// Records nothing: what a change would make of a copy of a subscription.
class QuietContext : public BillingContext {
 public:
  ChargeOutcome Charge(const Subscription&, const ChargeRequest&) override {
    return ChargeOutcome::Failed("internal", "A preview charges nothing.");
  }
  void Emit(const Subscription&, std::string_view, const EventExtras&) override {}
};

// Whether the net of prorated change `c` goes to a network provider, whose answer comes
// after the commit: the change then waits for it (see the header).
bool ChargedLater(const Engine& engine, const Subscription& s, const PlanChange& c) {
  if (c.proration.net() <= 0 || !s.payment_method_id) return false;
  Provider* provider = engine.ProviderFor(s.livemode, s.provider);
  return provider && !provider->instant();
}

// An upgrade whose net is charged later: billed as the change will leave `s` (on a new
// interval, the new schedule's keys), while `s` stays as it is and awaits the charge.
Status BillAwaitedChange(const Engine& engine, Db& db, Subscription& s, const PlanTerms& before,
                         const PlanChange& c, UnixSeconds now, BillingContext& ctx,
                         PlanChangeResult* result) {
  Subscription after = s;
  QuietContext quiet;
  ApplyPlanChange(after, c, quiet);
  JOPAY_RETURN_IF_ERROR(BillProration(engine, db, after, before,
                                      {s.schedule, s.current_period_start}, c, now, result));
  AwaitPlanChange(s, c, result->payment->id, ctx);
  result->awaiting_payment = true;
  return Status::Ok();
}

// The invoice of a change that did not apply: voided while unpaid; credited in full once
// paid, which gives the money back (credit_notes.h).
Status UndoChangeInvoice(const Engine& engine, Db& db, const Payment& p, UnixSeconds now) {
  std::optional<Invoice> inv = p.invoice_pk ? LoadInvoiceByPk(db, *p.invoice_pk) : std::nullopt;
  if (!inv) return Status::Ok();
  if (inv->status == "open") {
    return VoidInvoice(db, *inv,
                       fmt::format("The plan change's charge was declined ({}).",
                                   p.failure_code.value_or("declined")),
                       now);
  }
  if (inv->status != "paid" || inv->amount_credited >= inv->total) return Status::Ok();
  CreditRequest req{inv->id, inv->total - inv->amount_credited,
                    "The plan change was paid after its period had moved on; it did not apply."};
  auto instant = [&](const std::string& provider) {
    return engine.AnswersAtOnce(p.livemode, provider);
  };
  CreditResult out;
  return CreditInvoice(db, p.livemode, req, engine.invoice_issuer(), instant, now, &out);
}

}  // namespace

Status SettleAwaitedChange(const Engine& engine, Db& db, Subscription& s, const Payment& p,
                           UnixSeconds now) {
  if (!s.pending_update || s.pending_update->awaiting_payment != p.id) return Status::Ok();
  PendingUpdate u = std::move(*s.pending_update);
  s.pending_update.reset();
  s.terms_changed = true;
  DbContext ctx(db, engine, now);
  // Still in the period it was priced for, and not renewing it at the old price right now.
  bool may_apply = s.current_period_end == u.at && s.next_action != next_action::kCharge &&
                   (s.status == sub_status::kActive || s.status == sub_status::kCanceled);
  if (p.status == "paid" && may_apply) {
    ApplyPlanChange(s, AwaitedChange(u), ctx);
  } else {
    EmitEvent(s, ctx, "subscription.updated");  // called off: the pending update is gone
    JOPAY_RETURN_IF_ERROR(UndoChangeInvoice(engine, db, p, now));
  }
  s.updated_at = now;
  SaveSubscription(db, s);
  return Status::Ok();
}

Status ChangePlan(const Engine& engine, Db& db, bool livemode, const std::string& id,
                  const PlanChangeRequest& req, UnixSeconds now, Subscription* out,
                  PlanChangeResult* result) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  DbContext ctx(db, engine, now);
  if (req.cancel_pending) {
    JOPAY_RETURN_IF_ERROR(CancelPendingUpdate(*s, now, ctx));
  } else {
    auto plan = TargetPlan(db, livemode, req);
    if (!plan.ok()) return plan.status();
    if (s->provider == "solana") {  // an Eventop account pays a fixed amount each period
      return Status::Conflict("Plan changes of Eventop (Solana) subscriptions are not supported.",
                              "plan_change_unsupported");
    }
    auto change = PlanChangeFor(*s, TermsOfPlan(*plan), req.options, now);
    if (!change.ok()) return change.status();
    PlanTerms before = TermsOf(*s);
    std::pair<int64_t, UnixSeconds> paid{s->schedule, s->current_period_start};
    if (change->prorated && ChargedLater(engine, *s, *change)) {
      JOPAY_RETURN_IF_ERROR(
          BillAwaitedChange(engine, db, *s, before, *change, now, ctx, result));
    } else {
      ApplyPlanChange(*s, *change, ctx);
      if (change->prorated) {
        JOPAY_RETURN_IF_ERROR(
            BillProration(engine, db, *s, before, paid, *change, now, result));
      }
    }
    result->change = std::move(*change);
  }
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

void DropPendingUpdatesTo(const Engine& engine, Db& db, bool livemode, const std::string& plan_id,
                          UnixSeconds now) {
  auto& q = db.Cached(
      "SELECT id FROM subscriptions WHERE pending_update IS NOT NULL AND "
      "json_extract(pending_update, '$.plan_id') = ? AND livemode = ?");
  q.Args(plan_id, int64_t{livemode});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  DbContext ctx(db, engine, now);
  for (const std::string& sub_id : ids) {
    auto s = LoadSubscription(db, sub_id, livemode);
    if (!s.ok() || !CancelPendingUpdate(*s, now, ctx).ok()) continue;
    SaveSubscription(db, *s);
  }
}

namespace {

// `key`'s value, one of `a` or `b` when present.
Status GetChoice(const json::object& o, std::string_view key, std::string_view a,
                 std::string_view b, std::optional<std::string>& out) {
  JOPAY_RETURN_IF_ERROR(GetString(o, key, out, 20));
  if (out && *out != a && *out != b) {
    return Status::Invalid(fmt::format("{} must be {} or {}", key, a, b), std::string(key));
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<PlanChangeRequest>> PlanChangeRequestOf(const json::object& o,
                                                             std::string_view plan_key) {
  std::optional<std::string> plan, proration, at;
  std::optional<bool> cancel_pending;
  JOPAY_RETURN_IF_ERROR(GetString(o, plan_key, plan, 100));
  JOPAY_RETURN_IF_ERROR(GetChoice(o, "proration", "now", "none", proration));
  JOPAY_RETURN_IF_ERROR(GetChoice(o, "at", "now", "period_end", at));
  JOPAY_RETURN_IF_ERROR(GetBool(o, "cancel_pending", cancel_pending));
  bool cancel = cancel_pending.value_or(false);
  if (plan && cancel) {
    return Status::Invalid("give either a plan to move to or cancel_pending, not both",
                           "cancel_pending");
  }
  if (!plan && (proration || at)) {
    return Status::Invalid(fmt::format("{} applies to a plan change: give {} too",
                                       proration ? "proration" : "at", plan_key),
                           std::string(plan_key), "parameter_missing");
  }
  if (!plan && !cancel) return std::optional<PlanChangeRequest>();
  PlanChangeRequest req;
  req.plan_id = plan.value_or("");
  req.cancel_pending = cancel;
  req.options.prorate = proration.value_or("now") == "now";
  if (at) req.options.at = *at == "now" ? ChangeTiming::kNow : ChangeTiming::kPeriodEnd;
  return std::optional<PlanChangeRequest>(std::move(req));
}

json::value PlanChangeView(const PlanChangeResult& r) {
  if (!r.change) return nullptr;
  const PlanChange& c = *r.change;
  json::value proration = nullptr;
  if (c.prorated) {
    proration = json::object{{"credit", c.proration.credit},
                             {"charge", c.proration.charge},
                             {"net", c.proration.net()}};
  }
  return json::object{
      {"kind", ChangeKindName(c.kind)},
      {"applies", r.awaiting_payment ? "on_payment" : c.now ? "now" : "period_end"},
      {"at", FormatRfc3339(c.at)},
      {"proration", proration},
      {"invoice", r.invoice ? json::value(r.invoice->id) : json::value(nullptr)},
      {"payment", r.payment ? json::value(r.payment->id) : json::value(nullptr)},
      {"refund", r.refund ? json::value(r.refund->id) : json::value(nullptr)}};
}

}  // namespace jopay
