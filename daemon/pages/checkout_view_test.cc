#include "daemon/pages/checkout_view.h"

#include <doctest/doctest.h>

namespace jopay::pages {
namespace {

Session PaymentSession() {
  Session s;
  s.id = "cs_test";
  s.mode = "payment";
  s.status = "pending";
  s.line_items = {{"<b>Beans</b>", 1250, "eur", 2}};
  s.amount = 2500;
  s.currency = "eur";
  s.success_url = "https://shop.example/ok?a=1&b=2";
  s.cancel_url = "https://shop.example/cancel";
  s.metadata = R"({"order":"<i>7</i>"})";
  s.expires_at = 100;
  return s;
}

TEST_CASE("EveryInterval: singular for one, counted plural otherwise") {
  CHECK(EveryInterval(Interval::kMonth, 1) == "every month");
  CHECK(EveryInterval(Interval::kWeek, 2) == "every 2 weeks");
}

TEST_CASE("CheckoutPage: items, total, token and test cards; merchant strings escaped") {
  std::string html = CheckoutPage(PaymentSession(), {"tok123", "", "", ""});
  CHECK(html.find("&lt;b&gt;Beans&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>Beans") == std::string::npos);
  CHECK(html.find(">order<") == std::string::npos);  // metadata is the merchant's, never shown
  CHECK(html.find("&lt;i&gt;7") == std::string::npos);
  CHECK(html.find("2 &times; 12.50 EUR") != std::string::npos);
  CHECK(html.find("Pay 25.00 EUR") != std::string::npos);
  CHECK(html.find("name=\"token\" value=\"tok123\"") != std::string::npos);
  CHECK(html.find("4242424242424242") != std::string::npos);
  CHECK(html.find("id=\"error\"") == std::string::npos);
}

TEST_CASE("CheckoutPage: live sessions show neither the banner nor the test cards") {
  Session s = PaymentSession();
  s.livemode = true;
  std::string html = CheckoutPage(s, {"t", "", "", "Your card was declined."});
  CHECK(html.find("test-mode") == std::string::npos);
  CHECK(html.find("4242424242424242") == std::string::npos);
  CHECK(html.find("Your card was declined.") != std::string::npos);
}

TEST_CASE("SessionStatePage: completed links on, and no form is shown") {
  Session s = PaymentSession();
  s.status = "completed";
  std::string html = SessionStatePage(s, "https://shop.example/ok?a=1&b=2&session_id=cs_test");
  CHECK(html.find("Payment complete") != std::string::npos);
  CHECK(html.find("href=\"https://shop.example/ok?a=1&amp;b=2&amp;session_id=cs_test\"") !=
        std::string::npos);
  CHECK(html.find("<form") == std::string::npos);
}

}  // namespace
}  // namespace jopay::pages
