#include "daemon/billing/engine.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/log.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/db_context.h"
#include "daemon/billing/engine_plan_change.h"
#include "daemon/billing/event_batch.h"
#include "daemon/billing/event_data.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/events/outbox.h"

namespace jopay {

namespace {

// Charges without side effects and records nothing: the dry run's context.
class SimulatedContext : public BillingContext {
 public:
  explicit SimulatedContext(const Engine& engine) : engine_(engine) {}
  ChargeOutcome Charge(const Subscription& s, const ChargeRequest& r) override {
    if (!s.payment_method_id) {
      return ChargeOutcome::Failed("no_payment_method", "The subscription has no saved payment method.");
    }
    Provider* provider = engine_.ProviderFor(s.livemode, s.provider);
    if (!provider) return ChargeOutcome::Failed("provider_unavailable", "The provider is not configured.");
    if (!provider->simulated()) return ChargeOutcome::Paid();  // never charge for real in a dry run
    return provider->Charge(s.provider_ref, r.amount, r.currency, r.idempotency_key);
  }
  void Emit(const Subscription&, std::string_view, const EventExtras&) override {}

 private:
  const Engine& engine_;
};

}  // namespace

Engine::Engine(Policy policy, Providers providers)
    : policy_(std::move(policy)), providers_(std::move(providers)) {}

std::optional<bool> Engine::AnswersAtOnce(bool livemode, std::string_view name) const {
  Provider* p = ProviderFor(livemode, name);
  if (!p) return std::nullopt;
  return p->instant();
}

Provider* Engine::ProviderFor(bool livemode, std::string_view name) const {
  Provider* cards = livemode ? providers_.live_cards.get() : providers_.test_cards.get();
  if (cards && cards->name() == name) return cards;
  Provider* chain = livemode ? providers_.live_chain.get() : providers_.test_chain.get();
  if (chain && chain->name() == name) return chain;
  Provider* wallets = livemode ? providers_.live_wallets.get() : providers_.test_wallets.get();
  if (wallets && wallets->name() == name) return wallets;
  if (!livemode && providers_.sandbox && providers_.sandbox->name() == name) {
    return providers_.sandbox.get();  // earlier sandbox cards keep working
  }
  return nullptr;
}

Provider* Engine::CardProvider(bool livemode) const {
  if (livemode) return providers_.live_cards.get();
  return providers_.test_cards ? providers_.test_cards.get() : providers_.sandbox.get();
}

Result<SavedCard> Engine::AttachCardNumber(bool livemode, const std::string& number) const {
  Provider* provider = CardProvider(livemode);
  if (!provider) {
    return Status::Invalid("No live payment provider is configured.", "card",
                           "provider_unavailable");
  }
  return provider->Attach(number);  // a network provider refuses card numbers
}

Status Engine::Create(Db& db, bool livemode, const NewSubscription& req, UnixSeconds now,
                      Subscription* out, Status* payment_status) {
  std::optional<SavedCard> card;
  if (req.card) {
    auto saved = AttachCardNumber(livemode, *req.card);
    if (!saved.ok()) return saved.status();
    card = *saved;
  }
  return CreateWithCard(db, livemode, req, card, std::nullopt, now, out, payment_status);
}

Status Engine::CreateWithCard(Db& db, bool livemode, const NewSubscription& req,
                              const std::optional<SavedCard>& card,
                              const std::optional<std::string>& paid_ref, UnixSeconds now,
                              Subscription* out, Status* payment_status) {
  auto plan = LoadPlan(db, req.plan_id, livemode);
  if (!plan.ok()) return Status::NotFound(plan.status().message(), "plan");
  if (!plan->active) return Status::Invalid("The plan is archived.", "plan", "plan_archived");
  int trial = req.trial_days.value_or(plan->trial_days);
  if (!card && trial == 0) {
    return Status::Invalid("A card is required unless the subscription starts with a trial.",
                           "card", "parameter_missing");
  }
  Customer customer = FindOrCreateCustomer(db, livemode, req.email, req.name, now);
  Subscription s = NewSubscriptionOf(*plan, customer, livemode, now);
  if (card) AttachCard(db, s, *card, now);
  s.status = "incomplete";
  s.metadata = req.metadata;
  InsertSubscription(db, s);  // first, so its payments can reference it
  DbContext ctx(db, *this, now);
  ctx.prepaid = paid_ref;
  *payment_status = Start(s, now, trial, policy_, ctx, nullptr);
  SaveSubscription(db, s);
  *out = std::move(s);
  return Status::Ok();
}

Status Engine::CreatePending(Db& db, bool livemode, const NewSubscription& req,
                             UnixSeconds expires_at, UnixSeconds now, Subscription* out) {
  auto plan = LoadPlan(db, req.plan_id, livemode);
  if (!plan.ok()) return Status::NotFound(plan.status().message(), "plan");
  if (!plan->active) return Status::Invalid("The plan is archived.", "plan", "plan_archived");
  Customer customer = FindOrCreateCustomer(db, livemode, req.email, req.name, now);
  Subscription s = NewSubscriptionOf(*plan, customer, livemode, now);
  s.status = "incomplete";
  s.metadata = req.metadata;
  s.Schedule(next_action::kExpire, expires_at);
  InsertSubscription(db, s);
  *out = std::move(s);
  return Status::Ok();
}

Status Engine::StartPending(Db& db, bool livemode, const std::string& id, const std::string& card,
                            std::optional<int> trial_days, UnixSeconds now, Subscription* out,
                            Status* payment_status) {
  auto saved = AttachCardNumber(livemode, card);
  if (!saved.ok()) return saved.status();
  return StartPendingWithCard(db, livemode, id, *saved, std::nullopt, trial_days, now, out,
                              payment_status);
}

Status Engine::StartPendingWithCard(Db& db, bool livemode, const std::string& id,
                                    const SavedCard& card,
                                    const std::optional<std::string>& paid_ref,
                                    std::optional<int> trial_days, UnixSeconds now,
                                    Subscription* out, Status* payment_status) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  JOPAY_RETURN_IF_ERROR(RequireIncomplete(*s));
  auto plan = LoadPlan(db, s->plan_id, livemode);
  if (!plan.ok()) return plan.status();
  AttachCard(db, *s, card, now);
  s->ClearSchedule();
  DbContext ctx(db, *this, now);
  ctx.prepaid = paid_ref;
  *payment_status = Start(*s, now, trial_days.value_or(plan->trial_days), policy_, ctx, nullptr);
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::ApplyChargeAnswer(Db& db, const std::string& payment_id, bool livemode,
                                 const ChargeAnswer& answer, UnixSeconds now, Summary* summary) {
  auto p = LoadPayment(db, payment_id, livemode);
  if (!p.ok()) return p.status();
  if (!p->pending()) return Status::Ok();  // settled already: this answer came twice
  bool paid = answer.kind == ChargeAnswer::Kind::kPaid;
  p->status = paid ? "paid" : "failed";
  if (!answer.provider_ref.empty()) p->provider_ref = answer.provider_ref;
  if (paid) {
    p->paid_at = now;
  } else {
    p->failure_code = answer.failure_code;
    p->failure_message = answer.failure_message;
  }
  SettlePayment(db, *p);
  if (!p->subscription_id) return Status::Ok();
  auto s = LoadSubscription(db, *p->subscription_id, livemode);
  if (!s.ok()) return s.status();
  // A plan change's proration (attempts -1, -2, ...) moves no period: an upgrade may wait.
  if (p->attempt < 0) return SettleAwaitedChange(*this, db, *s, *p, now);
  if (!AwaitsCharge(*s, p->schedule, p->period_start.value_or(0))) {
    // Paused, canceled or moved on while the charge was out: the payment says what happened.
    // A decline of the period a paused subscription stands in leaves that period unpaid.
    if (!paid && s->status == sub_status::kPaused &&
        s->current_period_start == p->period_start.value_or(0)) {
      s->first_failed_at = now;
      SaveSubscription(db, *s);
    }
    return Status::Ok();
  }
  DbContext ctx(db, *this, now);
  ChargeOutcome out{paid, answer.failure_code, answer.failure_message, false, answer.provider_ref};
  jopay::ApplyChargeAnswer(*s, p->attempt, out, now, policy_, ctx, summary);
  SaveSubscription(db, *s);
  return Status::Ok();
}

Status Engine::Cancel(Db& db, bool livemode, const std::string& id, bool immediate,
                      std::optional<std::string> reason, UnixSeconds now, Subscription* out) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  DbContext ctx(db, *this, now);
  JOPAY_RETURN_IF_ERROR(jopay::Cancel(*s, immediate, std::move(reason), now, ctx));
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::Pause(Db& db, bool livemode, const std::string& id, UnixSeconds now,
                     Subscription* out) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  DbContext ctx(db, *this, now);
  JOPAY_RETURN_IF_ERROR(jopay::Pause(*s, now, ctx));
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::Resume(Db& db, bool livemode, const std::string& id, UnixSeconds now,
                      Subscription* out) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  DbContext ctx(db, *this, now);
  JOPAY_RETURN_IF_ERROR(jopay::Resume(*s, now, policy_, ctx, nullptr));
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::Update(Db& db, bool livemode, const std::string& id,
                      const std::optional<std::string>& card,
                      const std::optional<std::string>& metadata, UnixSeconds now,
                      Subscription* out) {
  std::optional<SavedCard> saved;
  if (card) {
    auto attached = AttachCardNumber(livemode, *card);
    if (!attached.ok()) return attached.status();
    saved = *attached;
  }
  return UpdateSubscription(db, livemode, id, saved, metadata, now, out);
}

Status Engine::UpdateWithCard(Db& db, bool livemode, const std::string& id, const SavedCard& card,
                              UnixSeconds now, Subscription* out) {
  return UpdateSubscription(db, livemode, id, card, std::nullopt, now, out);
}

Status Engine::UpdateSubscription(Db& db, bool livemode, const std::string& id,
                                  const std::optional<SavedCard>& card,
                                  const std::optional<std::string>& metadata, UnixSeconds now,
                                  Subscription* out) {
  auto s = LoadSubscription(db, id, livemode);
  if (!s.ok()) return s.status();
  if (s->Ended()) {
    return Status::Conflict("The subscription has expired and can no longer change.",
                            "subscription_expired");
  }
  if (card) AttachCard(db, *s, *card, now);
  if (metadata) s->metadata = *metadata;
  s->updated_at = now;
  DbContext ctx(db, *this, now);
  ++s->sequence;
  ctx.Emit(*s, "subscription.updated", {});
  if (card && s->status == sub_status::kPastDue && s->next_action != next_action::kCharge) {
    Summary ignored;
    s->Schedule(next_action::kRetry, now);  // the new card pays the open period now
    RunDueAction(*s, now, policy_, ctx, ignored);
  }
  SaveSubscription(db, *s);
  *out = std::move(*s);
  return Status::Ok();
}

Status Engine::ApplyLateSuccess(Db& db, const std::string& payment_id, bool livemode,
                                const std::string& provider_ref, UnixSeconds now) {
  auto p = LoadPayment(db, payment_id, livemode);
  if (!p.ok()) return p.status();
  if (p->status != "failed") return Status::Ok();
  p->status = "paid";
  p->paid_at = now;
  p->provider_ref = provider_ref;
  SettlePayment(db, *p);
  if (!p->subscription_id) return Status::Ok();
  auto s = LoadSubscription(db, *p->subscription_id, livemode);
  if (!s.ok()) return s.status();
  // Only the period the subscription is still dunning for moves on; an older one was settled
  // otherwise (and a payment that came too late shows in the payments list for the operator).
  if (s->status != sub_status::kPastDue || s->schedule != p->schedule ||
      s->current_period_start != p->period_start.value_or(0)) {
    LogWarn("payment {} succeeded late at the provider ({}); its period is settled already: "
            "refund it if it was not owed", p->id, provider_ref);
    return Status::Ok();
  }
  DbContext ctx(db, *this, now);
  ChargeOutcome paid{true, "", "", false, provider_ref};
  jopay::ApplyChargeAnswer(*s, p->attempt, paid, now, policy_, ctx, nullptr);
  SaveSubscription(db, *s);
  return Status::Ok();
}

Status Engine::ProviderMethodChanged(Db& db, bool livemode, const SavedCard& card, bool detached,
                                     UnixSeconds now) {
  std::vector<std::string> users = UpdatePaymentMethodsOf(db, livemode, card, detached, now);
  DbContext ctx(db, *this, now);
  for (const std::string& id : users) {
    auto s = LoadSubscription(db, id, livemode);
    if (!s.ok() || s->Ended()) continue;
    if (detached) {
      s->payment_method_id.reset();  // the next charge fails with no_payment_method
      s->provider.clear();
      s->provider_ref.clear();
    } else {
      s->card_brand = card.brand;
      s->card_last4 = card.last4;
    }
    s->updated_at = now;
    ++s->sequence;
    ctx.Emit(*s, "subscription.updated", {});
    SaveSubscription(db, *s);
  }
  return Status::Ok();
}

Status Engine::ArchivePlan(Db& db, bool livemode, const std::string& id, UnixSeconds now,
                           Plan* out, int64_t* canceled) {
  auto plan = LoadPlan(db, id, livemode);
  if (!plan.ok()) return plan.status();
  if (!plan->active) return Status::Conflict("The plan is already archived.", "plan_archived");
  plan->active = false;
  plan->updated_at = now;
  UpdatePlan(db, *plan);
  DropPendingUpdatesTo(*this, db, livemode, id, now);  // nobody moves to an archived plan
  DbContext ctx(db, *this, now);
  *canceled = 0;
  for (const auto& sub_id : LiveSubscriptionIdsOfPlan(db, id)) {
    auto s = LoadSubscription(db, sub_id, livemode);
    if (!s.ok() || s->status == sub_status::kCanceled) continue;
    JOPAY_RETURN_IF_ERROR(jopay::Cancel(*s, false, std::string("plan archived"), now, ctx));
    SaveSubscription(db, *s);
    ++*canceled;
  }
  *out = std::move(*plan);
  return Status::Ok();
}

namespace {

// Actions more than this overdue when they run were missed (jopayd was down, or a manual clock
// met rows imported in its past): they count as caught up. The scheduler itself wakes within a
// second or two of a due time, and a 10,000-row batch runs in well under a minute.
constexpr int64_t kLateAfterSeconds = 60;

// When a due action happens. With use_due_time (the manual clock moving through a window that
// starts at `now`) an action happens at its own due time, as if the daemon had been there; but
// one already overdue at `now` happens at `now`, like every action on the system clock, so
// that the retries and the expiry it schedules keep their spacing after it instead of all
// firing at their missed times in one run.
UnixSeconds ActionTime(const Subscription& s, bool use_due_time, UnixSeconds now,
                       Summary& summary) {
  UnixSeconds due = *s.next_action_at;
  if (now - due > kLateAfterSeconds) ++summary.work["caught_up"];
  return use_due_time ? std::max(due, now) : now;
}

}  // namespace

void Engine::Simulate(Subscription s, UnixSeconds until, bool use_due_time, UnixSeconds now,
                      Summary& summary) const {
  SimulatedContext ctx(*this);
  while (s.next_action_at && *s.next_action_at <= until) {
    UnixSeconds at = ActionTime(s, use_due_time, now, summary);
    RunDueAction(s, at, policy_, ctx, summary);
  }
}

Engine::DueRun Engine::RunDueRows(Db& db, std::vector<Subscription>& due, UnixSeconds until,
                                  bool use_due_time, UnixSeconds now, Summary& summary,
                                  const std::function<bool()>& yield) {
  // A clock read and a look at the writer's queue cost ~50 ns; every 32 rows (~0.3 ms of
  // renewals) they are lost in the noise and still let waiting requests in within a slice.
  constexpr int64_t kYieldCheckEvery = 32;
  EventBatch events;
  DbContext ctx(db, *this, now, &events);
  // With due times, an action this batch schedules inside the window (a retry tomorrow) must
  // fire before later rows of the batch: stop there and let the next batch start from it.
  std::optional<UnixSeconds> earliest_new;
  DueRun run;
  for (auto& s : due) {
    if (use_due_time && earliest_new && *s.next_action_at > *earliest_new) break;
    if (yield && run.processed > 0 && run.processed % kYieldCheckEvery == 0 && yield()) {
      run.yielded = true;
      break;
    }
    ctx.now = ActionTime(s, use_due_time, now, summary);
    RunDueAction(s, ctx.now, policy_, ctx, summary);
    SaveDueState(db, s);
    if (s.terms_changed) SaveSubscription(db, s);  // a scheduled plan change took over
    ++run.processed;
    if (s.next_action_at && *s.next_action_at <= until &&
        (!earliest_new || *s.next_action_at < *earliest_new)) {
      earliest_new = s.next_action_at;
    }
  }
  events.InsertAll(db);
  run.ran_left_window = !earliest_new;
  return run;
}

}  // namespace jopay
