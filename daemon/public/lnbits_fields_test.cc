#include "daemon/public/lnbits_fields.h"

#include <doctest/doctest.h>

namespace jopay::pub {
namespace {

TEST_CASE("lnbits: interval units are spelled as adverbs and parse back either way") {
  for (Interval i : {Interval::kDay, Interval::kWeek, Interval::kMonth, Interval::kYear}) {
    auto back = ParseInterval(LnbitsIntervalName(i));
    REQUIRE(back.ok());
    CHECK(*back == i);
    CHECK(*ParseInterval(IntervalName(i)) == i);
  }
  CHECK(LnbitsIntervalName(Interval::kMonth) == "monthly");
  CHECK(LnbitsIntervalName(Interval::kWeek) == "weekly");
  CHECK(LnbitsIntervalName(Interval::kYear) == "yearly");
  CHECK_FALSE(ParseInterval("fortnightly").ok());
  CHECK_FALSE(ParseInterval("Monthly").ok());
}

TEST_CASE("eventop: paymentInterval seconds (month = 30 days, year = 365 days)") {
  CHECK(IntervalSeconds(Interval::kDay, 1) == 86400);
  CHECK(IntervalSeconds(Interval::kWeek, 2) == 1209600);
  CHECK(IntervalSeconds(Interval::kMonth, 1) == 2592000);  // the reference's example
  CHECK(IntervalSeconds(Interval::kMonth, 3) == 7776000);
  CHECK(IntervalSeconds(Interval::kYear, 1) == 31536000);
}

TEST_CASE("lnbits: status filters accept the British cancelled") {
  CHECK(*ParseSubscriptionStatus("cancelled") == "canceled");
  CHECK(*ParseSubscriptionStatus("canceled") == "canceled");
  CHECK(*ParseSubscriptionStatus("past_due") == "past_due");
  auto bad = ParseSubscriptionStatus("gone");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().param() == "status");
}

TEST_CASE("lnbits: payment methods map to providers and back") {
  CHECK(PaymentMethodOfProvider("sandbox") == "card");
  CHECK(PaymentMethodOfProvider("none") == "none");
  CHECK(*ParsePaymentMethodFilter("card") == "card");
  CHECK(*ParsePaymentMethodFilter("stripe") == "card");
  CHECK(*ParsePaymentMethodFilter("lightning") == "lightning");
  auto bad = ParsePaymentMethodFilter("cash");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().param() == "payment_method");
}

TEST_CASE("lnbits: list windows are limit 1..1000 (default 100) and offset 0..100000") {
  auto def = ParseWindow({});
  REQUIRE(def.ok());
  CHECK(def->limit == 100);
  CHECK(def->offset == 0);
  auto w = ParseWindow({{"limit", "5"}, {"offset", "10"}});
  CHECK(w->limit == 5);
  CHECK(w->offset == 10);
  for (const char* bad : {"0", "1001", "-1", "1.5", "x", ""}) {
    auto r = ParseWindow({{"limit", bad}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().param() == "limit");
  }
  CHECK(ParseWindow({{"offset", "-1"}}).status().param() == "offset");
  CHECK(ParseWindow({{"offset", "100001"}}).status().param() == "offset");
}

}  // namespace
}  // namespace jopay::pub
