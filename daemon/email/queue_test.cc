#include "daemon/email/queue.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/events/outbox.h"
#include "daemon/store/store.h"

namespace jopay::email {
namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;

  Fixture() {
    char tmpl[] = "/tmp/jopay-emails-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*Store::Open((dir / "jopay.db").string()));
    Write([](Db& db) {
      db.Exec("INSERT INTO customers (id, livemode, email, name, created_at) VALUES "
              "('cus_1', 0, 'ana@example.com', 'Ana', 1), ('cus_2', 1, 'bo@example.com', '', 1)");
    });
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
  void AddEvent(const std::string& type, const std::string& data, bool live = false) {
    Write([&](Db& db) {
      Event e{"", live, type, "sub_1", 1, data, 1000};
      InsertEvent(db, e);
    });
  }
  // Fans out everything after `from` (0: from the start again); returns the emails made.
  int64_t FanOutFrom(int64_t from, const KindsOff& off = {}) {
    int64_t made = 0;
    Write([&](Db& db) { FanOut(db, from, 1000, off, 5000, &made); });
    return made;
  }
  std::vector<EmailRow> All(bool live = false) {
    return ListEmails(store->reader(), live, EmailFilter{});
  }
};

constexpr const char* kSub = R"({"id":"sub_1","customer_id":"cus_1"})";

TEST_CASE("an event yields one email of its kind, even when fanned out again") {
  Fixture f;
  f.AddEvent("subscription.payment_failed", kSub);
  f.AddEvent("subscription.renewed", kSub);  // no email
  CHECK(f.FanOutFrom(0) == 1);
  CHECK(f.FanOutFrom(0) == 0);  // a cursor that went back (a crash) changes nothing
  auto all = f.All();
  REQUIRE(all.size() == 1);
  CHECK(all[0].kind == "payment_failed");
  CHECK(all[0].to == "ana@example.com");
  CHECK(all[0].status == "pending");
  CHECK(all[0].next_attempt_at == 5000);  // wall-clock, due at once
  CHECK(all[0].created_at == 1000);       // when its cause happened
  CHECK(all[0].subscription_id == "sub_1");
  CHECK(LoadCursor(f.store->reader()) == NewestEventPk(f.store->reader()));
}

TEST_CASE("kinds turned off in a mode, and receipts for nothing paid, are not queued") {
  Fixture f;
  KindsOff off;
  off.test = {"cancelled"};
  f.AddEvent("subscription.cancelled", kSub);
  f.AddEvent("subscription.cancelled", R"({"id":"sub_2","customer_id":"cus_2"})", true);
  f.AddEvent("invoice.paid", R"({"customer_id":"cus_1","subscription_id":"sub_1","amount_paid":0})");
  f.AddEvent("invoice.paid", R"({"customer_id":"cus_1","subscription_id":"sub_1","amount_paid":1499})");
  CHECK(f.FanOutFrom(0, off) == 2);
  REQUIRE(f.All().size() == 1);
  CHECK(f.All()[0].kind == "receipt");
  REQUIRE(f.All(true).size() == 1);
  CHECK(f.All(true)[0].kind == "cancelled");  // only test mode turned it off
}

TEST_CASE("a customer who unsubscribed gets no reminders, but still gets notices") {
  Fixture f;
  f.Write([](Db& db) { TurnRemindersOff(db, "cus_1", false, 10); });
  f.AddEvent("subscription.trial_ending", kSub);
  f.AddEvent("subscription.payment_failed", kSub);
  CHECK(f.FanOutFrom(0) == 1);
  CHECK(f.All()[0].kind == "payment_failed");
  bool queued = true;
  f.Write([&](Db& db) {
    queued = QueueCardExpiring(db, false, "pm_1", "cus_1", "sub_1", "2025-03", 1, 2);
  });
  CHECK_FALSE(queued);
}

TEST_CASE("failures wait out the retry schedule, then fail; a refusal fails at once") {
  Fixture f;
  f.AddEvent("subscription.expired", kSub);
  f.AddEvent("subscription.cancelled", kSub);
  f.FanOutFrom(0);
  auto all = f.All();
  REQUIRE(all.size() == 2);
  RetrySchedule retry{{60, 300}};
  int64_t a = all[1].pk, b = all[0].pk;
  std::string status;
  f.Write([&](Db& db) { status = RecordFailure(db, a, "down", false, retry, 6000); });
  CHECK(status == "pending");
  CHECK(*LoadEmail(f.store->reader(), all[1].id, false)->next_attempt_at == 6060);
  CHECK(LoadDue(f.store->reader(), 6059, 10).size() == 1);  // only b is due
  f.Write([&](Db& db) { status = RecordFailure(db, a, "down", false, retry, 6060); });
  CHECK(status == "pending");
  f.Write([&](Db& db) { status = RecordFailure(db, a, "down again", false, retry, 6360); });
  CHECK(status == "failed");
  auto failed = *LoadEmail(f.store->reader(), all[1].id, false);
  CHECK(failed.attempts == 3);
  CHECK_FALSE(failed.next_attempt_at.has_value());
  CHECK(failed.last_error == "down again");
  f.Write([&](Db& db) { status = RecordFailure(db, b, "550 no such user", true, retry, 6000); });
  CHECK(status == "failed");
  CHECK(CountQueue(f.store->reader()).failed == 2);
}

TEST_CASE("sent is recorded once; a resend makes it pending under the same id") {
  Fixture f;
  f.AddEvent("subscription.expired", kSub);
  f.FanOutFrom(0);
  EmailRow row = f.All()[0];
  Status early;
  f.Write([&](Db& db) {
    early = Resend(db, row, 7000);
    RecordSent(db, row.pk, 7000);
    RecordSent(db, row.pk, 7001);  // a second record changes nothing
  });
  CHECK(early.kind() == Status::Kind::kConflict);  // it was still pending
  auto sent = *LoadEmail(f.store->reader(), row.id, false);
  CHECK(sent.status == "sent");
  CHECK(sent.sent_at == 7000);
  CHECK(sent.attempts == 1);
  Status resent;
  f.Write([&](Db& db) { resent = Resend(db, sent, 8000); });
  CHECK(resent.ok());
  auto again = *LoadEmail(f.store->reader(), row.id, false);
  CHECK(again.status == "pending");
  CHECK(again.next_attempt_at == 8000);
  CHECK(again.resends == 1);
  CHECK(f.All().size() == 1);
}

TEST_CASE("one card_expiring email per card and expiry month") {
  Fixture f;
  int made = 0;
  f.Write([&](Db& db) {
    made += QueueCardExpiring(db, false, "pm_1", "cus_1", "sub_1", "2025-03", 1, 2);
    made += QueueCardExpiring(db, false, "pm_1", "cus_1", "sub_1", "2025-03", 3, 4);
    made += QueueCardExpiring(db, false, "pm_1", "cus_1", "sub_1", "2027-03", 5, 6);  // renewed card
  });
  CHECK(made == 2);
}

TEST_CASE("lists filter by status, kind and customer, newest first, and page") {
  Fixture f;
  f.AddEvent("subscription.expired", kSub);
  f.AddEvent("subscription.cancelled", kSub);
  f.AddEvent("subscription.trial_ending", kSub);
  f.FanOutFrom(0);
  Db& db = f.store->reader();
  CHECK(ListEmails(db, false, {"", "cancelled", "", 10, ""}).size() == 1);
  CHECK(ListEmails(db, false, {"sent", "", "", 10, ""}).empty());
  CHECK(ListEmails(db, false, {"", "", "cus_2", 10, ""}).empty());
  auto first = ListEmails(db, false, {"", "", "", 1, ""});
  REQUIRE(first.size() == 1);
  CHECK(first[0].kind == "trial_ending");
  auto next = ListEmails(db, false, {"", "", "", 10, first[0].id});
  CHECK(next.size() == 2);
}

}  // namespace
}  // namespace jopay::email
