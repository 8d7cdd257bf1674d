// The charge sender: sends pending network charges (and refunds) outside the writer and
// applies their answers (provider.h says why charges take this path).
//
// One thread loops:
//  1. The answers that came back are applied in one writer job: a definite one settles the
//     payment and moves its subscription on (Engine::ApplyChargeAnswer); one that is not
//     definite schedules the payment again, same key, backing off (1 s doubling to 5 min, or
//     what a 429 asked for).
//  2. Pending payments due to be sent (next_send_at <= wall-clock now) are sent through their
//     provider: at most `max_in_flight` at once per account (mode + provider), and no faster
//     than the account's token bucket. A payment whose key may have reached the provider more
//     than 23 hours ago is first looked up by the key (FindCharge), since Stripe replays a
//     key's answer for 24 hours only: found, its outcome is applied; not found, it is sent.
// A payment stays in flight (never sent twice at once) until its answer has committed. The
// store holds everything: after a crash every pending payment is sent again with its key.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/billing/engine.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/refunds.h"
#include "daemon/charges/token_bucket.h"
#include "daemon/clock/clock.h"
#include "daemon/store/store.h"

namespace jopay {

struct ChargeSenderOptions {
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  std::chrono::hours lookup_after{23};  // below Stripe's 24 h key replay
  int load_batch = 500;                 // pending payments read per pass, besides those in flight
};

class ChargeSender {
 public:
  ChargeSender(Store& store, Engine& engine, Clock& clock, ChargeSenderOptions options = {});
  ~ChargeSender();  // Stop()
  ChargeSender(const ChargeSender&) = delete;
  ChargeSender& operator=(const ChargeSender&) = delete;

  // The limits of one provider account; charges of an account without limits are not sent.
  // Before Start().
  void AddAccount(bool livemode, const std::string& provider, double rate, int max_in_flight);
  void Start();
  // Ends the loop; charges in flight stay pending in the store and are sent again after a
  // restart.
  void Stop();
  // New pending charges may have been committed.
  void Wake();
  // Waits until no charge is pending, or `timeout` passed (false). For `clock advance`, which
  // lets a network provider answer before the clock moves on.
  bool WaitSettled(std::chrono::milliseconds timeout);

  struct Stats {
    int64_t in_flight = 0;
    int64_t sent = 0;       // requests made (sends and lookups)
    int64_t settled = 0;    // definite answers applied
    int64_t unknown = 0;    // answers that were not definite
  };
  Stats stats();

 private:
  struct Account {
    TokenBucket bucket;
    int max_in_flight;
    int in_flight = 0;
  };
  // A charge's or a refund's answer (one of the two is set).
  struct Answered {
    std::optional<Payment> payment;
    std::optional<Refund> refund;
    ChargeAnswer answer;
    bool lookup = false;
    const std::string& id() const { return payment ? payment->id : refund->id; }
  };

  void Loop();
  // Sends what is due and allowed; returns how long to wait at most before the next pass.
  std::chrono::milliseconds SendDue();
  std::chrono::milliseconds SendDueOrLog();
  // Reads the next batch of sendable charges and refunds (not in flight) into the queues.
  void LoadQueue(Db& db, UnixSeconds now);
  // Takes a place in flight on `account` for `id` (and a token), when there is one.
  bool Reserve(Account& account, const std::string& id, std::chrono::milliseconds* wait);
  // Sends (or looks up) `p`, already counted in flight on `account`.
  void Send(Account& account, Provider& provider, const Payment& p, bool lookup);
  void SendRefund(Account& account, Provider& provider, const Refund& r);
  void Answer(Account& account, Answered answered);
  // Whether the answers that came back should be applied now (mu_ held).
  bool AnswersReady() const;
  void StartWrite(std::vector<Answered> answers);
  Status ApplyAnswers(Db& db, const std::vector<Answered>& answers);
  void ApplyRefundAnswer(Db& db, const Refund& sent, const ChargeAnswer& answer);
  UnixSeconds Backoff(int sends, const ChargeAnswer& a) const;

  Store& store_;
  Engine& engine_;
  Clock& clock_;
  ChargeSenderOptions options_;
  // Added before Start(); their counters and buckets change under mu_ (answers come back on
  // the providers' threads).
  std::map<std::pair<bool, std::string>, Account> accounts_;
  std::deque<Payment> queue_;        // loop thread only: read, not sent yet
  std::deque<Refund> refund_queue_;  // likewise

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Answered> answered_;
  std::set<std::string> in_flight_;  // payment ids sent or being applied
  std::chrono::steady_clock::time_point first_answer_at_;  // of those in answered_
  bool write_in_flight_ = false;
  bool woken_ = false;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace jopay
