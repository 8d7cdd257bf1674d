#include "daemon/charges/push_sender.h"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "common/log.h"
#include "common/thread_name.h"
#include "daemon/billing/push_charges.h"
#include "daemon/checkout/session.h"

namespace jopay {

namespace {

// A push charge due to be asked, and what its provider answered.
struct DueCharge {
  PushChargeRow row;
  std::string payment_id;
  bool livemode = false;
  int64_t amount = 0;
  std::string currency;
  std::string description;
  PushAnswer answer;
};

std::vector<DueCharge> LoadDue(Db& db, UnixSeconds now, int limit) {
  auto& q = db.Cached(
      "SELECT c.payment_pk, p.id, p.livemode, p.amount, p.currency, coalesce(pl.name, p.id), "
      "p.period_start, p.period_end FROM push_charges c JOIN payments p ON p.pk = c.payment_pk "
      "LEFT JOIN subscriptions s ON s.id = p.subscription_id "
      "LEFT JOIN plans pl ON pl.id = s.plan_id "
      "WHERE c.next_check_at IS NOT NULL AND c.next_check_at <= ? "
      "ORDER BY c.next_check_at LIMIT ?");
  q.Args(now, int64_t{limit});
  std::vector<DueCharge> out;
  while (q.Step()) {
    DueCharge d;
    d.row.payment_pk = q.Int(0);
    d.payment_id = q.Text(1);
    d.livemode = q.Int(2) != 0;
    d.amount = q.Int(3);
    d.currency = q.Text(4);
    auto start = q.OptInt(6), end = q.OptInt(7);
    d.description = start && end ? fmt::format("{} ({} to {})", q.Text(5), FormatRfc3339(*start),
                                               FormatRfc3339(*end))
                                 : q.Text(5);
    out.push_back(std::move(d));
  }
  q.Reset();
  for (DueCharge& d : out) {
    if (auto row = LoadPushCharge(db, d.row.payment_pk)) d.row = std::move(*row);
  }
  return out;
}

void SetNextCheck(Db& db, int64_t pk, std::optional<UnixSeconds> at) {
  db.Cached("UPDATE push_charges SET next_check_at=? WHERE payment_pk=?").Args(at, pk).Exec();
}

void StoreCharge(Db& db, int64_t pk, const PushCharge& c) {
  auto text = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
  db.Cached("UPDATE push_charges SET provider_ref=coalesce(?, provider_ref), "
            "bolt11=coalesce(?, bolt11), address=coalesce(?, address), "
            "amount_sats=coalesce(?, amount_sats), rate=coalesce(?, rate), "
            "expires_at=coalesce(?, expires_at), received_sats=max(received_sats, ?) "
            "WHERE payment_pk=?")
      .Args(text(c.provider_ref), text(c.bolt11), text(c.address),
            c.amount_sats ? std::optional<int64_t>(c.amount_sats) : std::nullopt, text(c.rate),
            c.expires_at ? std::optional<int64_t>(c.expires_at) : std::nullopt,
            c.amount_received_sats, pk)
      .Exec();
}

}  // namespace

bool RequestPushReadBack(Db& db, const std::string& provider, const std::string& provider_ref,
                         bool* livemode) {
  auto pk = FindPushChargeByRef(db, provider, provider_ref);
  if (!pk) return false;
  auto& q = db.Cached("SELECT livemode, status FROM payments WHERE pk=?");
  q.Args(*pk);
  bool pending = false;
  if (q.Step()) {
    *livemode = q.Int(0) != 0;
    pending = q.Text(1) == "pending";
  }
  q.Reset();
  if (pending) SetNextCheck(db, *pk, 0);  // due at once
  return pending;
}

PushSender::PushSender(Store& store, Engine& engine, Clock& clock, PushSenderOptions options)
    : store_(store), engine_(engine), clock_(clock), options_(options) {}

PushSender::~PushSender() { Stop(); }

void PushSender::Start() {
  thread_ = std::thread([this] {
    NameThisThread("push-charges");
    Loop();
  });
}

void PushSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool PushSender::Stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void PushSender::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void PushSender::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    bool busy = false;
    try {
      busy = Pass();
    } catch (const std::exception& e) {  // a store error: logged, and tried again shortly
      LogError("push charges: {}", e.what());
    }
    std::unique_lock lock(mu_);
    if (!busy) cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || woken_; });
  }
}

