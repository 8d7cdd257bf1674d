#include "daemon/webhooks/dispatcher.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "daemon/events/outbox.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"
#include "tests/temp_dir.h"

namespace jopay::webhooks {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

constexpr UnixSeconds kJan31 = 1738317600;  // 2025-01-31T10:00:00Z: the manual clock

// An HTTP receiver on 127.0.0.1 (jopayd's own server) that records what it is sent and answers
// `status`.
struct Receiver {
  struct Got {
    std::string body;
    std::string timestamp;  // webhook-timestamp
    std::string jopay_signature;
    UnixSeconds received_at = 0;
  };
  std::mutex mu;
  std::vector<Got> got;
  int status = 200;
  http::Router router;
  boost::asio::io_context io;
  std::unique_ptr<http::Server> server;
  std::thread thread;

  Receiver() {
    router.Add("POST", "/hooks", [this](http::Request& req, http::Respond respond) {
      std::lock_guard lock(mu);
      got.push_back({req.body, req.Header("webhook-timestamp"), req.Header("X-JoPay-Signature"),
                     SystemNow()});
      respond(http::JsonResponse(status, boost::json::object{}));
    });
    server = std::make_unique<http::Server>(io, router, http::ServerOptions{});
    REQUIRE(server->ListenTcp("127.0.0.1", 0).ok());
    thread = std::thread([this] { io.run(); });
  }
  ~Receiver() {
    server->Stop();
    thread.join();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}/hooks", server->tcp_port()); }
  size_t Count() {
    std::lock_guard lock(mu);
    return got.size();
  }
  bool WaitFor(size_t n) {
    for (int i = 0; i < 500 && Count() < n; ++i) std::this_thread::sleep_for(10ms);
    return Count() >= n;
  }
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = std::move(*Store::Open(dir.file("jopay.db")));
  Clock clock = Clock::Manual(kJan31);
  Receiver rx;
  Endpoint endpoint;

  Fixture() {
    endpoint.url = rx.url();
    endpoint.events = {"*"};
    endpoint.created_at = endpoint.updated_at = kJan31;
    Write([&](Db& db) { InsertEndpoint(db, endpoint); });
  }
  ~Fixture() { store->Close(); }
  template <class F>
  void Write(F f) {
    REQUIRE(store->writer().Run([&](Db& db) {
      f(db);
      return Status::Ok();
    }).ok());
  }
  std::string AddEvent() {
    std::string id;
    Write([&](Db& db) {
      Event e{"", false, "subscription.renewed", "sub_1", 1, R"({"id":"sub_1"})", kJan31};
      InsertEvent(db, e);
      id = e.id;
    });
    return id;
  }
  std::string DeliveryStatus(const std::string& event_id) {
    auto deliveries = DeliveriesOfEvent(store->reader(), event_id);
    if (deliveries.empty()) return "";
    return std::string(deliveries[0].as_object().at("status").as_string());
  }
  bool WaitStatus(const std::string& event_id, const std::string& want) {
    for (int i = 0; i < 500 && DeliveryStatus(event_id) != want; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return DeliveryStatus(event_id) == want;
  }
  DispatcherOptions Options() {
    DispatcherOptions o;
    o.allow_private = true;
    return o;
  }
};

}  // namespace

TEST_CASE("the dispatcher delivers a new event, signed at wall-clock time under a manual clock") {
  Fixture f;
  Dispatcher d(*f.store, f.clock, f.Options());
  d.Start();
  std::string id = f.AddEvent();
  d.Wake();
  REQUIRE(f.rx.WaitFor(1));
  REQUIRE(f.WaitStatus(id, "delivered"));
  std::lock_guard lock(f.rx.mu);
  const Receiver::Got& got = f.rx.got[0];
  CHECK(got.body.find(id) != std::string::npos);
  UnixSeconds t = std::stoll(got.timestamp);
  CHECK(std::abs(t - got.received_at) <= 5);  // wall clock, not 2025
  CHECK(got.jopay_signature.starts_with("t=" + got.timestamp + ",v1="));
}

TEST_CASE("a failed attempt waits for its retry time on the billing clock") {
  Fixture f;
  f.rx.status = 500;
  Dispatcher d(*f.store, f.clock, f.Options());
  d.Start();
  std::string id = f.AddEvent();
  d.Wake();
  REQUIRE(f.rx.WaitFor(1));
  std::this_thread::sleep_for(300ms);
  CHECK(f.rx.Count() == 1);  // the manual clock has not moved: no retry yet
  CHECK(f.DeliveryStatus(id) == "pending");
  f.rx.status = 200;
  f.clock.Set(kJan31 + 10);  // past the 5 s retry
  d.Wake();
  REQUIRE(f.rx.WaitFor(2));
  CHECK(f.WaitStatus(id, "delivered"));
}

TEST_CASE("an endpoint added later gets only the events written after it") {
  Fixture f;
  Dispatcher d(*f.store, f.clock, f.Options());
  d.Start();
  std::string before = f.AddEvent();
  d.Wake();
  REQUIRE(f.WaitStatus(before, "delivered"));
  Endpoint late;
  late.url = f.rx.url();
  late.events = {"*"};
  f.Write([&](Db& db) { InsertEndpoint(db, late); });
  d.EndpointsChanged();
  std::string after = f.AddEvent();
  d.Wake();
  REQUIRE(f.rx.WaitFor(3));  // `before` once, `after` to both endpoints
  std::this_thread::sleep_for(300ms);
  CHECK(f.rx.Count() == 3);
  CHECK(DeliveriesOfEvent(f.store->reader(), before).size() == 1);
  CHECK(DeliveriesOfEvent(f.store->reader(), after).size() == 2);
}

}  // namespace jopay::webhooks
