#include "daemon/charges/stripe_callbacks.h"

#include <fmt/core.h>

#include <future>

#include "common/log.h"
#include "common/thread_name.h"
#include "daemon/billing/payments.h"
#include "daemon/checkout/session.h"
#include "daemon/providers/stripe/checkout.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kReplyWait{40};  // beyond the client's own 30 s deadline
constexpr int64_t kMaxBackoff = 3600;

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// Waits for an asynchronous Stripe call on this (the worker's) thread.
template <class T, class Call>
std::optional<T> Await(Call call) {
  auto answered = std::make_shared<std::promise<T>>();
  auto future = answered->get_future();
  call([answered](T t) { answered->set_value(std::move(t)); });
  if (future.wait_for(kReplyWait) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// A re-read that did not come back definite: the callback is tried again later.
bool Transient(const stripe::Reply& r) {
  return r.status == 0 || r.status == 429 || r.status >= 500;
}

void Mark(Db& db, const CallbackRecord& r, const std::string& status, const std::string& note) {
  db.Cached("UPDATE provider_callbacks SET status=?, note=?, next_try_at=NULL, tries=tries+1 "
            "WHERE provider=? AND event_id=?")
      .Args(status, note, r.provider, r.event_id)
      .Exec();
}

std::vector<CallbackRecord> LoadTodo(Db& db, UnixSeconds now) {
  auto& q = db.Cached("SELECT provider, event_id, livemode, type, payload, received_at FROM "
                      "provider_callbacks WHERE next_try_at IS NOT NULL AND next_try_at <= ? "
                      "ORDER BY next_try_at LIMIT 50");
  q.Args(now);
  std::vector<CallbackRecord> out;
  while (q.Step()) {
    out.push_back({q.Text(0), q.Text(1), q.Int(2) != 0, q.Text(3), q.Text(4), q.Int(5)});
  }
  q.Reset();
  return out;
}

std::optional<Payment> PaymentOfIntent(Db& db, const json::object& pi, bool livemode) {
  if (auto p = FindPaymentByProviderRef(db, "stripe", Text(pi, "id"))) return p;
  if (const json::object* m = Obj(pi, "metadata")) {
    if (auto p = LoadPayment(db, Text(*m, "jopay_payment"), livemode); p.ok()) return *p;
  }
  return std::nullopt;
}

}  // namespace

bool HandledStripeEvent(std::string_view type) {
  for (std::string_view t : {"checkout.session.completed", "payment_intent.succeeded",
                             "payment_intent.payment_failed", "charge.refunded",
                             "charge.dispute.created", "payment_method.detached",
                             "payment_method.automatically_updated"}) {
    if (t == type) return true;
  }
  return false;
}

bool RecordCallback(Db& db, const CallbackRecord& r) {
  bool handled = HandledStripeEvent(r.type);
  db.Cached("INSERT INTO provider_callbacks (provider, event_id, livemode, type, payload, "
            "received_at, status, note, next_try_at) VALUES (?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING")
      .Args(r.provider, r.event_id, int64_t{r.livemode}, r.type, r.payload, r.received_at,
            handled ? "received" : "ignored",
            handled ? std::optional<std::string>() : std::optional<std::string>("not used"),
            handled ? std::optional<int64_t>(r.received_at) : std::nullopt)
      .Exec();
  return sqlite3_changes(db.raw()) > 0;
}

StripeCallbacks::StripeCallbacks(Store& store, Engine& engine, Clock& clock,
                                 stripe::Accounts accounts)
    : store_(store), engine_(engine), clock_(clock), accounts_(accounts) {}

StripeCallbacks::~StripeCallbacks() { Stop(); }

void StripeCallbacks::Start() {
  thread_ = std::thread([this] {
    NameThisThread("stripe-events");
    Loop();
  });
}

void StripeCallbacks::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void StripeCallbacks::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void StripeCallbacks::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    try {
      for (const CallbackRecord& r : LoadTodo(store_.reader(), SystemNow())) {
        if (Handle(r)) continue;
        // Not definite: again later, backing off from a few seconds to an hour.
        int64_t tries = 0;
        auto& q = store_.reader().Cached(
            "SELECT tries FROM provider_callbacks WHERE provider=? AND event_id=?");
        q.Args(r.provider, r.event_id);
        if (q.Step()) tries = q.Int(0);
        q.Reset();
        int64_t wait = std::min<int64_t>(kMaxBackoff, int64_t{5} << std::min<int64_t>(tries, 10));
        Status st = store_.writer().Run([&](Db& db) {
          db.Cached("UPDATE provider_callbacks SET next_try_at=?, tries=tries+1 WHERE "
                    "provider=? AND event_id=?")
              .Args(SystemNow() + wait, r.provider, r.event_id)
              .Exec();
          return Status::Ok();
        });
        if (!st.ok()) LogError("stripe events: {}", st.message());
      }
    } catch (const std::exception& e) {
      LogError("stripe events: {}", e.what());
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_ || woken_; });
  }
}

