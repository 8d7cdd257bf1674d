#include "daemon/pages/invoice_pdf.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace jopay::pages {
namespace {

Invoice Sample() {
  Invoice inv;
  inv.id = "in_1";
  inv.livemode = true;
  inv.number = "JP-000123";
  inv.status = "paid";
  inv.currency = "usd";
  inv.lines = {{"Pro plan", 1739188800, 1741608000, 2, 1499, 2998},
               {"Extra seat", std::nullopt, std::nullopt, 1, 500, 500}};
  inv.subtotal = inv.total = inv.amount_paid = 3498;
  inv.customer_name = "Zoë Müller";
  inv.customer_email = "zoe@example.com";
  inv.customer_address = "Hauptstr. 1\n10115 Berlin";
  inv.customer_tax_id = "DE999";
  inv.issuer = {"Acme Tools GmbH", "Acme Way 5\nBerlin", "DE123456789", "billing@acme.example",
                ""};
  inv.created_at = 1739188800;
  inv.paid_at = 1739200000;
  return inv;
}

// A temporary file holding `bytes`, removed when this goes away.
struct TempPdf {
  std::string path;
  explicit TempPdf(const std::string& bytes) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jopay-invoice-XXXXXX.pdf");
    int fd = mkstemps(tmpl.data(), 4);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempPdf() { std::filesystem::remove(path); }
};

// The output of a poppler tool on `pdf`. The tools are a test dependency (scripts/setup
// --tests installs poppler-utils): missing, the test fails, since a skipped check would pass
// a PDF nobody could read.
std::string Poppler(const std::string& tool, const std::string& args, const std::string& pdf) {
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) != 0) {
    FAIL(tool << " is missing: install poppler-utils (scripts/setup --tests)");
  }
  TempPdf file(pdf);
  std::string cmd = tool + " " + args + " '" + file.path + "' - 2>&1";
  if (tool == "pdffonts") cmd = tool + " '" + file.path + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  INFO(cmd << ": " << out);
  REQUIRE(status == 0);
  return out;
}

std::string PdfText(const std::string& pdf) { return Poppler("pdftotext", "-enc UTF-8", pdf); }

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("InvoicePdf: a PDF, byte for byte the same each time the invoice is rendered") {
  std::string a = InvoicePdf(Sample());
  std::string b = InvoicePdf(Sample());
  CHECK(a.rfind("%PDF-", 0) == 0);
  CHECK(a.size() > 1000);
  CHECK(a == b);
  // The document's dates are the invoice's (2025-02-10T12:00:00Z), not the clock's. (Cairo
  // 1.16, Debian 12's, writes them without the "D:" prefix of PDF's date strings.)
  CHECK(Has(a, "/CreationDate (D:20250210120000") != Has(a, "/CreationDate (20250210120000"));
  CHECK(Has(a, "/ModDate (D:20250210120000") != Has(a, "/ModDate (20250210120000"));
  Invoice other = Sample();
  other.number = "JP-000124";
  CHECK(InvoicePdf(other) != a);
}

TEST_CASE("InvoicePdf: renders from several threads at once give the single-thread bytes") {
  std::string expected = InvoicePdf(Sample());
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (std::string& g : got) threads.emplace_back([&g] { g = InvoicePdf(Sample()); });
  for (std::thread& t : threads) t.join();
  for (const std::string& g : got) CHECK(g == expected);
}

TEST_CASE("InvoicePdf: the text reads back: number, merchant, customer, lines, totals") {
  std::string text = PdfText(InvoicePdf(Sample()));
  INFO(text);
  CHECK(Has(text, "JP-000123"));
  CHECK(Has(text, "Acme Tools GmbH"));
  CHECK(Has(text, "DE123456789"));
  CHECK(Has(text, "billing@acme.example"));
  CHECK(Has(text, "Zoë Müller"));
  CHECK(Has(text, "zoe@example.com"));
  CHECK(Has(text, "Pro plan"));
  CHECK(Has(text, "2025-02-10"));
  CHECK(Has(text, "14.99 USD"));
  CHECK(Has(text, "34.98 USD"));
  CHECK(Has(text, "PAID"));
}

// `text` without spaces, line breaks and the embedding marks (U+202A..U+202E) pdftotext
// wraps right-to-left runs in.
std::string Letters(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "\xe2\x80") == 0 && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 2]) >= 0xaa &&
        static_cast<unsigned char>(text[i + 2]) <= 0xae) {
      i += 2;
      continue;
    }
    if (text[i] != ' ' && text[i] != '\n') out += text[i];
  }
  return out;
}

