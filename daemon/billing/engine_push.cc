// The engine's push-rail entry points (engine.h): starting a subscription on Lightning or
// on-chain, and applying a paid push charge.
#include <fmt/core.h>

#include "daemon/billing/db_context.h"
#include "daemon/billing/engine.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/push_charges.h"
#include "daemon/billing/subscription_rows.h"

namespace jopay {

PushProvider* Engine::PushProviderFor(bool livemode, std::string_view name) const {
  PushProvider* server = livemode ? providers_.live_push.get() : providers_.test_push.get();
  if (server && server->name() == name) return server;
  PushProvider* sandbox = providers_.sandbox_push.get();
  if (!livemode && sandbox && sandbox->name() == name) return sandbox;  // earlier ones go on
  return nullptr;
}

PushProvider* Engine::PushRailProvider(bool livemode, std::string_view rail) const {
  if (rail != rail::kLightning && rail != rail::kOnchain) return nullptr;
  PushProvider* server = livemode ? providers_.live_push.get() : providers_.test_push.get();
  if (server) return server->Offers(rail) ? server : nullptr;
  return livemode ? nullptr : providers_.sandbox_push.get();
}

Status Engine::StartPushPending(Db& db, bool livemode, const std::string& id,
                                std::string_view rail, std::optional<int> trial_days,
                                int64_t expires_in, UnixSeconds now, Subscription* out,
                                std::string* payment_id) {
  PushProvider* provider = PushRailProvider(livemode, rail);
  if (!provider) {
    return Status::Invalid(
        fmt::format("No {} provider is configured for {} mode.", rail, livemode ? "live" : "test"),
        "payment_method", "payment_method_unavailable");
  }
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  JOPAY_RETURN_IF_ERROR(RequireIncomplete(*s));
  if (s->rail == rail) {  // asked twice (a second click): the same charge
    if (auto pending = PendingPushPaymentOf(db, s->id, rail)) {
      *payment_id = *pending;
      *out = std::move(*s);
      return Status::Ok();
    }
  }
  auto plan = LoadPlan(db, s->plan_id, livemode);
  if (!plan.ok()) return plan.status();
  AttachPushRail(db, *s, rail, provider->name(), now);
  DbContext ctx(db, *this, now);
  int trial = trial_days.value_or(plan->trial_days);
  if (trial > 0) {
    s->ClearSchedule();
    JOPAY_RETURN_IF_ERROR(Start(*s, now, trial, policy_, ctx, nullptr));
  } else {
    // Its period is dated when it is paid; the charge is for one period from now.
    ctx.push_expires_in = expires_in;
    PushDue due = ctx.RequestPush(*s, PushChargeRequestFor(*s, now, s->Boundary(1)));
    if (due.refused) {
      return Status::Invalid(due.failure.failure_message, "payment_method",
                             "payment_method_unavailable");
    }
    *payment_id = due.payment_id;
  }
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::ApplyPushPaid(Db& db, const std::string& payment_id, bool livemode,
                             int64_t received_sats, UnixSeconds now,
                             std::optional<PushApplied>* applied, Summary* summary) {
  auto p = LoadPayment(db, payment_id, livemode);
  if (!p.ok()) return p.status();
  auto push = LoadPushCharge(db, p->pk);
  if (!push) {
    return Status::Conflict(fmt::format("Payment {} is not a Lightning or on-chain charge.", p->id),
                            "payment_not_payable");
  }
  if (p->status == "paid" || p->status == "refunded") return Status::Ok();  // told twice
  if (!p->pending()) {
    return Status::Conflict(fmt::format("Payment {} is {}.", p->id, p->status),
                            "payment_not_payable");
  }
  p->status = "paid";
  p->paid_at = now;
  SettlePayment(db, *p);
  RecordReceived(db, p->pk, received_sats);
  auto s = p->subscription_id ? LoadSubscription(db, *p->subscription_id, livemode)
                              : Result<Subscription>(Status::NotFound(""));
  PushApplied result = PushApplied::kUnapplied;
  if (s.ok()) {
    DbContext ctx(db, *this, now);
    result = ApplyPushPayment(*s, p->schedule, p->period_start.value_or(0), now, policy_, ctx,
                              summary);
    if (result == PushApplied::kStarted) {
      // The first period is dated from the payment: the row says which period it paid.
      db.Cached("UPDATE payments SET period_start=?, period_end=? WHERE pk=?")
          .Args(s->current_period_start, s->current_period_end, p->pk)
          .Exec();
    }
    if (result != PushApplied::kUnapplied) SaveSubscription(db, *s);
  }
  if (result == PushApplied::kUnapplied) {
    MarkUnapplied(db, p->pk);
    EmitPaymentEvent(db, *p, "payment.unapplied", now);
  }
  *applied = result;
  return Status::Ok();
}

}  // namespace jopay
