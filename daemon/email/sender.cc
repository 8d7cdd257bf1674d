#include "daemon/email/sender.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>

#include "common/log.h"
#include "common/metrics.h"
#include "common/thread_name.h"
#include "daemon/events/outbox.h"

namespace jopay::email {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxIdleMs = 60'000;

// An attempt's outcome for /metrics: sent, retry (tried again later) or failed (given up).
void CountOutcome(const std::string& kind, const std::string& status) {
  static auto& attempts = metrics::Global().Counters(
      "jopay_email_attempts_total",
      "Attempts to hand an email to the SMTP relay, by outcome: sent, retry (later), failed "
      "(given up).",
      {"outcome"});
  static auto& sent = metrics::Global().Counters(
      "jopay_emails_sent_total", "Customer emails the SMTP relay took, by kind.", {"kind"});
  static auto& failed = metrics::Global().Counters(
      "jopay_emails_failed_total",
      "Customer emails given up on (refused for good, or out of attempts), by kind.", {"kind"});
  attempts.With({status == "pending" ? "retry" : status}).Add();
  if (status == "sent") sent.With({kind}).Add();
  if (status == "failed") failed.With({kind}).Add();
}

void RegisterGauges(Store& store) {
  auto& r = metrics::Global();
  r.Gauge("jopay_emails_pending",
          "Customer emails waiting for the SMTP relay, by whether an attempt already failed.",
          {"state"}, [&store] {
            QueueCounts c = CountQueue(store.reader());
            return std::vector<metrics::Sample>{
                {{"first_attempt"}, static_cast<double>(c.pending - c.retrying)},
                {{"retrying"}, static_cast<double>(c.retrying)}};
          });
  r.Gauge("jopay_emails_failed", "Customer emails given up on, kept for `jopayctl emails resend`.",
          {}, [&store] {
            return std::vector<metrics::Sample>{
                {{}, static_cast<double>(CountQueue(store.reader()).failed)}};
          });
}

const char* TlsName(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kNone: return "none";
    case SmtpTls::kStartTls: return "starttls";
    case SmtpTls::kImplicit: return "tls";
  }
  return "";
}

}  // namespace

Sender::Sender(Store& store, Clock& clock, SenderOptions options, Composer composer)
    : store_(store), clock_(clock), options_(std::move(options)), composer_(std::move(composer)) {}

Sender::~Sender() { Stop(); }

void Sender::Start() {
  RegisterGauges(store_);
  thread_ = std::thread([this] {
    NameThisThread("email-sender");
    // A relay that hangs up under TLS makes OpenSSL's write(2) raise SIGPIPE: on this thread it
    // stays pending and the write fails with EPIPE instead (smtp_client.h).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    Loop();
  });
}

void Sender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (session_) session_->Abort();
    cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Sender::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

json::object Sender::StatusView(Db& db) const {
  const SmtpSettings& s = options_.smtp;
  QueueCounts c = CountQueue(db);
  json::array off_test, off_live;
  for (const auto& k : options_.off.test) off_test.push_back(json::value(k));
  for (const auto& k : options_.off.live) off_live.push_back(json::value(k));
  return {{"relay", fmt::format("{}:{}", s.host, s.port)},
          {"tls", TlsName(s.tls)},
          {"auth", !s.user.empty()},
          {"from", composer_.config().from.address},
          {"pending", c.pending},
          {"retrying", c.retrying},
          {"failed", c.failed},
          {"disabled", json::object{{"test", std::move(off_test)}, {"live", std::move(off_live)}}}};
}

// Never fanned out yet: emails are owed for events from now on, not for the history before
// email was configured.
void Sender::StartCursor() {
  Db& db = store_.reader();
  cursor_ = LoadCursor(db);
  if (cursor_ >= 0) return;
  int64_t newest = NewestEventPk(db);
  Status st = store_.writer().Run([newest](Db& w) {
    StoreCursor(w, newest);
    return Status::Ok();
  });
  if (!st.ok()) throw std::runtime_error("cannot store the email cursor: " + st.message());
  cursor_ = newest;
}

void Sender::FanOutNew(bool* more) {
  int64_t newest = NewestEventPk(store_.reader());
  if (newest <= cursor_) return;
  int64_t cursor = cursor_, created = 0;
  Status st = store_.writer().Run([&, batch = options_.fanout_batch](Db& db) {
    cursor = FanOut(db, cursor_, batch, options_.off, SystemNow(), &created);
    return Status::Ok();
  });
  if (!st.ok()) {
    LogError("email: queueing emails failed: {}", st.message());
    return;
  }
  cursor_ = cursor;
  if (created > 0) LogDebug("email: {} queued", created);
  if (cursor_ < newest) *more = true;
}

