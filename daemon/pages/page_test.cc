#include "daemon/pages/page.h"

#include <doctest/doctest.h>

namespace jopay::pages {

TEST_CASE("Layout names the merchant, escaped; the logo's origin joins img-src") {
  SetMerchant({"A&B <Shop>", "https://cdn.example:8443/l.png", "help@example.com"});
  std::string html = Layout("Checkout", false, "<p>body</p>");
  CHECK(html.find("<span id=\"merchant-name\">A&amp;B &lt;Shop&gt;</span>") != std::string::npos);
  CHECK(html.find("src=\"https://cdn.example:8443/l.png\"") != std::string::npos);
  CHECK(html.find("href=\"mailto:help@example.com\"") != std::string::npos);
  CHECK(html.find("<title>Checkout - A&amp;B &lt;Shop&gt;</title>") != std::string::npos);
  CHECK(ContentSecurityPolicy().find("img-src data: https://cdn.example:8443;") !=
        std::string::npos);

  SetMerchant({});  // as before: nothing named, images from data: only
  html = Layout("Checkout", false, "<p>body</p>");
  CHECK(html.find("merchant-name") == std::string::npos);
  CHECK(html.find("mailto:") == std::string::npos);
  CHECK(html.find("<title>Checkout</title>") != std::string::npos);
  CHECK(ContentSecurityPolicy().find("img-src data:;") != std::string::npos);
}

}  // namespace jopay::pages
