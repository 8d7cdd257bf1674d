#include "tests/fuzz/face_fixture.h"

#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <future>

#include "common/log.h"
#include "daemon/auth/keys.h"
#include "daemon/billing/plans.h"
#include "daemon/charges/charge_sender.h"
#include "daemon/checkout/session.h"
#include "daemon/pages/page.h"
#include "daemon/providers/sandbox.h"
#include "daemon/public/tokens.h"
#include "daemon/public_face.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {

namespace {

namespace json = boost::json;

constexpr UnixSeconds kStart = 1738317600;  // 2025-01-31T10:00:00Z: a month end, for renewals
constexpr const char* kPublicUrl = "https://pay.example";

// tmpfs when there is one: the store syncs every commit (synchronous=FULL), which on a disk
// would make each request wait for the device. The name holds the pid: a run that crashed
// (no atexit) leaves its folder, and scripts/fuzz removes those whose process is gone.
std::string MakeDir() {
  std::error_code ec;
  std::string base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
  std::string tmpl = fmt::format("{}/jopay-fuzz-{}-XXXXXX", base, getpid());
  FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr, "cannot make a directory under {}", base);
  return tmpl;
}

Providers SandboxOnly() {
  Providers p;
  p.sandbox = std::make_unique<SandboxProvider>();
  return p;
}

Plan MakePlan(std::string id, std::string name, int64_t amount, std::string currency,
              Interval interval, int count, int trial_days) {
  Plan p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.amount = amount;
  p.currency = std::move(currency);
  p.interval = interval;
  p.interval_count = count;
  p.trial_days = trial_days;
  p.created_at = p.updated_at = kStart;
  return p;
}

void Must(const Status& st, const char* what) {
  FUZZ_CHECK(st.ok(), "setting up the face: {}: {}", what, st.message());
}

Status Subscribe(Db& db, Engine& engine, const char* plan, const char* email, const char* name,
                 std::string* id) {
  NewSubscription r{plan, email, name, "4242424242424242", std::nullopt, "{}"};
  Subscription out;
  Status paid;
  JOPAY_RETURN_IF_ERROR(engine.Create(db, false, r, kStart, &out, &paid));
  *id = out.id;
  return Status::Ok();
}

// The plans, keys and subscriptions every face starts with (face_fixture.h); their ids and
// secrets go to `values` under their placeholders.
Status Stock(Db& db, Engine& engine, std::map<std::string, std::string>& values) {
  const Plan plans[] = {
      MakePlan("plan_FuzzMonthPlan00000000001", "Pro", 1499, "eur", Interval::kMonth, 1, 0),
      MakePlan("plan_FuzzTrialPlan00000000002", "Trial", 900, "usd", Interval::kWeek, 1, 7),
      MakePlan("plan_FuzzYearPlan000000000003", "Years", 12000, "jpy", Interval::kYear, 2, 0),
      MakePlan("plan_FuzzSatsPlan000000000004", "Zap", 21000, "sat", Interval::kDay, 1, 0)};
  for (const Plan& p : plans) InsertPlan(db, p);
  CreateApiKey(db, false, false, kStart, &values["~KEY~"]);
  CreateApiKey(db, false, true, kStart, &values["~RKEY~"]);
  JOPAY_RETURN_IF_ERROR(
      Subscribe(db, engine, plans[0].id.c_str(), "ann@example.com", "Ann", &values["~SUB~"]));
  return Subscribe(db, engine, plans[1].id.c_str(), "tom@example.com", "Tom",
                   &values["~TRIALSUB~"]);
}

}  // namespace

// The daemon's parts, in the order daemon.cc makes them (and unmade in reverse).
struct Face::Parts {
  std::unique_ptr<Store> store;
  Clock clock = Clock::Manual(kStart);
  Engine engine{Policy{}, SandboxOnly()};
  Scheduler scheduler;
  ChargeSender charges;
  stripe::Accounts accounts;  // none: test mode pays with the sandbox cards
  StripeCallbacks stripe_events;
  ApiKeyCache api_keys;
  pub::Context ctx;
  http::Router router;

  Parts(std::unique_ptr<Store> s, std::string signing_key)
      : store(std::move(s)),
        scheduler(*store, engine, clock),
        charges(*store, engine, clock),
        stripe_events(*store, engine, clock, accounts),
        ctx{{*store, engine, scheduler, clock, api_keys, charges, accounts},
            kPublicUrl,
            std::move(signing_key),
            stripe_events,
            "Fuzz Shop",
            ""} {
    AddPublicFaceRoutes(router, ctx);
  }
};

