#include "daemon/pages/invoice_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "daemon/pages/invoice_text.h"

namespace jopay::pages {

namespace {

// A4 in PostScript points (Cairo's PDF unit): 210 x 297 mm.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.890;
constexpr double kMargin = 50;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kBottom = kPageHeight - 70;  // below it: the footer
// The faces installed with the package (scripts/setup): DejaVu Sans covers Latin, Greek,
// Cyrillic, Arabic and Hebrew; WenQuanYi Micro Hei covers Chinese, Japanese kana and Hangul.
constexpr const char* kFamilies = "DejaVu Sans, WenQuanYi Micro Hei";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.11, 0.14, 0.19};
constexpr Rgb kMuted{0.36, 0.39, 0.46};
constexpr Rgb kRule{0.77, 0.80, 0.84};

struct Style {
  double size = 9;  // points
  bool bold = false;
  Rgb color = kInk;
  PangoAlignment align = PANGO_ALIGN_LEFT;
};

struct GObjectUnref {
  void operator()(void* p) const { g_object_unref(p); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectUnref>;

// One renderer at a time, on one font map. Pango promises thread safety only for its
// per-thread default font maps; a map shared by threads without a lock breaks (rrdtool drew
// boxes and aborted that way: oetiker/rrdtool-1.x#1098), and per-thread maps would load the
// fontconfig font list again in every HTTP worker and the mail sender and keep it until the
// thread ends. Pango 1.50 also runs FcInit on a thread of its own when a map is made, which
// has raced with other fontconfig callers (pango#784): made once, here, that race has no
// partner. An invoice renders in a few milliseconds (invoice_pdf_test.cc prints nothing; see
// the figure at InvoicePdf), so the lock costs nothing at invoice volumes.
std::mutex& RenderMutex() {
  static std::mutex mutex;
  return mutex;
}

// Made on first use under RenderMutex and kept for the life of the process.
PangoFontMap* FontMap() {
  static PangoFontMap* map = pango_cairo_font_map_new();
  return map;
}

// Outlines as the font draws them, unhinted, at unrounded positions: a PDF is scaled by its
// viewer, so grid-fitting for one resolution only distorts.
ContextPtr MakeContext(cairo_t* cr) {
  ContextPtr ctx(pango_font_map_create_context(FontMap()));
  pango_cairo_update_context(cr, ctx.get());
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(ctx.get(), options);
  cairo_font_options_destroy(options);
  pango_context_set_round_glyph_positions(ctx.get(), FALSE);
  // Fixed, not from the environment ($LANG picks fallback fonts), so the bytes do not depend
  // on how the daemon was started.
  pango_context_set_language(ctx.get(), pango_language_from_string("en"));
  pango_context_set_base_dir(ctx.get(), PANGO_DIRECTION_LTR);
  return ctx;
}

// `text` as one paragraph `width` points wide (0: unbounded). Auto-dir: a paragraph whose
// first strong character is Arabic or Hebrew runs right to left (and its alignment mirrors,
// as dir="auto" does in HTML).
LayoutPtr MakeLayout(PangoContext* ctx, std::string_view text, const Style& s, double width) {
  LayoutPtr layout(pango_layout_new(ctx));
  pango_layout_set_auto_dir(layout.get(), TRUE);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  PangoFontDescription* font = pango_font_description_from_string(kFamilies);
  pango_font_description_set_absolute_size(font, s.size * PANGO_SCALE);
  pango_font_description_set_weight(font, s.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  if (width > 0) {
    pango_layout_set_width(layout.get(), pango_units_from_double(width));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout.get(), s.align);
  return layout;
}

double HeightOf(PangoLayout* layout) {
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return pango_units_to_double(h);
}

double WidthOf(PangoLayout* layout) {
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return pango_units_to_double(w);
}

// One PDF being drawn: the cursor, the page count and the footer every page carries.
struct Sheet {
  cairo_t* cr;
  PangoContext* ctx;
  std::string footer_left;
  std::string footer_right;  // the number: which document a loose page belongs to
  double y = kMargin;
  int page = 1;

  // Draws `text` in a box at (x, top), returns its height.
  double Text(double x, double top, double width, std::string_view text, const Style& s) {
    if (text.empty()) return 0;
    LayoutPtr layout = MakeLayout(ctx, text, s, width);
    cairo_set_source_rgb(cr, s.color.r, s.color.g, s.color.b);
    cairo_move_to(cr, x, top);
    pango_cairo_show_layout(cr, layout.get());
    return HeightOf(layout.get());
  }

  double Measure(double width, std::string_view text, const Style& s) {
    if (text.empty()) return 0;
    return HeightOf(MakeLayout(ctx, text, s, width).get());
  }

  void Rule(double x0, double x1, double at) {
    cairo_set_source_rgb(cr, kRule.r, kRule.g, kRule.b);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, x0, at);
    cairo_line_to(cr, x1, at);
    cairo_stroke(cr);
  }

  void Footer() {
    Style s{7.5, false, kMuted};
    double at = kPageHeight - 50;
    Rule(kMargin, kMargin + kContentWidth, at - 6);
    Text(kMargin, at, kContentWidth * 0.7, footer_left, s);
    s.align = PANGO_ALIGN_RIGHT;
    Text(kMargin + kContentWidth * 0.7, at, kContentWidth * 0.3,
         footer_right + " \u00b7 page " + std::to_string(page), s);
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr);
    ++page;
    y = kMargin;
  }

  // Starts a new page unless `height` more points fit on this one.
  void Need(double height) {
    if (y + height > kBottom) NewPage();
  }
};

// A text of the invoice's and the style to draw it in; empty texts are skipped.
struct Piece {
  std::string text;
  Style style;
};

// `pieces` one under the other in a column; returns the column's height.
double Column(Sheet& sh, double x, double top, double width, const std::vector<Piece>& pieces) {
  double y = top;
  for (const Piece& p : pieces) {
    double h = sh.Text(x, y, width, p.text, p.style);
    if (h > 0) y += h + 2;
  }
  return y - top;
}

// A label in the left part of the column and its value beside it, both as their own
// paragraphs (a Hebrew value cannot reorder the label); returns the row's height.
double KeyValue(Sheet& sh, double x, double top, double width, std::string_view label,
                std::string_view value) {
  constexpr double kLabelWidth = 90;
  double a = sh.Text(x, top, kLabelWidth - 6, label, {9, false, kMuted});
  double b = sh.Text(x + kLabelWidth, top, width - kLabelWidth, value, {});
  return std::max(a, b) + 3;
}

void Banner(Sheet& sh, const Invoice& inv) {
  if (inv.livemode) return;
  Style s{9, true, {0.48, 0.32, 0.0}, PANGO_ALIGN_CENTER};
  std::string text = "TEST MODE: this document bills no real money.";
  double h = sh.Measure(kContentWidth, text, s);
  cairo_set_source_rgb(sh.cr, 1.0, 0.96, 0.84);
  cairo_rectangle(sh.cr, kMargin, sh.y - 3, kContentWidth, h + 6);
  cairo_fill(sh.cr);
  sh.Text(kMargin, sh.y, kContentWidth, text, s);
  sh.y += h + 18;
}

// Each mark in a box, right-aligned, one under the other; returns their height.
double Marks(Sheet& sh, double right, double top, const Invoice& inv) {
  double y = top;
  for (const std::string& mark : InvoiceMarks(inv)) {
    Rgb color = mark == "PAID"          ? Rgb{0.08, 0.33, 0.18}
                : mark == "CREDIT NOTE" ? Rgb{0.20, 0.33, 0.82}
                                        : Rgb{0.54, 0.11, 0.07};
    Style s{12, true, color};
    LayoutPtr layout = MakeLayout(sh.ctx, mark, s, 0);
    double w = WidthOf(layout.get()), h = HeightOf(layout.get());
    cairo_set_source_rgb(sh.cr, color.r, color.g, color.b);
    cairo_set_line_width(sh.cr, 1.5);
    cairo_rectangle(sh.cr, right - w - 12, y, w + 12, h + 6);
    cairo_stroke(sh.cr);
    cairo_move_to(sh.cr, right - w - 6, y + 3);
    pango_cairo_show_layout(sh.cr, layout.get());
    y += h + 12;
  }
  return y - top;
}

void Header(Sheet& sh, const Invoice& inv) {
  const InvoiceIssuer& m = inv.issuer;
  double left_w = kContentWidth * 0.58;
  double right_x = kMargin + left_w + 10, right_w = kContentWidth - left_w - 10;
  double left = Column(sh, kMargin, sh.y, left_w,
                       {{m.name, {15, true}},
                        {m.address, {}},
                        {m.tax_id.empty() ? "" : "Tax ID " + m.tax_id, {}},
                        {m.support_email, {}}});
  Style title{20, true, kInk, PANGO_ALIGN_RIGHT};
  Style number{11, true, kInk, PANGO_ALIGN_RIGHT};
  double right = Column(sh, right_x, sh.y, right_w,
                        {{InvoiceTitle(inv), title}, {inv.number, number}});
  right += 6 + Marks(sh, kMargin + kContentWidth, sh.y + right + 6, inv);
  sh.y += std::max(left, right) + 20;
}

void Parties(Sheet& sh, const Invoice& inv) {
  double half = kContentWidth / 2;
  double y = sh.y;
  y += KeyValue(sh, kMargin, y, half - 10, "Issued", IsoDate(inv.created_at));
  std::string period = PeriodText(inv.period_start, inv.period_end);
  if (!period.empty()) y += KeyValue(sh, kMargin, y, half - 10, "Period", period);
  if (inv.paid_at) y += KeyValue(sh, kMargin, y, half - 10, "Paid", IsoDate(*inv.paid_at));
  if (inv.voided_at) y += KeyValue(sh, kMargin, y, half - 10, "Voided", IsoDate(*inv.voided_at));
  y += KeyValue(sh, kMargin, y, half - 10, "Status", inv.status);
  if (inv.credit_for) y += KeyValue(sh, kMargin, y, half - 10, "Credits invoice", *inv.credit_for);
  if (inv.reason) y += KeyValue(sh, kMargin, y, half - 10, "Reason", *inv.reason);

  double x = kMargin + half + 10;
  double right = Column(sh, x, sh.y, half - 10,
                        {{"BILL TO", {8, true, kMuted}},
                         {inv.customer_name, {10, true}},
                         {inv.customer_email, {}},
                         {inv.customer_address, {}},
                         {inv.customer_tax_id.empty() ? "" : "Tax ID " + inv.customer_tax_id, {}}});
  sh.y = std::max(y, sh.y + right) + 22;
}

// The lines table's columns: left edge and width.
struct Col {
  double x, w;
};
constexpr double kGap = 8;
const Col kDesc{kMargin, 190};
const Col kPeriod{kDesc.x + kDesc.w + kGap, 118};
const Col kQty{kPeriod.x + kPeriod.w + kGap, 30};
const Col kUnit{kQty.x + kQty.w + kGap, 62};
const Col kAmount{kUnit.x + kUnit.w + kGap, kMargin + kContentWidth - (kUnit.x + kUnit.w + kGap)};

void TableHead(Sheet& sh) {
  Style s{8.5, true, kMuted};
  Style n = s;
  n.align = PANGO_ALIGN_RIGHT;
  double h = sh.Text(kDesc.x, sh.y, kDesc.w, "Description", s);
  sh.Text(kPeriod.x, sh.y, kPeriod.w, "Period", s);
  sh.Text(kQty.x, sh.y, kQty.w, "Qty", n);
  sh.Text(kUnit.x, sh.y, kUnit.w, "Unit price", n);
  sh.Text(kAmount.x, sh.y, kAmount.w, "Amount", n);
  sh.y += h + 4;
  sh.Rule(kMargin, kMargin + kContentWidth, sh.y);
  sh.y += 5;
}

void LineRow(Sheet& sh, const Invoice& inv, const InvoiceLine& l) {
  Style s{9};
  Style muted{9, false, kMuted};
  Style n{9, false, kInk, PANGO_ALIGN_RIGHT};
  std::string period = PeriodText(l.period_start, l.period_end);
  std::string qty = std::to_string(l.quantity);
  std::string unit = FormatMoney(l.unit_amount, inv.currency);
  std::string amount = FormatMoney(l.amount, inv.currency);
  double h = std::max({sh.Measure(kDesc.w, l.description, s), sh.Measure(kPeriod.w, period, s),
                       sh.Measure(kUnit.w, unit, n), sh.Measure(kAmount.w, amount, n)});
  if (sh.y + h + 10 > kBottom) {
    sh.NewPage();
    TableHead(sh);  // a reader of page 2 still knows the columns
  }
  sh.Text(kDesc.x, sh.y, kDesc.w, l.description, s);
  sh.Text(kPeriod.x, sh.y, kPeriod.w, period, muted);
  sh.Text(kQty.x, sh.y, kQty.w, qty, n);
  sh.Text(kUnit.x, sh.y, kUnit.w, unit, n);
  sh.Text(kAmount.x, sh.y, kAmount.w, amount, n);
  sh.y += h + 4;
  sh.Rule(kMargin, kMargin + kContentWidth, sh.y);
  sh.y += 5;
}

void Totals(Sheet& sh, const Invoice& inv) {
  std::vector<TotalRow> rows = InvoiceTotals(inv);
  constexpr double kRowHeight = 17;  // a 9.5 pt line and its spacing
  sh.Need(rows.size() * kRowHeight + 10);  // the box stays on one page
  sh.y += 6;
  double label_x = kMargin + kContentWidth - 250, label_w = 150;
  double amount_x = label_x + label_w, amount_w = 100;
  for (const TotalRow& r : rows) {
    if (r.strong) sh.Rule(label_x, amount_x + amount_w, sh.y - 3);
    double h = sh.Text(label_x, sh.y, label_w, r.label, {9.5, r.strong});
    sh.Text(amount_x, sh.y, amount_w, r.amount, {9.5, r.strong, kInk, PANGO_ALIGN_RIGHT});
    sh.y += h + 5;
  }
}

void Draw(Sheet& sh, const Invoice& inv) {
  Banner(sh, inv);
  Header(sh, inv);
  Parties(sh, inv);
  TableHead(sh);
  for (const InvoiceLine& l : inv.lines) LineRow(sh, inv, l);
  Totals(sh, inv);
  sh.Footer();
}

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// The document information dictionary. The dates are the invoice's: without them Cairo writes
// the current time, and the same invoice would give different bytes each time.
void SetMetadata(cairo_surface_t* surface, const Invoice& inv) {
  std::string title = InvoiceTitle(inv) + " " + inv.number;
  std::string date = FormatRfc3339(inv.created_at);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, inv.issuer.name.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "JoPay");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
}

std::string FooterText(const Invoice& inv) {
  std::string who = inv.issuer.name;
  if (!inv.issuer.support_email.empty()) {
    who += (who.empty() ? "" : " \u00b7 ") + inv.issuer.support_email;
  }
  return who;
}

}  // namespace

std::string InvoicePdf(const Invoice& inv) {
  std::lock_guard<std::mutex> lock(RenderMutex());
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(Append, &out, kPageWidth, kPageHeight);
  SetMetadata(surface, inv);
  cairo_t* cr = cairo_create(surface);
  {
    ContextPtr ctx = MakeContext(cr);
    Sheet sheet{cr, ctx.get(), FooterText(inv), inv.number};
    Draw(sheet, inv);
  }
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);  // writes the rest of the file into `out`
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string("invoice PDF: ") + cairo_status_to_string(status));
  }
  return out;
}

}  // namespace jopay::pages
