#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/fake_daemon.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kCustomersPage1 = R"({"object": "list", "has_more": true, "data": [
    {"id": "cus_2", "object": "customer", "email": "=hyperlink(\"x\")@evil.io",
     "name": "Smith, \"Ann\"\nline two", "created_at": "2025-01-31T10:00:00Z"}]})";
const char* kCustomersPage2 = R"({"object": "list", "has_more": false, "data": [
    {"id": "cus_1", "object": "customer", "email": "bo@x.io", "name": null,
     "created_at": "2025-01-30T10:00:00Z"}]})";

}  // namespace

TEST_CASE("export: customers as CSV, every page, header first, fields quoted and defused") {
  Harness h;
  h.daemon.Answer(kCustomersPage1);
  h.daemon.Answer(kCustomersPage2);
  CHECK(h.Run({"export", "customers", "--page-size", "1", "--search", "x"}) == 0);
  CHECK(h.out() ==
        "id,email,name,created_at\r\n"
        "cus_2,\"'=hyperlink(\"\"x\"\")@evil.io\",\"Smith, \"\"Ann\"\"\nline two\","
        "2025-01-31T10:00:00Z\r\n"
        "cus_1,bo@x.io,,2025-01-30T10:00:00Z\r\n");
  REQUIRE(h.daemon.calls.size() == 2);
  CHECK(h.daemon.calls[0].target == "/v1/customers?search=x&limit=1");
  CHECK(h.daemon.calls[1].target == "/v1/customers?search=x&limit=1&starting_after=cus_2");
}

TEST_CASE("export: payments carry their customer's email and keep negative numbers") {
  Harness h;
  h.daemon.Answer(R"({"object": "list", "has_more": false, "data": [
      {"id": "cus_1", "object": "customer", "email": "ann@x.io"}]})");
  h.daemon.Answer(R"({"object": "list", "has_more": false, "data": [
      {"id": "pay_1", "object": "payment", "status": "failed", "customer_id": "cus_1",
       "subscription_id": "sub_1", "amount": -1499, "amount_refunded": 0, "currency": "eur",
       "attempt": 2, "failure_code": "card_declined", "period_start": null,
       "period_end": null, "provider": "sandbox", "provider_ref": null,
       "created_at": "2025-01-31T10:00:00Z", "paid_at": null}]})");
  CHECK(h.Run({"export", "payments", "--status", "failed"}) == 0);
  CHECK(h.daemon.calls[0].target == "/v1/customers?limit=1000");
  CHECK(h.daemon.calls[1].target == "/v1/payments?status=failed&limit=1000");
  CHECK(h.out() ==
        "id,status,customer_id,customer_email,subscription_id,amount,amount_refunded,currency,"
        "attempt,failure_code,period_start,period_end,provider,provider_ref,created_at,paid_at\r\n"
        "pay_1,failed,cus_1,ann@x.io,sub_1,-1499,0,eur,2,card_declined,,,sandbox,,"
        "2025-01-31T10:00:00Z,\r\n");
}

TEST_CASE("export: ndjson writes the whole objects, one a line") {
  Harness h;
  h.daemon.Answer(R"({"object": "list", "has_more": false, "data": [
      {"id": "sub_1", "object": "subscription", "metadata": {"team": "blue"}}]})");
  CHECK(h.Run({"export", "subscriptions", "--format", "ndjson", "--status", "active"}) == 0);
  CHECK(h.out() == "{\"id\":\"sub_1\",\"object\":\"subscription\",\"metadata\":{\"team\":\"blue\"}}\n");
  CHECK(h.daemon.calls[0].target == "/v1/subscriptions?status=active&limit=1000");
}

TEST_CASE("export: --output-file is written whole or not at all") {
  auto dir = std::filesystem::temp_directory_path() / "jopayctl-export-test";
  std::filesystem::create_directories(dir);
  std::string file = (dir / "customers.csv").string();
  std::ofstream(file) << "the old export\n";

  Harness failed;
  failed.daemon.Answer(kCustomersPage1);
  failed.daemon.Fail(Status::Unavailable("connection lost"));
  CHECK(failed.Run({"export", "customers", "--output-file", file}) == 8);
  CHECK(ReadFile(file) == "the old export\n");  // untouched, and no partial file left
  CHECK_FALSE(std::filesystem::exists(file + ".partial"));

  Harness ok;
  ok.daemon.Answer(kCustomersPage2);
  CHECK(ok.Run({"export", "customers", "--output-file", file}) == 0);
  CHECK(ok.out() == "");
  CHECK(ReadFile(file) == "id,email,name,created_at\r\ncus_1,bo@x.io,,2025-01-30T10:00:00Z\r\n");

  Harness nowhere;
  CHECK(nowhere.Run({"export", "customers", "--output-file", (dir / "no/such.csv").string()}) == 5);
  CHECK(Has(nowhere.err(), "cannot write"));
  CHECK(nowhere.daemon.calls.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("export: an unknown collection or format is a usage error, exit 2") {
  Harness what;
  CHECK(what.Run({"export", "invoices"}) == 2);
  CHECK(Has(what.err(), "unknown export command: invoices"));
  Harness format;
  CHECK(format.Run({"export", "payments", "--format", "xml"}) == 2);
  CHECK(Has(format.err(), "xml"));
  Harness bare;
  CHECK(bare.Run({"export"}) == 2);
  CHECK(Has(bare.err(), "export needs a command: subscriptions, payments, customers"));
  CHECK(what.daemon.calls.empty());
  CHECK(format.daemon.calls.empty());
}

}  // namespace jopay::cli
