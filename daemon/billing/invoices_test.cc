#include "daemon/billing/invoices.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "daemon/billing/event_batch.h"
#include "daemon/events/outbox.h"
#include "daemon/store/store.h"

namespace jopay {
namespace {

constexpr UnixSeconds kJan31 = 1738317600;  // 2025-01-31T10:00:00Z

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  InvoiceIssuer issuer{.name = "Acme", .number_prefix = "JP-"};

  Fixture() {
    char tmpl[] = "/tmp/jopay-invoices-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*Store::Open((dir / "jopay.db").string()));
    Write([](Db& db) {
      db.Exec("INSERT INTO customers (id, livemode, email, name, created_at) VALUES "
              "('cus_1', 0, 'ana@example.com', 'Ana', 1), ('cus_2', 1, 'bo@example.com', 'Bo', 1)");
    });
  }
  ~Fixture() {
    store->Close();
    std::filesystem::remove_all(dir);
  }
  template <class F>
  Status Write(F f) {
    return store->writer().Run([&](Db& db) {
      f(db);
      return Status::Ok();
    });
  }
  static InvoiceDraft Draft(bool live, UnixSeconds start, int64_t amount = 1499) {
    InvoiceDraft d;
    d.livemode = live;
    d.billing_reason = "subscription_cycle";
    d.customer_id = live ? "cus_2" : "cus_1";
    d.subscription_id = live ? "sub_2" : "sub_1";
    d.period_start = start;
    d.period_end = start + 86400 * 28;
    d.currency = "eur";
    d.lines.push_back({"Pro", start, start + 86400 * 28, 1, amount, amount});
    return d;
  }
  Invoice Issue(bool live, UnixSeconds start) {
    Invoice out;
    REQUIRE(Write([&](Db& db) { out = IssueInvoice(db, Draft(live, start), issuer, start); }).ok());
    return out;
  }
};

TEST_CASE("numbers run per mode, gapless, and a rolled-back invoice gives its number back") {
  Fixture f;
  CHECK(f.Issue(false, kJan31).number == "JP-TEST-000001");
  CHECK(f.Issue(true, kJan31).number == "JP-000001");
  // The job that issued number 2 fails after it: nothing of it stays, the number included.
  Status failed = f.store->writer().Run([&](Db& db) -> Status {
    CHECK(IssueInvoice(db, Fixture::Draft(false, kJan31 + 100), f.issuer, kJan31).number ==
          "JP-TEST-000002");
    throw std::runtime_error("the charge's job failed");
  });
  CHECK_FALSE(failed.ok());
  Invoice next = f.Issue(false, kJan31 + 200);
  CHECK(next.number == "JP-TEST-000002");
  CHECK(next.seq == 2);
  CHECK(f.Issue(true, kJan31 + 200).number == "JP-000002");
  // A new prefix takes only new numbers: the sequence goes on.
  f.issuer.number_prefix = "NEW-";
  CHECK(f.Issue(false, kJan31 + 300).number == "NEW-TEST-000003");
}

TEST_CASE("an invoice keeps the customer and merchant it was issued with") {
  Fixture f;
  f.issuer.address = "Acme Way 5\nBerlin";
  Invoice first = f.Issue(false, kJan31);
  REQUIRE(f.Write([](Db& db) { db.Exec("UPDATE customers SET name='Ana B.' WHERE id='cus_1'"); })
              .ok());
  f.issuer.name = "Acme Renamed";
  Invoice second = f.Issue(false, kJan31 + 100);
  auto again = LoadInvoice(f.store->reader(), first.id, false);
  REQUIRE(again.ok());
  CHECK(again->customer_name == "Ana");
  CHECK(again->issuer.name == "Acme");
  CHECK(again->issuer.address == "Acme Way 5\nBerlin");
  CHECK(second.customer_name == "Ana B.");
  CHECK(second.issuer.name == "Acme Renamed");
  // Another mode's key does not find it.
  CHECK(LoadInvoice(f.store->reader(), first.id, true).status().code() == "resource_missing");
}

TEST_CASE("a period's invoice is found again, paid once, and voided only while open") {
  Fixture f;
  Invoice inv = f.Issue(false, kJan31);
  auto found = FindPeriodInvoice(f.store->reader(), "sub_1", 0, kJan31);
  REQUIRE(found);
  CHECK(found->id == inv.id);
  CHECK_FALSE(FindPeriodInvoice(f.store->reader(), "sub_1", 0, kJan31 + 1));
  REQUIRE(f.Write([&](Db& db) { MarkInvoicePaid(db, inv.pk, 1499, kJan31 + 5); }).ok());
  auto paid = LoadInvoice(f.store->reader(), inv.id, false);
  REQUIRE(paid.ok());
  CHECK((paid->status == "paid" && paid->amount_paid == 1499 && paid->paid_at == kJan31 + 5));
  boost::json::object view = InvoiceView(*paid);
  CHECK(view["amount_due"].as_int64() == 0);
  CHECK(view["period_start"].as_string() == "2025-01-31T10:00:00Z");
  Status voided;
  REQUIRE(f.Write([&](Db& db) { voided = VoidInvoice(db, *paid, "", kJan31 + 6); }).ok());
  CHECK(voided.code() == "invoice_not_open");
  Invoice open = f.Issue(false, kJan31 + 100);
  REQUIRE(f.Write([&](Db& db) { voided = VoidInvoice(db, open, "by phone", kJan31 + 7); }).ok());
  CHECK(voided.ok());
  CHECK(open.status == "void");
  auto listed = ListInvoices(f.store->reader(), false, InvoiceFilter{.status = "void"});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == open.id);
}

