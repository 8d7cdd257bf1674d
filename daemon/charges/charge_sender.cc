#include "daemon/charges/charge_sender.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/log.h"
#include "common/thread_name.h"
#include "daemon/billing/customers.h"

namespace jopay {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kIdleWait{1000};  // look again now and then, even with nothing due
// Answers per commit, and how long the first may wait for others: measured, applying answers
// one small commit at a time cost the writer ~100 us per charge at 1,500 charges/s.
constexpr size_t kAnswerBatch = 256;
constexpr milliseconds kAnswerDelay{20};

// What a pending payment asks its provider (the saved method's provider references).
ChargeIntent IntentOf(Db& db, const Payment& p) {
  ChargeIntent i;
  i.payment_id = p.id;
  i.idempotency_key = p.idempotency_key;
  i.livemode = p.livemode;
  i.amount = p.amount;
  i.currency = p.currency;
  i.subscription_id = p.subscription_id.value_or("");
  i.period_start = p.period_start.value_or(0);
  i.provider_ref = p.provider_ref.value_or("");
  if (p.payment_method_id) {
    if (auto card = LoadSavedCard(db, *p.payment_method_id)) {
      i.provider_method = card->provider_ref;
      i.provider_customer = card->provider_customer;
    }
  }
  i.description = p.subscription_id
                      ? fmt::format("{} from {}", *p.subscription_id,
                                    FormatRfc3339(p.period_start.value_or(0)))
                      : p.id;
  return i;
}

}  // namespace

ChargeSender::ChargeSender(Store& store, Engine& engine, Clock& clock, ChargeSenderOptions options)
    : store_(store), engine_(engine), clock_(clock), options_(options) {}

ChargeSender::~ChargeSender() { Stop(); }

void ChargeSender::AddAccount(bool livemode, const std::string& provider, double rate,
                              int max_in_flight) {
  // A bucket of burst b refilled at r lets b + r requests leave in a second; on the way they
  // bunch up (measured at the Stripe stand-in's end, limit 2,500: 2,566 arrived in the busiest
  // second with b + r at 100% of it, 2,517 at 95%). So b + r is kept to 90% of the limit,
  // with a burst of 1/50 s.
  double burst = std::max(1.0, rate / 50);
  double refill = std::max(0.5, rate * 0.9 - burst);
  accounts_.insert_or_assign({livemode, provider},
                             Account{TokenBucket(refill, burst), max_in_flight});
}

void ChargeSender::Start() {
  thread_ = std::thread([this] {
    NameThisThread("charges");
    Loop();
  });
}

void ChargeSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  // Answers still on their way would reach a sender that is gone: stop them. Their charges
  // stay pending in the store and are sent again, same key, after a restart.
  for (const auto& [key, account] : accounts_) {
    if (Provider* p = engine_.ProviderFor(key.first, key.second)) p->Shutdown();
  }
}

void ChargeSender::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

ChargeSender::Stats ChargeSender::stats() {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.in_flight = static_cast<int64_t>(in_flight_.size());
  return s;
}

bool ChargeSender::WaitSettled(milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (CountPendingPayments(store_.reader()) == 0) return true;
    std::unique_lock lock(mu_);
    if (stopping_) return false;
    if (cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + milliseconds(50))) ==
            std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline) {
      return CountPendingPayments(store_.reader()) == 0;
    }
  }
}

bool ChargeSender::AnswersReady() const {
  if (write_in_flight_ || answered_.empty()) return false;
  // Answers are applied in batches (a commit each): when enough have come, when the first has
  // waited long enough, or when nothing else is on the wire to wait for.
  return answered_.size() >= kAnswerBatch ||
         std::chrono::steady_clock::now() - first_answer_at_ >= kAnswerDelay ||
         in_flight_.size() == answered_.size();
}

void ChargeSender::Loop() {
  for (;;) {
    std::vector<Answered> answers;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      if (AnswersReady()) {
        answers.swap(answered_);
        write_in_flight_ = true;
      }
      woken_ = false;
    }
    if (!answers.empty()) StartWrite(std::move(answers));
    milliseconds wait = SendDueOrLog();
    std::unique_lock lock(mu_);
    if (!answered_.empty()) wait = std::min(wait, kAnswerDelay);
    cv_.wait_for(lock, wait, [this] { return stopping_ || woken_ || AnswersReady(); });
  }
}

