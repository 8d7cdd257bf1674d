#include "daemon/billing/event_batch.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <boost/json.hpp>

#include "daemon/events/outbox.h"
#include "daemon/store/store.h"
#include "tests/temp_dir.h"

namespace jopay {
namespace {

struct TempDb {
  testing::TempDir dir;
  std::unique_ptr<Db> db = std::make_unique<Db>(dir.file("jopay.db"), false);
  TempDb() {
    REQUIRE(Migrate(*db, kSchemaSql).ok());
    db->Exec("PRAGMA foreign_keys = OFF");
  }
};

Subscription Sub(int i) {
  Subscription s;
  s.id = fmt::format("sub_{:04}", i);
  s.status = "active";
  s.amount = 1000 + i;
  s.currency = "eur";
  s.sequence = i;
  s.metadata = fmt::format(R"({{"n":"{}"}})", i);
  return s;
}

// Renders two events about object `n`, numbered from n.
class Pair final : public EventBatch::Later {
 public:
  int n = 0;
  void Render(std::vector<Event>& out) const override {
    for (int k = 0; k < 2; ++k) {
      Event e;
      e.type = k ? "test.second" : "test.first";
      e.object_id = fmt::format("obj_{:04}", n);
      e.sequence = n + k;
      e.data = "{}";
      out.push_back(std::move(e));
    }
  }
};

}  // namespace

TEST_CASE("EventBatch inserts every event in the order added, with its snapshot's payload") {
  TempDb t;
  constexpr int kCount = 1000;  // many wake-ups of the renderer, and a partial last round
  {
    EventBatch batch;
    for (int i = 0; i < kCount; ++i) {
      Subscription s = Sub(i);
      batch.Add(s, i % 2 ? "subscription.renewed" : "subscription.payment_failed",
                {std::nullopt, 1, std::nullopt}, 1700000000 + i);
      s.status = "expired";  // later changes to the subscription are not in the event
    }
    batch.InsertAll(*t.db);
  }
  int i = 0;
  for (const Event& e : EventsAfter(*t.db, 0, kCount + 1)) {  // in write order
    CAPTURE(i);
    CHECK(e.type == (i % 2 ? "subscription.renewed" : "subscription.payment_failed"));
    CHECK(e.object_id == fmt::format("sub_{:04}", i));
    CHECK(e.sequence == i);
    CHECK(e.created_at == 1700000000 + i);
    auto data = boost::json::parse(e.data).as_object();
    CHECK(data.at("status").as_string() == "active");
    CHECK(data.at("amount_cents").as_int64() == 1000 + i);
    CHECK(data.at("metadata").at("n").as_string() == std::to_string(i));
    ++i;
  }
  CHECK(i == kCount);
}

TEST_CASE("a Later's events go in its place, in its order, recycled ones too") {
  TempDb t;
  constexpr int kCount = 1000;
  int reused = 0;
  {
    EventBatch batch;
    for (int i = 0; i < kCount; ++i) {
      batch.Add(Sub(i), "subscription.renewed", {}, 1700000000);
      std::unique_ptr<Pair> p = batch.Reuse<Pair>();
      if (p) {
        ++reused;
      } else {
        p = std::make_unique<Pair>();
      }
      p->n = i;
      batch.AddLater(std::move(p));
    }
    batch.InsertAll(*t.db);
  }
  std::vector<Event> events = EventsAfter(*t.db, 0, 3 * kCount + 1);
  REQUIRE(events.size() == 3 * kCount);
  for (int i = 0; i < kCount; ++i) {
    CAPTURE(i);
    CHECK(events[3 * i].object_id == fmt::format("sub_{:04}", i));
    CHECK(events[3 * i + 1].type == "test.first");
    CHECK(events[3 * i + 1].object_id == fmt::format("obj_{:04}", i));
    CHECK(events[3 * i + 1].sequence == i);
    CHECK(events[3 * i + 2].type == "test.second");
    CHECK(events[3 * i + 2].sequence == i + 1);
  }
  MESSAGE(reused, " of ", kCount, " recycled");  // timing: how many the renderer gave back
}

TEST_CASE("an EventBatch dropped without InsertAll writes nothing (its job failed)") {
  TempDb t;
  {
    EventBatch batch;
    for (int i = 0; i < 100; ++i) batch.Add(Sub(i), "subscription.renewed", {}, 1700000000);
  }
  CHECK(NewestEventPk(*t.db) == 0);
}

TEST_CASE("a payload that cannot be rendered fails the job at InsertAll") {
  TempDb t;
  EventBatch batch;
  Subscription bad = Sub(1);
  bad.metadata = "{not json";
  batch.Add(Sub(0), "subscription.renewed", {}, 1700000000);
  batch.Add(bad, "subscription.renewed", {}, 1700000000);
  CHECK_THROWS(batch.InsertAll(*t.db));
}

}  // namespace jopay
