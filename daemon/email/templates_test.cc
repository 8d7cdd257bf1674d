#include "daemon/email/templates.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace jopay::email {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/jopay-templates-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

TEST_CASE("placeholders fill in; HTML bodies escape what customers typed") {
  Values v{{"customer_name", "<script>alert(1)</script> & \"Bo\""}, {"amount", "14.99 EUR"}};
  CHECK(Render("Hi {{customer_name}}, {{amount}}", v, false) ==
        "Hi <script>alert(1)</script> & \"Bo\", 14.99 EUR");
  CHECK(Render("<p>{{ customer_name }}</p>", v, true) ==
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bo&quot;</p>");
  CHECK(Render("{{missing}}.", v, false) == ".");
}

TEST_CASE("sections show their text only when the value is (or, inverted, is not) empty") {
  Values v{{"portal_url", "https://pay.example/portal/t"}, {"customer_name", ""}};
  std::string t = "{{#portal_url}}Go: {{portal_url}}{{/portal_url}}"
                  "{{^customer_name}}Hello,{{/customer_name}}{{#customer_name}}Hi {{customer_name}}{{/customer_name}}";
  CHECK(Render(t, v, false) == "Go: https://pay.example/portal/tHello,");
  v["portal_url"] = "";
  v["customer_name"] = "Ana";
  CHECK(Render(t, v, false) == "Hi Ana");
}

TEST_CASE("the built-in templates name only their kind's placeholders") {
  Templates t;
  for (const std::string& kind : kKinds) {
    const Template& tmpl = t.For(kind);
    CHECK_FALSE(tmpl.subject.empty());
    for (const std::string* part : {&tmpl.subject, &tmpl.text, &tmpl.html}) {
      Status st = CheckTemplate(*part, KnownPlaceholders(kind), kind);
      CHECK_MESSAGE(st.ok(), st.message());
    }
  }
}

TEST_CASE("subjects stay on one line whatever the values hold") {
  CHECK(RenderSubject("Receipt {{invoice_number}}", {{"invoice_number", "A\r\nBcc: x"}}) ==
        "Receipt A  Bcc: x");
}

TEST_CASE("a templates directory overrides file by file, and refuses typos at load") {
  TempDir dir;
  dir.Write("receipt.subject", "Danke! Beleg {{invoice_number}}\n");
  dir.Write("receipt.html", "<p>{{amount_paid}}</p>");
  auto t = Templates::Load(dir.path.string());
  REQUIRE(t.ok());
  CHECK(t->For("receipt").subject == "Danke! Beleg {{invoice_number}}");
  CHECK(t->For("receipt").html == "<p>{{amount_paid}}</p>");
  CHECK(t->For("receipt").text == Templates().For("receipt").text);  // not overridden
  CHECK(t->overrides().size() == 2);

  dir.Write("expired.txt", "Bye {{custmer_name}}");
  auto typo = Templates::Load(dir.path.string());
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().message().find("expired.txt: unknown placeholder {{custmer_name}}") !=
        std::string::npos);

  dir.Write("expired.txt", "{{#portal_url}}open");
  auto open = Templates::Load(dir.path.string());
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("never closed") != std::string::npos);

  dir.Write("expired.txt", "ok");
  dir.Write("cancelled.subject", "two\nlines");
  CHECK_FALSE(Templates::Load(dir.path.string()).ok());
  CHECK_FALSE(Templates::Load((dir.path / "nope").string()).ok());
}

}  // namespace
}  // namespace jopay::email