bool ChargeSender::Reserve(Account& a, const std::string& id, milliseconds* wait) {
  std::lock_guard lock(mu_);  // answers update the account from the provider's thread
  if (a.in_flight >= a.max_in_flight) return false;  // an answer wakes the loop
  if (!a.bucket.TryTake()) {
    auto until = std::chrono::duration_cast<milliseconds>(a.bucket.WaitFor()) + milliseconds(1);
    *wait = std::min(*wait, until);
    return false;
  }
  in_flight_.insert(id);
  ++a.in_flight;
  ++stats_.sent;
  return true;
}

milliseconds ChargeSender::SendDueOrLog() {
  try {
    return SendDue();
  } catch (const std::exception& e) {  // a store error: logged, and tried again shortly
    LogError("charges: {}", e.what());
    return kIdleWait;
  }
}

void ChargeSender::LoadQueue(Db& db, UnixSeconds now) {
  std::set<std::string> busy;
  {
    std::lock_guard lock(mu_);
    busy = in_flight_;
  }
  int limit = options_.load_batch + static_cast<int>(busy.size());
  for (Payment& p : LoadSendablePayments(db, now, limit)) {
    if (!busy.contains(p.id)) queue_.push_back(std::move(p));
  }
  for (Refund& r : LoadSendableRefunds(db, now, limit)) {
    if (!busy.contains(r.id)) refund_queue_.push_back(std::move(r));
  }
}

milliseconds ChargeSender::SendDue() {
  Db& db = store_.reader();
  UnixSeconds now = SystemNow();
  // Sendable rows are read in batches and kept in memory until sent: a pass that only has
  // room for a few more (an answer came back) reads nothing. Rows in flight stay sendable in
  // the store until their answers commit, so they are skipped when the next batch is read.
  if (queue_.empty() && refund_queue_.empty()) LoadQueue(db, now);
  milliseconds wait = kIdleWait;
  auto lookup_after =
      std::chrono::duration_cast<std::chrono::seconds>(options_.lookup_after).count();
  while (!queue_.empty()) {
    const Payment& p = queue_.front();
    Provider* provider = engine_.ProviderFor(p.livemode, p.provider);
    auto account = accounts_.find({p.livemode, p.provider});
    if (account == accounts_.end() || !provider) {  // its provider is not configured
      queue_.pop_front();
      continue;
    }
    if (!Reserve(account->second, p.id, &wait)) break;  // full or out of tokens: wait
    bool lookup = p.first_sent_at && now - *p.first_sent_at > lookup_after;
    Send(account->second, *provider, p, lookup);
    queue_.pop_front();
  }
  while (!refund_queue_.empty()) {
    const Refund& r = refund_queue_.front();
    auto paid = LoadPayment(db, r.payment_id, r.livemode);
    Provider* provider = paid.ok() ? engine_.ProviderFor(r.livemode, paid->provider) : nullptr;
    auto account = paid.ok() ? accounts_.find({r.livemode, paid->provider}) : accounts_.end();
    if (account == accounts_.end() || !provider) {
      refund_queue_.pop_front();
      continue;
    }
    if (!Reserve(account->second, r.id, &wait)) break;
    SendRefund(account->second, *provider, r);
    refund_queue_.pop_front();
  }
  if (queue_.empty() && refund_queue_.empty()) {
    for (auto next : {EarliestSend(db), EarliestRefundSend(db)}) {
      if (next && *next > now) wait = std::min(wait, milliseconds((*next - now) * 1000));
    }
  }
  return wait;
}

void ChargeSender::Answer(Account& account, Answered answered) {
  std::lock_guard lock(mu_);
  --account.in_flight;
  if (answered.answer.kind == ChargeAnswer::Kind::kUnknown) {
    ++stats_.unknown;
    if (answered.answer.retry_after_ms > 0) {
      account.bucket.Pause(milliseconds(answered.answer.retry_after_ms));
    }
  }
  if (answered_.empty()) first_answer_at_ = std::chrono::steady_clock::now();
  answered_.push_back(std::move(answered));
  // A place on the wire is free, and maybe a batch is full: the loop has work either way.
  cv_.notify_all();
}

void ChargeSender::Send(Account& account, Provider& provider, const Payment& p, bool lookup) {
  ChargeIntent intent = IntentOf(store_.reader(), p);
  auto done = [this, &account, p, lookup](ChargeAnswer answer) {
    Answer(account, {p, std::nullopt, std::move(answer), lookup});
  };
  if (lookup) {
    provider.FindCharge(intent, std::move(done));
  } else {
    provider.SendCharge(intent, std::move(done));
  }
}

