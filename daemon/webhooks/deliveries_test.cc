#include "daemon/webhooks/deliveries.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/events/outbox.h"
#include "daemon/store/store.h"
#include "daemon/webhooks/retry_policy.h"

namespace jopay::webhooks {
namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  Endpoint endpoint;

  Fixture() {
    char tmpl[] = "/tmp/jopay-hooks-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*Store::Open((dir / "jopay.db").string()));
    endpoint.url = "http://127.0.0.1:9/";
    endpoint.events = {"*"};
    endpoint.created_at = endpoint.updated_at = 1000;
    Write([&](Db& db) { InsertEndpoint(db, endpoint); });
  }
  ~Fixture() {
    store->Close();
    std::filesystem::remove_all(dir);
  }
  template <class F>
  void Write(F f) {
    REQUIRE(store->writer().Run([&](Db& db) {
      f(db);
      return Status::Ok();
    }).ok());
  }
  std::string AddEvent(const std::string& type, UnixSeconds at) {
    std::string id;
    Write([&](Db& db) {
      Event e{"", false, type, "sub_1", 1, "{}", at};
      InsertEvent(db, e);
      id = e.id;
    });
    return id;
  }
  int64_t FanOutAll(UnixSeconds now) {
    int64_t made = 0;
    Write([&](Db& db) {
      FanOut(db, LoadCursor(db) < 0 ? 0 : LoadCursor(db), 1000, EnabledEndpoints(db), now, &made);
    });
    return made;
  }
  std::vector<DueDelivery> Due(UnixSeconds now) {
    return LoadDue(store->reader(), endpoint.id, now, INT64_MIN, INT64_MIN, 100);
  }
  std::vector<std::pair<std::string, std::string>> Record(const DueDelivery& d, UnixSeconds at,
                                                          int status, std::string retry_after = "") {
    AttemptRecord r;
    r.delivery_id = d.id;
    r.endpoint_id = endpoint.id;
    r.attempts_before = d.attempts;
    r.attempted_at = at;
    r.status = status;
    r.error = status ? "" : "connect: refused";
    r.retry_after = std::move(retry_after);
    std::vector<std::pair<std::string, std::string>> disabled;
    Write([&](Db& db) { RecordAttempts(db, {r}, &disabled); });
    return disabled;
  }
  Endpoint Load() { return *LoadEndpoint(store->reader(), endpoint.id, false); }
};

TEST_CASE("Fan-out: events after the endpoint was added, of the types it takes, once") {
  Fixture f;
  f.AddEvent("subscription.created", 1000);
  CHECK(f.FanOutAll(1000) == 1);
  CHECK(f.FanOutAll(1000) == 0);  // the cursor moved past it
  f.AddEvent("webhook.test", 1000);  // tests go only to their endpoint, written with them
  CHECK(f.FanOutAll(1000) == 0);
  CHECK(f.Due(1000).size() == 1);
  CHECK(f.Due(999).empty());
}

TEST_CASE("Fan-out skips events written before the endpoint existed") {
  Fixture f;
  f.Write([&](Db& db) { SetEndpointEnabled(db, f.endpoint.id, false, false, "x", 1000); });
  f.AddEvent("subscription.created", 1000);
  f.Write([&](Db& db) {
    Endpoint late;
    late.url = "http://127.0.0.1:9/";
    late.events = {"subscription.*"};
    late.created_at = late.updated_at = 1000;
    InsertEndpoint(db, late);
  });
  CHECK(f.FanOutAll(1000) == 0);
  f.AddEvent("subscription.renewed", 1001);
  CHECK(f.FanOutAll(1001) == 1);
}

TEST_CASE("A failure is retried on the schedule, a success ends it") {
  Fixture f;
  f.AddEvent("subscription.created", 1000);
  f.FanOutAll(1000);
  auto d = f.Due(1000).at(0);
  f.Record(d, 1000, 500);
  CHECK(f.Due(1004).empty());
  auto again = f.Due(1005);  // 5 s (+ at most 10 %, whole seconds: 5)
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 1);
  CHECK(f.Load().failing_since == 1000);
  f.Record(again[0], 1005, 204);
  CHECK(f.Due(INT64_MAX / 2).empty());
  CHECK_FALSE(f.Load().failing_since.has_value());
  auto attempts = AttemptsOfEvent(f.store->reader(), d.event_id);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].at("status_code") == 500);
  CHECK(attempts[1].at("status_code") == 204);
  CHECK(DeliveriesOfEvent(f.store->reader(), d.event_id)[0].at("status") == "delivered");
}