bool PushSender::Pass() {
  auto due = LoadDue(store_.reader(), SystemNow(), options_.load_batch);
  if (due.empty()) return false;
  // Every provider is asked at once; the pass waits for all the answers (each request has its
  // own deadline, shorter than answer_timeout). The answers land in shared state: one that
  // comes after the pass gave up (or the sender stopped) finds nobody waiting, harmlessly.
  struct Answers {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<PushAnswer> got;
    size_t count = 0;
  };
  auto answers = std::make_shared<Answers>();
  answers->got.resize(due.size());
  UnixSeconds business_now = clock_.Now();
  for (size_t i = 0; i < due.size(); ++i) {
    DueCharge& d = due[i];
    auto done = [answers, i](PushAnswer a) {
      std::lock_guard lock(answers->mu);
      answers->got[i] = std::move(a);
      ++answers->count;
      answers->cv.notify_all();
    };
    PushProvider* provider = engine_.PushProviderFor(d.livemode, d.row.provider);
    if (!provider || provider->instant()) {
      done({PushAnswer::Kind::kRefused, {}, "its provider is not configured"});
    } else if (d.row.charge.provider_ref.empty()) {
      PushChargeRequest r;
      r.payment_id = d.payment_id;
      r.rail = d.row.rail;
      r.livemode = d.livemode;
      r.amount = d.amount;
      r.currency = d.currency;
      r.expires_in = std::max<int64_t>(60, d.row.charge.expires_at - business_now);
      r.description = d.description;
      r.callback_url = fmt::format("{}/public/webhook/{}", engine_.policy().public_url,
                                   provider->name());
      r.return_url = fmt::format("{}/pay/{}", engine_.policy().public_url, d.payment_id);
      r.created_at = business_now;
      provider->CreateCharge(r, done);
    } else {
      provider->ReadCharge(d.row.charge.provider_ref, d.livemode, done);
    }
  }
  auto deadline = std::chrono::steady_clock::now() + options_.answer_timeout;
  {
    std::unique_lock lock(answers->mu);
    while (answers->count < due.size()) {
      if (answers->cv.wait_for(lock, std::chrono::milliseconds(100)) ==
              std::cv_status::timeout &&
          (Stopping() || std::chrono::steady_clock::now() >= deadline)) {
        break;
      }
    }
    if (answers->count < due.size()) {
      // Applied as they stand: the ones that did not come are asked again next time.
      LogWarn("push charges: {} of {} answers did not come", due.size() - answers->count,
              due.size());
    }
    for (size_t i = 0; i < due.size(); ++i) due[i].answer = answers->got[i];
  }
  if (Stopping()) return false;
  Status st = store_.writer().Run([&](Db& db) {
    UnixSeconds wall = SystemNow();
    UnixSeconds now = clock_.Now();
    for (const DueCharge& d : due) {
      const PushAnswer& a = d.answer;
      if (a.kind == PushAnswer::Kind::kRefused) {
        LogWarn("push charge {} ({}): {}", d.payment_id, d.row.provider, a.detail);
        SetNextCheck(db, d.row.payment_pk, wall + options_.refused_interval.count());
        continue;
      }
      if (!a.charge.provider_ref.empty()) StoreCharge(db, d.row.payment_pk, a.charge);
      if (a.kind == PushAnswer::Kind::kUnknown) {
        LogInfo("push charge {} ({}): no answer yet: {}", d.payment_id, d.row.provider, a.detail);
        SetNextCheck(db, d.row.payment_pk, wall + options_.retry_interval.count());
        continue;
      }
      if (a.charge.paid) {
        std::optional<PushApplied> applied;
        JOPAY_RETURN_IF_ERROR(SettlePushPayment(db, engine_, d.payment_id, d.livemode,
                                                a.charge.amount_received_sats, now, &applied));
        SetNextCheck(db, d.row.payment_pk, std::nullopt);
        continue;
      }
      UnixSeconds expires = a.charge.expires_at ? a.charge.expires_at : d.row.charge.expires_at;
      bool forgotten = expires && now > expires + options_.forget_after.count();
      SetNextCheck(db, d.row.payment_pk,
                   forgotten ? std::nullopt
                             : std::optional<UnixSeconds>(wall + options_.poll_interval.count()));
    }
    return Status::Ok();
  });
  if (!st.ok()) LogError("push charges: recording answers failed: {}", st.message());
  return true;
}

}  // namespace jopay