Face::Face() : dir_(MakeDir()) {
  auto store = Store::Open(dir_ + "/jopay.db");
  FUZZ_CHECK(store.ok(), "cannot open a store in {}: {}", dir_, store.status().message());
  auto key = LoadOrCreateSigningKey(**store);
  Must(key.status(), "signing key");
  parts_ = std::make_unique<Parts>(std::move(*store), *key);
  pages::SetMerchant({"Fuzz Shop", "", "help@shop.example"});
  Must(this->store().writer().Run([this](Db& db) { return Stock(db, parts_->engine, values_); }),
       "plans, keys, subscriptions");
  values_["~SESSION~"] = PendingSession(false);
  values_["~SUBSESSION~"] = PendingSession(true);
  const std::string& signing = parts_->ctx.signing_key;
  values_["~FORM~"] = CheckoutFormToken(signing, values_["~SESSION~"]);
  values_["~SUBFORM~"] = CheckoutFormToken(signing, values_["~SUBSESSION~"]);
  PortalGrant grant{values_["~SUB~"], false, "https://shop.example/account",
                    kStart + kPortalTokenTtl};
  values_["~PORTAL~"] = SignPortalToken(signing, grant);
}

Face::~Face() {
  parts_->scheduler.Stop();
  parts_->store->Close();
  parts_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Face::PendingSession(bool subscription_mode) {
  NewSession r;
  r.success_url = "https://shop.example/ok?order=7";
  r.cancel_url = "https://shop.example/cancel";
  r.expires_in = 86400;
  if (subscription_mode) {
    r.mode = "subscription";
    r.plan = SessionPlan();
    r.plan->id = "plan_FuzzMonthPlan00000000001";  // filled from the store
    r.customer_email = "sue@example.com";
  } else {
    r.line_items = {{"Tea", 500, "eur", 2}, {"Cup", 1250, "eur", 1}};
  }
  Session out;
  Must(store().writer().Run([&](Db& db) { return CreateSession(db, false, r, kStart, &out); }),
       "a pending session");
  return out.id;
}

pub::Context& Face::context() { return parts_->ctx; }
Store& Face::store() { return *parts_->store; }

const std::string& Face::Value(const std::string& placeholder) const {
  return values_.at(placeholder);
}

std::string Face::Substitute(std::string text) const {
  if (text.find('~') == std::string::npos) return text;  // the usual case: nothing to do
  for (const auto& [name, value] : values_) {
    for (size_t at = text.find(name); at != std::string::npos;
         at = text.find(name, at + value.size())) {
      text.replace(at, name.size(), value);
    }
  }
  return text;
}

namespace {

// What a handler answers through: the first answer is kept, a second one or none at all
// (every copy of the Respond dropped) is a broken contract (message.h).
class Reply {
 public:
  explicit Reply(std::string what) : what_(std::move(what)) {}
  ~Reply() {
    FUZZ_CHECK(sent_.load(), "{}: the handler dropped its Respond without answering", what_);
  }
  void Send(http::Response r) {
    FUZZ_CHECK(!sent_.exchange(true), "{}: answered twice (second: {})", what_, r.status);
    answer_.set_value(std::move(r));
  }
  std::future<http::Response> Future() { return answer_.get_future(); }

 private:
  std::string what_;
  std::atomic<bool> sent_{false};
  std::promise<http::Response> answer_;
};

}  // namespace

http::Response Face::Serve(http::Request request) {
  auto req = std::make_shared<http::Request>(std::move(request));
  Status target = http::ParseTarget(*req);
  if (!target.ok()) return http::ErrorResponse(target);
  std::string what = req->method + " " + req->target;
  auto reply = std::make_shared<Reply>(what);
  std::future<http::Response> answer = reply->Future();
  try {
    // The Respond keeps the request alive as long as it may be answered (message.h).
    parts_->router.Dispatch(
        *req, [reply = std::move(reply), req](http::Response r) { reply->Send(std::move(r)); });
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, "{}: the handler threw: {}", what, e.what());
  }
  FUZZ_CHECK(answer.wait_for(std::chrono::seconds(60)) == std::future_status::ready,
             "{}: no answer after 60 s", what);
  return answer.get();
}