TEST_CASE("After the last attempt the delivery is failed") {
  Fixture f;
  std::string event = f.AddEvent("subscription.created", 1000);
  f.FanOutAll(1000);
  UnixSeconds t = 1000;
  for (int i = 0; i < kMaxAttempts; ++i) {
    auto due = f.Due(t);
    REQUIRE(due.size() == 1);
    f.Record(due[0], t, 0);
    t += 2 * 86400;  // later than any delay, but the endpoint may not be disabled meanwhile
    f.Write([&](Db& db) {
      db.Exec("UPDATE webhook_endpoints SET failing_since = NULL");  // keep it enabled
    });
  }
  CHECK(f.Due(INT64_MAX / 2).empty());
  auto d = DeliveriesOfEvent(f.store->reader(), event).at(0).as_object();
  CHECK(d.at("status") == "failed");
  CHECK(d.at("attempts") == kMaxAttempts);
  CHECK(AttemptsOfEvent(f.store->reader(), event).size() == kMaxAttempts);
}

TEST_CASE("Removing an endpoint fails its pending deliveries, even one still in flight") {
  Fixture f;
  std::string event = f.AddEvent("subscription.created", 1000);
  f.FanOutAll(1000);
  auto in_flight = f.Due(1000).at(0);
  f.Write([&](Db& db) { REQUIRE(RemoveEndpoint(db, f.endpoint.id, false, 1000).ok()); });
  f.Record(in_flight, 1000, 500);  // its answer comes back after the removal
  auto d = DeliveriesOfEvent(f.store->reader(), event).at(0).as_object();
  CHECK(d.at("status") == "failed");
  CHECK(d.at("last_error") == "endpoint removed");
  CHECK(AttemptsOfEvent(f.store->reader(), event).size() == 1);
  CHECK(f.Due(INT64_MAX / 2).empty());
  CHECK_FALSE(LoadEndpoint(f.store->reader(), f.endpoint.id, false).ok());
}

TEST_CASE("410 disables the endpoint and fails the delivery") {
  Fixture f;
  f.AddEvent("subscription.created", 1000);
  f.FanOutAll(1000);
  auto disabled = f.Record(f.Due(1000).at(0), 1000, 410);
  REQUIRE(disabled.size() == 1);
  CHECK(disabled[0].second.find("410 Gone") != std::string::npos);
  CHECK_FALSE(f.Load().enabled);
  CHECK(*f.Load().disabled_reason == disabled[0].second);
}

TEST_CASE("429 and 503 with Retry-After come back when asked") {
  Fixture f;
  f.AddEvent("subscription.created", 1000);
  f.FanOutAll(1000);
  f.Record(f.Due(1000).at(0), 1000, 429, "120");
  CHECK(f.Due(1119).empty());
  REQUIRE(f.Due(1120).size() == 1);
  f.Record(f.Due(1120).at(0), 1120, 503, "Thu, 01 Jan 1970 00:00:00 GMT");  // past: 1 s
  CHECK(f.Due(1121).size() == 1);
  f.Record(f.Due(1121).at(0), 1121, 500, "60");  // on a 500 it means nothing: the 3rd delay
  CHECK(f.Due(1121 + 1799).empty());
  CHECK(f.Due(1121 + 1800 + 180).size() == 1);
}

TEST_CASE("Five days of nothing but failures disable the endpoint with the reason") {
  Fixture f;
  UnixSeconds t = 1000;
  for (int day = 0; day <= 5; ++day) {
    f.AddEvent("subscription.renewed", t);
    f.FanOutAll(t);
    std::vector<std::pair<std::string, std::string>> disabled;
    for (const auto& d : f.Due(t)) {
      for (auto& x : f.Record(d, t, 502)) disabled.push_back(x);
    }
    if (day < 5) {
      CHECK(f.Load().enabled);
    } else {
      REQUIRE(disabled.size() == 1);
      CHECK(disabled[0].second.find("every delivery attempt failed for 5 days") !=
            std::string::npos);
      CHECK(disabled[0].second.find("HTTP 502") != std::string::npos);
    }
    t += 86400;
  }
  CHECK_FALSE(f.Load().enabled);
}

}  // namespace
}  // namespace jopay::webhooks