bool StripeCallbacks::Handle(const CallbackRecord& r) {
  stripe::StripeProvider* account = accounts_.For(r.livemode);
  boost::system::error_code ec;
  json::value payload = json::parse(r.payload, ec);
  const json::object* data = !ec && payload.is_object() ? Obj(payload.as_object(), "data") : nullptr;
  const json::object* object = data ? Obj(*data, "object") : nullptr;
  auto finish = [&](const std::string& status, const std::string& note,
                    std::function<Status(Db&)> apply = nullptr) {
    Status st = store_.writer().Run([&](Db& db) {
      if (apply) JOPAY_RETURN_IF_ERROR(apply(db));
      Mark(db, r, status, note);
      return Status::Ok();
    });
    if (!st.ok()) {
      LogWarn("stripe event {} ({}): {}", r.event_id, r.type, st.message());
      Status marked = store_.writer().Run([&](Db& db) {
        Mark(db, r, "ignored", st.message());
        return Status::Ok();
      });
      (void)marked;
    }
    return true;
  };
  if (!account || !object) return finish("ignored", "no Stripe account for its mode, or no object");
  stripe::Api& api = account->api();
  UnixSeconds now = clock_.Now();
  std::string id = Text(*object, "id");

  if (r.type == "checkout.session.completed") {
    auto read = Await<Result<ProviderCheckout>>([&](auto done) { stripe::ReadCheckout(api, id, done); });
    if (!read) return false;
    if (!read->ok()) {
      if (read->status().kind() == Status::Kind::kUnavailable) return false;
      return finish("ignored", read->status().message());
    }
    ProviderCheckout paid = **read;
    if (paid.jopay_object.starts_with("cs_")) {
      return finish("applied", "session " + paid.jopay_object, [&](Db& db) {
        Session s;
        bool already = false;
        return CompleteWithProvider(db, engine_, r.livemode, paid.jopay_object, paid, now, &s,
                                    &already);
      });
    }
    if (paid.jopay_object.starts_with("sub_")) {
      return finish("applied", "card of " + paid.jopay_object, [&](Db& db) {
        Subscription s;
        return engine_.UpdateWithCard(db, r.livemode, paid.jopay_object, paid.card, now, &s);
      });
    }
    return finish("ignored", "not a JoPay checkout");
  }

  if (r.type.starts_with("payment_intent.")) {
    auto reply = Await<stripe::Reply>([&](auto done) {
      api.Get("/v1/payment_intents/" + stripe::PercentEncode(id), done);
    });
    if (!reply || Transient(*reply)) return false;
    if (reply->status != 200 || !reply->body.is_object()) return finish("ignored", "not found");
    const json::object& pi = reply->body.as_object();
    ChargeAnswer answer = stripe::ChargeAnswerOf(*reply);
    std::optional<Payment> p = PaymentOfIntent(store_.reader(), pi, r.livemode);
    if (!p) return finish("ignored", "no JoPay payment (a checkout's, or another system's)");
    if (answer.kind == ChargeAnswer::Kind::kUnknown) return finish("ignored", "still processing");
    return finish("applied", "payment " + p->id, [&](Db& db) {
      if (p->pending()) {
        return engine_.ApplyChargeAnswer(db, p->id, r.livemode, answer, now, nullptr);
      }
      if (answer.kind == ChargeAnswer::Kind::kPaid) {
        return engine_.ApplyLateSuccess(db, p->id, r.livemode, answer.provider_ref, now);
      }
      return Status::Ok();  // a decline of a payment already settled changes nothing
    });
  }

  if (r.type == "charge.refunded" || r.type == "charge.dispute.created") {
    std::string charge_id = r.type == "charge.refunded" ? id : Text(*object, "charge");
    auto reply = Await<stripe::Reply>([&](auto done) {
      api.Get("/v1/charges/" + stripe::PercentEncode(charge_id), done);
    });
    if (!reply || Transient(*reply)) return false;
    if (reply->status != 200 || !reply->body.is_object()) return finish("ignored", "not found");
    const json::object& charge = reply->body.as_object();
    auto p = FindPaymentByProviderRef(store_.reader(), "stripe", Text(charge, "payment_intent"));
    if (!p) return finish("ignored", "no JoPay payment");
    if (r.type == "charge.refunded") {
      const json::value* refunded = charge.if_contains("amount_refunded");
      int64_t total = refunded && refunded->is_int64() ? refunded->get_int64() : 0;
      return finish("applied", "payment " + p->id, [&](Db& db) {
        RecordRefunded(db, *p, total, now);
        return Status::Ok();
      });
    }
    const json::value* disputed = charge.if_contains("disputed");
    if (!disputed || !disputed->is_bool() || !disputed->get_bool()) {
      return finish("ignored", "the charge is not disputed");
    }
    return finish("applied", "payment " + p->id, [&](Db& db) {
      RecordDisputed(db, *p, now);
      return Status::Ok();
    });
  }

  if (r.type.starts_with("payment_method.")) {
    auto reply = Await<stripe::Reply>([&](auto done) {
      api.Get("/v1/payment_methods/" + stripe::PercentEncode(id), done);
    });
    if (!reply || Transient(*reply)) return false;
    if (reply->status != 200 || !reply->body.is_object()) return finish("ignored", "not found");
    SavedCard card = stripe::SavedCardOf(reply->body.as_object());
    bool detached = r.type == "payment_method.detached" && card.provider_customer.empty();
    if (r.type == "payment_method.detached" && !detached) {
      return finish("ignored", "still attached");
    }
    return finish("applied", "method " + card.provider_ref, [&](Db& db) {
      return engine_.ProviderMethodChanged(db, r.livemode, card, detached, now);
    });
  }
  return finish("ignored", "not used");
}

}  // namespace jopay
