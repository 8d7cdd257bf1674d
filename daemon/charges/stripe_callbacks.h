// Stripe's callbacks (POST /public/webhook/stripe): a hint until verified.
//
// The route checks Stripe-Signature (the mode's webhook secret, wall-clock tolerance) and
// records the callback once per Stripe event id (RecordCallback; a replay of the same id
// changes nothing). The worker then re-reads, from Stripe, the object the event names and acts
// on what it reads back, never on the callback's own copy:
//   checkout.session.completed              complete the JoPay session (or the portal's card
//                                           update), as the customer's return would
//   payment_intent.succeeded|payment_failed a charge whose answer was lost, or that the
//                                           customer authenticated later: settle it
//   charge.refunded                         money given back outside JoPay: payment.refunded
//   charge.dispute.created                  payment.disputed
//   payment_method.detached                 the subscriptions using it lose it
//   payment_method.automatically_updated    the new card details are kept
// Other types are recorded as ignored. A re-read that fails is tried again, backing off.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/billing/engine.h"
#include "daemon/clock/clock.h"
#include "daemon/providers/stripe/provider.h"
#include "daemon/store/store.h"

namespace jopay {

struct CallbackRecord {
  std::string provider;  // "stripe"
  std::string event_id;
  bool livemode = false;
  std::string type;
  std::string payload;   // the raw body, as received
  UnixSeconds received_at = 0;  // wall-clock
};

// Whether jopayd acts on Stripe events of `type`.
bool HandledStripeEvent(std::string_view type);

// Records a verified callback (writer job). False when its event id was recorded before
// (nothing is changed). Handled types wait for the worker; others are recorded as ignored.
bool RecordCallback(Db& db, const CallbackRecord& r);

// The worker: one thread, one callback at a time (callbacks are few).
class StripeCallbacks {
 public:
  StripeCallbacks(Store& store, Engine& engine, Clock& clock, stripe::Accounts accounts);
  ~StripeCallbacks();  // Stop()
  void Start();
  void Stop();
  void Wake();

 private:
  void Loop();
  // Handles one recorded callback; returns false when it must be tried again later.
  bool Handle(const CallbackRecord& r);

  Store& store_;
  Engine& engine_;
  Clock& clock_;
  stripe::Accounts accounts_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jopay