void ChargeSender::SendRefund(Account& account, Provider& provider, const Refund& r) {
  RefundIntent intent;
  intent.refund_id = r.id;
  intent.idempotency_key = r.idempotency_key;
  intent.livemode = r.livemode;
  intent.payment_id = r.payment_id;
  intent.amount = r.amount;
  intent.reason = r.reason.value_or("");
  intent.provider_ref = r.provider_ref.value_or("");
  if (auto p = LoadPayment(store_.reader(), r.payment_id, r.livemode); p.ok()) {
    intent.charge_ref = p->provider_ref.value_or("");
    intent.currency = p->currency;
  }
  provider.SendRefund(intent, [this, &account, r](ChargeAnswer answer) {
    Answer(account, {std::nullopt, r, std::move(answer), false});
  });
}

UnixSeconds ChargeSender::Backoff(int sends, const ChargeAnswer& a) const {
  int64_t ms = options_.first_backoff.count() << std::min(sends, 20);
  ms = std::min<int64_t>(ms, options_.max_backoff.count());
  ms = std::max<int64_t>(ms, a.retry_after_ms);
  return SystemNow() + std::max<int64_t>(1, ms / 1000);
}

Status ChargeSender::ApplyAnswers(Db& db, const std::vector<Answered>& answers) {
  for (const Answered& a : answers) {
    if (a.refund) {
      ApplyRefundAnswer(db, *a.refund, a.answer);
      continue;
    }
    const Payment& paid = *a.payment;
    // The answer takes effect when the charge was made, or now if that is later: under the
    // manual clock a move runs due work at its own times before the clock itself moves, and
    // the retries a decline schedules count from the charge, as with an instant provider.
    UnixSeconds now = std::max(paid.created_at, clock_.Now());
    switch (a.answer.kind) {
      case ChargeAnswer::Kind::kPaid:
      case ChargeAnswer::Kind::kDeclined:
        JOPAY_RETURN_IF_ERROR(
            engine_.ApplyChargeAnswer(db, paid.id, paid.livemode, a.answer, now, nullptr));
        break;
      case ChargeAnswer::Kind::kNotFound: {
        // Looked up after the key's 24 hours: never made. Sent now, its key fresh again.
        Payment p = paid;
        p.first_sent_at = SystemNow();
        RescheduleSend(db, p, SystemNow());
        break;
      }
      case ChargeAnswer::Kind::kUnknown: {
        Payment p = paid;
        ++p.sends;
        if (!a.answer.provider_ref.empty()) p.provider_ref = a.answer.provider_ref;
        RescheduleSend(db, p, Backoff(p.sends, a.answer));
        break;
      }
    }
  }
  return Status::Ok();
}

void ChargeSender::ApplyRefundAnswer(Db& db, const Refund& sent, const ChargeAnswer& answer) {
  Refund r = sent;
  if (answer.kind == ChargeAnswer::Kind::kUnknown) {
    ++r.sends;
    if (!answer.provider_ref.empty()) r.provider_ref = answer.provider_ref;
    db.Cached("UPDATE refunds SET provider_ref=? WHERE id=?").Args(r.provider_ref, r.id).Exec();
    RescheduleRefund(db, r, Backoff(r.sends, answer));
    return;
  }
  SettleRefund(db, r, answer.kind == ChargeAnswer::Kind::kPaid, answer.provider_ref,
               answer.failure_message, std::max(r.created_at, clock_.Now()));
}

void ChargeSender::StartWrite(std::vector<Answered> answers) {
  auto batch = std::make_shared<std::vector<Answered>>(std::move(answers));
  store_.writer().Submit(
      [this, batch](Db& db) { return ApplyAnswers(db, *batch); },
      [this, batch](Status st) {
        std::lock_guard lock(mu_);
        write_in_flight_ = false;
        if (!st.ok()) {
          // Kept in flight and tried again with the next write: never sent twice meanwhile.
          LogError("charges: recording {} answers failed: {}", batch->size(), st.message());
          answered_.insert(answered_.end(), batch->begin(), batch->end());
        } else {
          for (const Answered& a : *batch) {
            in_flight_.erase(a.id());
            if (a.answer.kind == ChargeAnswer::Kind::kUnknown) {
              LogWarn("charges: {} not settled ({}); sent again later with the same key",
                      a.id(), a.answer.detail);
            } else if (a.answer.kind != ChargeAnswer::Kind::kNotFound) {
              ++stats_.settled;
            }
          }
        }
        cv_.notify_all();
      });
}

}  // namespace jopay
