// The BillingContext the engine runs the subscription rules with: charges through the
// subscription's provider (an instant one at once; a network one as a pending payment sent
// after the commit), asks push rails for a place to pay, and writes payments and events into
// the writer's open transaction. Engine-internal (engine.cc, engine_push.cc).
#pragma once

#include <optional>
#include <string>

#include "daemon/billing/engine.h"
#include "daemon/billing/event_batch.h"

namespace jopay {

class DbContext : public BillingContext {
 public:
  // With `batch`, events are rendered on its helper thread and inserted by the caller at the
  // end of the job (EventBatch::InsertAll); without, each is inserted as it is emitted.
  DbContext(Db& db, const Engine& engine, UnixSeconds now, EventBatch* batch = nullptr)
      : db_(db), engine_(engine), batch_(batch), now(now) {}

  // The next charge was already made by the customer on the provider's page (a hosted
  // checkout): it is recorded as paid with this reference instead of being asked for.
  std::optional<std::string> prepaid;
  // How long a push charge asked for from here stays payable (a first payment: the checkout's
  // TTL); by default until the subscription would expire for its period.
  std::optional<int64_t> push_expires_in;

  ChargeOutcome Charge(const Subscription& s, const ChargeRequest& r) override;
  void Emit(const Subscription& s, std::string_view type, const EventExtras& x) override;
  PushDue RequestPush(const Subscription& s, const ChargeRequest& r) override;
  bool PushPaid(const Subscription& s, UnixSeconds period_start) override;

 private:
  // Writes the payment row of a charge and its outcome (or replays the row already there).
  ChargeOutcome Record(const Subscription& s, const ChargeRequest& r, const ChargeOutcome& out);
  ChargeOutcome ChargeProvider(const Subscription& s, const ChargeRequest& r, Provider* provider);

  Db& db_;
  const Engine& engine_;
  EventBatch* batch_;

 public:
  UnixSeconds now;
};

}  // namespace jopay
