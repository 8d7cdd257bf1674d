// The push sender: asks the Lightning / Bitcoin server (BTCPay, SatsPay) for the invoice or
// address of each pending push charge, and reads charges back until they are paid or have
// expired (push_provider.h). Never inside the writer: one thread loads the charges due to be
// asked (push_charges.next_check_at <= wall-clock now), asks their providers, waits for the
// answers and applies them in one writer job:
//  - a new charge's invoice / address / sats / rate are stored; it is read back every
//    `poll_interval` from then on (a callback is only a hint: it asks for an earlier read);
//  - a charge read back paid settles its payment (checkout/session.h SettlePushPayment);
//  - no definite answer: asked again after `retry_interval`; refused: after `refused_interval`
//    (a misconfigured server is logged, and fixed by the operator);
//  - a charge expired for more than `forget_after` is no longer read.
// The sandbox (instant) never comes here. After a crash every row still due is asked again.
// A create that got no answer is asked again: servers take no idempotency key, so the first
// charge may exist unseen; it was never shown to anyone and expires unpaid.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/billing/engine.h"
#include "daemon/clock/clock.h"
#include "daemon/store/store.h"

namespace jopay {

struct PushSenderOptions {
  std::chrono::seconds poll_interval{60};
  std::chrono::seconds retry_interval{5};
  std::chrono::seconds refused_interval{600};
  std::chrono::seconds forget_after{86400};
  std::chrono::seconds answer_timeout{60};
  int load_batch = 200;
};

class PushSender {
 public:
  PushSender(Store& store, Engine& engine, Clock& clock, PushSenderOptions options = {});
  ~PushSender();  // Stop()
  PushSender(const PushSender&) = delete;
  PushSender& operator=(const PushSender&) = delete;

  void Start();
  void Stop();
  // Charges may be due now (a new one committed; a callback asked for a read-back).
  void Wake();

 private:
  void Loop();
  // One pass over the charges due; false when there were none.
  bool Pass();
  bool Stopping();

  Store& store_;
  Engine& engine_;
  Clock& clock_;
  PushSenderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// Asks for a read-back of the push charge `provider` knows as `provider_ref` now (a callback
// named it). Runs in a writer job; false when no such charge is pending.
bool RequestPushReadBack(Db& db, const std::string& provider, const std::string& provider_ref,
                         bool* livemode);

}  // namespace jopay