void Sender::Record(const EmailRow& row, const Status& outcome) {
  UnixSeconds wall = SystemNow();
  auto status = std::make_shared<std::string>();
  std::string error = outcome.message();
  bool permanent = !outcome.ok() && (IsPermanent(outcome) || outcome.code() == "email_invalid");
  {
    std::lock_guard lock(mu_);
    ++records_in_flight_;
  }
  store_.writer().Submit(
      [pk = row.pk, ok = outcome.ok(), error, permanent, status, wall,
       retry = options_.retry](Db& db) {
        if (ok) {
          RecordSent(db, pk, wall);
          *status = "sent";
        } else {
          *status = RecordFailure(db, pk, error, permanent, retry, wall);
        }
        return Status::Ok();
      },
      [this, status, kind = row.kind, id = row.id](Status st) {
        if (!st.ok()) {
          // It stays pending: after the relay took it, this is the one way it goes out twice.
          LogError("email: recording the outcome of {} failed: {}", id, st.message());
        } else if (!status->empty()) {
          CountOutcome(kind, *status);
        }
        std::lock_guard lock(mu_);
        --records_in_flight_;
        cv_.notify_all();
      });
  if (outcome.ok()) {
    LogInfo("email: {} ({}) sent to {}", row.id, row.kind, row.to);
  } else {
    LogWarn("email: {} ({}) to {} not sent{}: {}", row.id, row.kind, row.to,
            permanent ? " and given up" : ", will retry", error);
  }
}

void Sender::WaitForRecords() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return records_in_flight_ == 0; });
}

void Sender::SendDue(bool* more) {
  std::vector<EmailRow> due = LoadDue(store_.reader(), SystemNow(), options_.batch);
  std::unique_ptr<SmtpSession> session;
  Status down;  // the relay could not be reached: the rest of the batch waits too
  for (const EmailRow& row : due) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (!down.ok()) {
      Record(row, down);
      continue;
    }
    auto message = composer_.Compose(store_.reader(), row, clock_.Now());
    Result<std::string> bytes = message.ok() ? BuildMime(*message) : Result<std::string>(message.status());
    if (!bytes.ok()) {
      Record(row, bytes.status());
      continue;
    }
    if (!session) {
      auto opened = SmtpSession::Open(options_.smtp);
      if (!opened.ok()) {
        down = opened.status();
        Record(row, down);
        continue;
      }
      session = std::move(*opened);
      std::lock_guard lock(mu_);
      session_ = session.get();
      if (stopping_) session_->Abort();
    }
    Status sent = session->Send(composer_.config().from.address, row.to, *bytes);
    Record(row, sent);
    // The relay has it: its "sent" commits before the next message goes out, so a crash while
    // the next one is on the wire cannot send this one again (was: a kill -9 during the next
    // DATA, with this record still queued behind an fsync, resent it after the restart).
    if (sent.ok()) WaitForRecords();
    if (!sent.ok() && !IsPermanent(sent)) down = sent;  // the session is no longer to be trusted
  }
  if (session) {
    if (down.ok()) session->Quit();
    std::lock_guard lock(mu_);
    session_ = nullptr;
  }
  WaitForRecords();
  if (static_cast<int>(due.size()) == options_.batch && down.ok()) *more = true;
}

std::chrono::milliseconds Sender::IdleWait() {
  auto at = EarliestDue(store_.reader());
  int64_t ms = kMaxIdleMs;
  if (at) ms = std::clamp<int64_t>((*at - SystemNow()) * 1000, 50, kMaxIdleMs);
  return std::chrono::milliseconds(ms);
}

void Sender::Loop() {
  try {
    StartCursor();
  } catch (const std::exception& e) {
    LogError("email: {}; no customer email is sent until jopayd restarts", e.what());
    return;
  }
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      woken_ = false;
    }
    bool more = false;
    try {
      FanOutNew(&more);
      SendDue(&more);
    } catch (const std::exception& e) {
      LogError("email: {}", e.what());
      more = false;
    }
    if (more) continue;
    auto wait = IdleWait();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
  WaitForRecords();
}

}  // namespace jopay::email