namespace {

// The directory of the face alive at exit, removed then by an atexit handler. That face is
// never destroyed: its writer thread may still run while the statics it uses go away, and a
// face still reachable from a static is no leak to LeakSanitizer.
std::string& LiveDir() {
  static auto* dir = new std::string;
  return *dir;
}

void RemoveLiveDir() {
  std::error_code ignored;
  std::filesystem::remove_all(LiveDir(), ignored);
}

}  // namespace

Face& CurrentFace(int runs_per_store) {
  static Face* face = nullptr;
  static int64_t runs = 0;
  if (face == nullptr) {
    SetLogLevel(LogLevel::kError);  // a warning per refused request would drown the output
    std::atexit(RemoveLiveDir);
  }
  if (face == nullptr || ++runs % runs_per_store == 0) {
    delete face;  // the old store is closed and removed before the new one is made
    face = new Face();
    LiveDir() = face->dir();
  }
  return *face;
}

namespace {

bool SafeHeader(const std::string& name, const std::string& value) {
  if (name.empty() || name.find_first_of(std::string_view("\r\n\0 \t:", 6)) != std::string::npos) {
    return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(),
                   [](unsigned char a, unsigned char b) {
                     return std::tolower(a) == std::tolower(b);
                   })) {
      return value;
    }
  }
  return "";
}

void CheckJsonError(const std::string& what, const http::Response& r, const json::value& v) {
  const json::object* o = v.if_object();
  const json::value* error = o ? o->if_contains("error") : nullptr;
  const json::object* e = error ? error->if_object() : nullptr;
  FUZZ_CHECK(e && e->size() == 3, "{}: {} is not {{\"error\": {{code, message, param}}}}: {}", what,
             r.status, r.body.substr(0, 300));
  const json::value* code = e->if_contains("code");
  const json::value* message = e->if_contains("message");
  const json::value* param = e->if_contains("param");
  FUZZ_CHECK(code && code->is_string() && !code->get_string().empty(), "{}: error code: {}", what,
             r.body);
  FUZZ_CHECK(param && (param->is_string() || param->is_null()), "{}: error param: {}", what,
             r.body);
  FUZZ_CHECK(message && message->is_string(), "{}: error message: {}", what, r.body);
  std::string_view text = message->get_string();
  // ErrorResponse cuts a message at 1,000 bytes and adds "...".
  FUZZ_CHECK(text.size() <= 1003, "{}: error message of {} bytes", what, text.size());
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    FUZZ_CHECK(u >= 0x20 && u != 0x7f, "{}: control character {:#x} in the error message", what, u);
  }
  if (r.status == 401) {
    FUZZ_CHECK(!HeaderOf(r, "WWW-Authenticate").empty(), "{}: 401 without WWW-Authenticate", what);
  }
}

}  // namespace

void CheckAnswer(const http::Request& req, const http::Response& r) {
  std::string what = req.method + " " + req.target.substr(0, 200);
  FUZZ_CHECK(r.status >= 200 && r.status <= 499, "{}: answered {}: {}", what, r.status,
             r.body.substr(0, 500));
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(SafeHeader(name, value), "{}: unsafe header {:?}: {:?}", what, name, value);
  }
  std::string type = HeaderOf(r, "Content-Type");
  if (type.empty()) type = r.content_type;
  if (type.starts_with("application/json")) {
    FUZZ_CHECK(IsUtf8(r.body), "{}: JSON answer is not UTF-8", what);
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    FUZZ_CHECK(!ec, "{}: answer is not JSON ({}): {}", what, ec.message(), r.body.substr(0, 300));
    if (r.status >= 400) CheckJsonError(what, r, v);
  } else {
    FUZZ_CHECK(type.starts_with("text/html"), "{}: unexpected Content-Type {}", what, type);
    FUZZ_CHECK(IsUtf8(r.body), "{}: HTML answer is not UTF-8", what);
  }
  if (r.status >= 300 && r.status <= 399) {
    FUZZ_CHECK(!HeaderOf(r, "Location").empty(), "{}: {} without Location", what, r.status);
  }
  if (r.status == 405) FUZZ_CHECK(!HeaderOf(r, "Allow").empty(), "{}: 405 without Allow", what);
}

}  // namespace jopay::fuzz
