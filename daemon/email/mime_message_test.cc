#include "daemon/email/mime_message.h"

#include <doctest/doctest.h>

#include "common/crypto.h"

namespace jopay::email {
namespace {

MimeMessage Sample() {
  MimeMessage m;
  m.from = {"JoPay Shop", "billing@shop.example"};
  m.to = {"", "ana@example.com"};
  m.subject = "Your receipt";
  m.text = "Hello,\nthanks.\n";
  m.html = "<p>Hello,</p>\n<p>thanks.</p>\n";
  m.date = 1738317600;  // 2025-01-31T10:00:00Z
  m.message_id = MessageIdFor("em_abc", "billing@shop.example");
  return m;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find("\r\n", start);
    REQUIRE(end != std::string::npos);  // every line, the last too, ends in CRLF
    out.push_back(s.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

// The quoted-printable decoding RFC 2045 6.7 describes, to check the encoder against.
std::string DecodeQp(const std::string& qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && qp.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += qp[i];
    }
  }
  return out;
}

TEST_CASE("a message is 7-bit, CRLF-terminated lines of at most 78 characters") {
  MimeMessage m = Sample();
  m.subject = "Reçu de votre abonnement « Pro » — merci beaucoup pour votre confiance, à bientôt";
  m.from.name = "Café Ünïcode GmbH";
  m.text = std::string(300, 'x') + " \n" + "Grüße\n";
  m.attachments.push_back({"JP-000001.pdf", "application/pdf", std::string(1000, '\xff')});
  auto built = BuildMime(m);
  REQUIRE(built.ok());
  for (const std::string& line : Lines(*built)) {
    CHECK(line.size() <= 78);
    for (char c : line) CHECK(static_cast<unsigned char>(c) < 0x80);
  }
}

TEST_CASE("non-ASCII subjects and names become encoded-words that decode back") {
  std::string subject = "Reçu n° 42 — ありがとうございます, and a long tail of plain words after it";
  std::string header = EncodeHeader("Subject", subject);
  std::string decoded;
  size_t pos = 0;
  while ((pos = header.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = header.find("?=", pos + 10);
    REQUIRE(end != std::string::npos);
    std::string bytes;
    REQUIRE(Base64Decode(header.substr(pos + 10, end - pos - 10), bytes));
    decoded += bytes;
    pos = end + 2;
  }
  CHECK(decoded == subject);
  CHECK(EncodeHeader("Subject", "Plain words stay plain") == "Subject: Plain words stay plain");
  // ASCII that a decoder would take for an encoded-word is encoded itself.
  CHECK(EncodeHeader("Subject", "a =?x?Q?y?= b").find("=?UTF-8?B?") != std::string::npos);
}

TEST_CASE("display names are quoted when they hold specials") {
  MimeMessage m = Sample();
  m.from.name = "Shop, Inc. \"Best\"";
  auto built = BuildMime(m);
  REQUIRE(built.ok());
  CHECK(built->find("From: \"Shop, Inc. \\\"Best\\\"\" <billing@shop.example>\r\n") !=
        std::string::npos);
  CHECK(built->find("To: ana@example.com\r\n") != std::string::npos);
}

TEST_CASE("a line break in any header input is refused, never stripped") {
  for (auto set : std::vector<void (*)(MimeMessage&)>{
           [](MimeMessage& m) { m.subject = "Receipt\r\nBcc: victim@example.com"; },
           [](MimeMessage& m) { m.subject = "Receipt\nX: y"; },
           [](MimeMessage& m) { m.to.name = "Ana\rBcc: x@y.z"; },
           [](MimeMessage& m) { m.from.name = "Shop\n"; },
           [](MimeMessage& m) { m.to.address = "ana@example.com\r\nBcc: x@y.z"; },
           [](MimeMessage& m) { m.to.address = "ana@example.com>, <x@y.z"; },
           [](MimeMessage& m) { m.list_unsubscribe = "https://x.example/u\r\nX: y"; },
           [](MimeMessage& m) { m.attachments.push_back({"a\n.pdf", "application/pdf", "x"}); },
       }) {
    MimeMessage m = Sample();
    set(m);
    auto built = BuildMime(m);
    CHECK_FALSE(built.ok());
    CHECK(built.status().code() == "email_invalid");
  }
}

TEST_CASE("addresses must be plain ASCII addr-specs") {
  CHECK(CheckAddress("ana.b+tag@mail.example.com", "to").ok());
  CHECK_FALSE(CheckAddress("ana@localhost", "to").ok());
  CHECK_FALSE(CheckAddress("\"a b\"@example.com", "to").ok());
  CHECK_FALSE(CheckAddress("ana..b@example.com", "to").ok());
  CHECK_FALSE(CheckAddress("anä@example.com", "to").ok());
  CHECK_FALSE(CheckAddress("ana@exa_mple.com", "to").ok());
  CHECK_FALSE(CheckAddress("ana@-example.com", "to").ok());
  CHECK(CheckAddress("anä@example.com", "the recipient").message().find("non-ASCII") !=
        std::string::npos);
}

TEST_CASE("quoted-printable keeps lines short, encodes trailing space, and decodes back") {
  std::string text = std::string(200, 'a') + "= \nline two\t\n\nGrüße \n";
  std::string qp = QuotedPrintable(text);
  for (const std::string& line : Lines(qp)) CHECK(line.size() <= 76);
  CHECK(qp.find(" \r\n") == std::string::npos);
  CHECK(qp.find("\t\r\n") == std::string::npos);
  std::string expected = std::string(200, 'a') + "= \r\nline two\t\r\n\r\nGrüße \r\n";
  CHECK(DecodeQp(qp) == expected);
  CHECK(QuotedPrintable("no newline") == "no newline\r\n");
}

TEST_CASE("base64 attachments come in 76-column lines") {
  std::string data(1000, '\x01');
  std::string lines = Base64Lines(data);
  std::string joined;
  auto all = Lines(lines);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < all.size()) CHECK(all[i].size() == 76);
    joined += all[i];
  }
  std::string back;
  REQUIRE(Base64Decode(joined, back));
  CHECK(back == data);
}

TEST_CASE("the structure: mixed around alternative (text, then HTML), then the attachment") {
  MimeMessage m = Sample();
  m.attachments.push_back({"JP-TEST-000001.pdf", "application/pdf", "%PDF-1.4"});
  m.list_unsubscribe = "https://pay.example/email/unsubscribe/tok";
  auto built = BuildMime(m);
  REQUIRE(built.ok());
  const std::string& s = *built;
  size_t mixed = s.find("Content-Type: multipart/mixed;");
  size_t alt = s.find("Content-Type: multipart/alternative;");
  size_t text = s.find("Content-Type: text/plain; charset=utf-8");
  size_t html = s.find("Content-Type: text/html; charset=utf-8");
  size_t pdf = s.find("Content-Type: application/pdf");
  REQUIRE(mixed != std::string::npos);
  CHECK(mixed < alt);
  CHECK(alt < text);
  CHECK(text < html);
  CHECK(html < pdf);
  CHECK(s.find("filename=\"JP-TEST-000001.pdf\"") != std::string::npos);
  CHECK(s.find("Date: Fri, 31 Jan 2025 10:00:00 +0000\r\n") == 0);
  CHECK(s.find("Message-ID: <em_abc@shop.example>\r\n") != std::string::npos);
  CHECK(s.find("List-Unsubscribe: <https://pay.example/email/unsubscribe/tok>\r\n") !=
        std::string::npos);
  CHECK(s.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") != std::string::npos);
  CHECK(s.find("MIME-Version: 1.0\r\n") != std::string::npos);
}

TEST_CASE("the same email builds the same bytes; text-only messages have one part") {
  MimeMessage m = Sample();
  CHECK(*BuildMime(m) == *BuildMime(m));
  m.html.clear();
  auto built = BuildMime(m);
  REQUIRE(built.ok());
  CHECK(built->find("multipart") == std::string::npos);
  CHECK(built->find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
}

TEST_CASE("non-ASCII attachment names are sent as RFC 2231 filename*") {
  MimeMessage m = Sample();
  m.attachments.push_back({"Rechnung-Müller.pdf", "application/pdf", "x"});
  auto built = BuildMime(m);
  REQUIRE(built.ok());
  CHECK(built->find("filename*=utf-8''Rechnung-M%C3%BCller.pdf") != std::string::npos);
}

}  // namespace
}  // namespace jopay::email