TEST_CASE("InvoicePdf: Arabic, Hebrew and CJK names come out as the same text") {
  // Each as the customer's name and as a line, so both the bill-to block and the table are
  // covered; pdftotext reads through the fonts' ToUnicode maps, so shaped (joined) Arabic
  // and right-to-left runs must map back to the letters that were given.
  for (std::string name : {"محمد عبد الله", "דוד כהן", "王小明", "山田太郎", "김민준"}) {
    CAPTURE(name);
    Invoice inv = Sample();
    inv.customer_name = name;
    inv.lines[1].description = name;
    std::string text = PdfText(InvoicePdf(inv));
    INFO(text);
    // pdftotext guesses word gaps from glyph positions, and in the bold bill-to name it puts a
    // space between right-to-left letters; the letters and their order are what must survive.
    std::string letters = Letters(text), wanted = Letters(name);
    size_t first = letters.find(wanted);
    REQUIRE(first != std::string::npos);
    CHECK(letters.find(wanted, first + 1) != std::string::npos);
    CHECK(Has(text, name));  // the table's line reads back exactly
  }
}

TEST_CASE("InvoicePdf: JPY amounts have no decimals") {
  Invoice inv = Sample();
  inv.currency = "jpy";
  inv.lines = {{"Pro plan", std::nullopt, std::nullopt, 3, 1500, 4500}};
  inv.subtotal = inv.total = inv.amount_paid = 4500;
  std::string text = PdfText(InvoicePdf(inv));
  INFO(text);
  CHECK(Has(text, "1500 JPY"));
  CHECK(Has(text, "4500 JPY"));
  CHECK_FALSE(Has(text, "45.00"));
}

TEST_CASE("InvoicePdf: a credit note says so") {
  Invoice inv = Sample();
  inv.kind = "credit_note";
  inv.status = "open";
  inv.number = "JP-CN-000004";
  inv.credit_for = "in_1";
  inv.lines = {{"Refund", std::nullopt, std::nullopt, 1, -500, -500}};
  inv.subtotal = inv.total = -500;
  inv.amount_paid = 0;
  std::string text = PdfText(InvoicePdf(inv));
  INFO(text);
  CHECK(Has(text, "Credit note"));
  CHECK(Has(text, "CREDIT NOTE"));
  CHECK(Has(text, "-5.00 USD"));
  CHECK_FALSE(Has(text, "Amount due"));
}

TEST_CASE("InvoicePdf: a long invoice breaks onto more pages, the table's head repeated") {
  Invoice inv = Sample();
  inv.lines.assign(80, {"Seat", std::nullopt, std::nullopt, 1, 100, 100});
  inv.subtotal = inv.total = inv.amount_paid = 8000;
  std::string text = PdfText(InvoicePdf(inv));
  INFO(text);
  CHECK(Has(text, "page 2"));
  CHECK(Has(text, "80.00 USD"));
  size_t heads = 0;
  for (size_t at = text.find("Unit price"); at != std::string::npos;
       at = text.find("Unit price", at + 1)) {
    ++heads;
  }
  CHECK(heads >= 2);
}

// pdffonts prints a row per font: name, type (one or two words), encoding, then the columns
// emb, sub, uni, object, generation: emb is the fifth word from the end.
TEST_CASE("InvoicePdf: every font is embedded, the Latin and the CJK face among them") {
  Invoice inv = Sample();
  inv.customer_name = "王小明";
  inv.lines[1].description = "محمد";
  std::string listing = Poppler("pdffonts", "", InvoicePdf(inv));
  INFO(listing);
  std::istringstream in(listing);
  std::string row;
  int fonts = 0;
  bool dejavu = false, wqy = false, cairo_cff = false;
  while (std::getline(in, row)) {
    if (row.rfind("name ", 0) == 0 || row.rfind("----", 0) == 0 || row.empty()) continue;
    std::vector<std::string> words;
    std::istringstream w(row);
    for (std::string word; w >> word;) words.push_back(word);
    REQUIRE(words.size() >= 6);
    CAPTURE(row);
    CHECK(words[words.size() - 5] == "yes");
    dejavu = dejavu || Has(words[0], "DejaVuSans");
    wqy = wqy || Has(words[0], "WenQuanYi");
    cairo_cff = cairo_cff || Has(words[0], "CairoFont");
    ++fonts;
  }
  CHECK(dejavu);
  // Cairo 1.16 cannot subset a TrueType collection (wqy-microhei.ttc) as TrueType: it embeds
  // the CJK face as a CFF font it names CairoFont-N-M. Either name proves it is in the file;
  // the CJK text reading back (the test above) proves it is the right one.
  CHECK((wqy || cairo_cff));
  CHECK(fonts >= 3);
}

}  // namespace
}  // namespace jopay::pages