// An invoice issued paid has two events: invoice.created shows it as issued (open, nothing paid:
// InvoiceView of that state, text for text), then invoice.paid shows it as written.
void CheckIssuedPaid(const Event& created, const Event& paid_event, const Invoice& paid) {
  Invoice open = paid;
  open.status = "open";
  open.amount_paid = 0;
  open.paid_at.reset();
  boost::json::object want_created = InvoiceView(open);
  want_created["sequence"] = 1;
  boost::json::object want_paid = InvoiceView(paid);
  want_paid["sequence"] = 2;
  CHECK(created.type == "invoice.created");
  CHECK(created.sequence == 1);
  CHECK(created.object_id == paid.id);
  CHECK(created.data == boost::json::serialize(want_created));
  CHECK(paid_event.type == "invoice.paid");
  CHECK(paid_event.sequence == 2);
  CHECK(paid_event.object_id == paid.id);
  CHECK(paid_event.data == boost::json::serialize(want_paid));
  auto c = boost::json::parse(created.data).as_object();
  CHECK((c["status"] == "open" && c["amount_paid"] == 0 && c["amount_due"] == 1499 &&
         c["paid_at"].is_null()));
  auto p = boost::json::parse(paid_event.data).as_object();
  CHECK((p["status"] == "paid" && p["amount_paid"] == 1499 && p["amount_due"] == 0 &&
         p["paid_at"] == "2025-01-31T10:00:00Z"));
}

TEST_CASE("an invoice issued paid emits invoice.created as issued, then invoice.paid") {
  Fixture f;
  InvoiceDraft d = Fixture::Draft(false, kJan31);
  d.paid_amount = 1499;
  Invoice paid;
  SUBCASE("at once") {
    REQUIRE(f.Write([&](Db& db) { paid = IssueInvoice(db, d, f.issuer, kJan31); }).ok());
    std::vector<Event> events = EventsAfter(f.store->reader(), 0, 10);
    REQUIRE(events.size() == 2);
    CheckIssuedPaid(events[0], events[1], paid);
  }
  SUBCASE("in a due batch, in their place among its other events") {
    Subscription s;
    s.id = "sub_1";
    REQUIRE(f.Write([&](Db& db) {
               EventBatch batch;
               batch.Add(s, "subscription.renewed", {}, kJan31);
               paid = IssueInvoice(db, d, f.issuer, kJan31, nullptr, &batch);
               batch.Add(s, "subscription.updated", {}, kJan31);
               batch.InsertAll(db);
             }).ok());
    std::vector<Event> events = EventsAfter(f.store->reader(), 0, 10);
    REQUIRE(events.size() == 4);
    CHECK(events[0].type == "subscription.renewed");
    CheckIssuedPaid(events[1], events[2], paid);
    CHECK(events[3].type == "subscription.updated");
  }
  CHECK(paid.status == "paid");
  auto stored = LoadInvoice(f.store->reader(), paid.id, false);
  REQUIRE(stored.ok());
  CHECK(boost::json::serialize(InvoiceView(*stored)) == boost::json::serialize(InvoiceView(paid)));
}

}  // namespace
}  // namespace jopay
