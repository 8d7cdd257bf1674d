// The email sender: one thread that turns the outbox's events into emails (queue.h FanOut) and
// hands the due ones to the SMTP relay (smtp_client.h). It runs only when smtp-host is set.
//
// Its loop: (1) when events were written past its cursor, one writer job writes the emails
// they call for with the new cursor; (2) the due emails (next_attempt_at <= wall-clock now)
// are composed (composer.h) and sent, up to `batch` in one SMTP session; each outcome is
// recorded by a writer job of its own, submitted the moment the relay has answered, and the
// next batch is read only once every record of this one has committed, so a batch never sees
// an email as still pending that the relay already has. (3) It sleeps until the earliest
// retry, a commit (Wake), or a minute.
//
// Exactly once: an email is marked sent only after the relay's 250 to its final dot, and the
// relay then has it; an email is never sent while an earlier send of it is unrecorded. The one
// window is a crash (or the store failing) between that 250 and the commit of its record: the
// email is still pending after the restart and is sent again. Under the same Message-ID,
// which mail clients use to fold such a duplicate away.
//
// Retries run on wall-clock time (the relay's outage is real time, also under the manual
// clock); a relay that is down, a timeout or a 4xx puts every email of the batch back with the
// next delay of the retry schedule; a 5xx to the recipient or the message fails that one email
// for good. The SMTP conversation never happens inside a writer transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "daemon/clock/clock.h"
#include "daemon/email/composer.h"
#include "daemon/email/queue.h"
#include "daemon/email/smtp_client.h"
#include "daemon/store/store.h"

namespace jopay::email {

struct SenderOptions {
  SmtpSettings smtp;
  KindsOff off;
  RetrySchedule retry;
  int batch = 50;           // emails per SMTP session
  int fanout_batch = 2000;  // events per fan-out job
};

class Sender {
 public:
  Sender(Store& store, Clock& clock, SenderOptions options, Composer composer);
  ~Sender();  // Stop()
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // The base of portal and unsubscribe links and the key that signs them (public/tokens.h):
  // the URL is known once the public port is bound. Before Start().
  void SetLinks(std::string public_url, std::string signing_key) {
    composer_.SetLinks(std::move(public_url), std::move(signing_key));
  }
  // Registers the metrics and starts the thread.
  void Start();
  // Ends the loop: an SMTP session in progress is cut off (its email stays pending), and the
  // records already submitted are waited for. Idempotent.
  void Stop();
  // Something may be due: events committed, an email resent.
  void Wake();

  // For `jopayctl status`: where mail goes (never the password) and the queue.
  boost::json::object StatusView(Db& db) const;
  const std::string& from_address() const { return composer_.config().from.address; }
  const KindsOff& kinds_off() const { return options_.off; }

 private:
  void Loop();
  void StartCursor();
  // One fan-out job if events are waiting; sets *more when a full batch was fanned out.
  void FanOutNew(bool* more);
  // Sends the due emails; sets *more when the batch was full.
  void SendDue(bool* more);
  // Submits the record of an attempt's outcome.
  void Record(const EmailRow& row, const Status& outcome);
  void WaitForRecords();
  std::chrono::milliseconds IdleWait();

  Store& store_;
  Clock& clock_;
  SenderOptions options_;
  Composer composer_;
  int64_t cursor_ = 0;  // sender thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  int records_in_flight_ = 0;
  SmtpSession* session_ = nullptr;  // the one in use, for Stop() to cut off
  std::thread thread_;
};

}  // namespace jopay::email
