#include "daemon/pages/page.h"

#include <boost/url/parse.hpp>

#include "common/crypto.h"
#include "daemon/pages/html.h"

namespace jopay::pages {

namespace {

// Plain, readable, and small: system fonts, one centred card, no images.
constexpr std::string_view kCss = R"(
*{box-sizing:border-box}
body{margin:0;background:#f3f4f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:30rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.12);padding:1.5rem}
h1{font-size:1.3rem;margin:0 0 1rem}
h2{font-size:1rem;margin:1.5rem 0 .5rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}
td,th{padding:.35rem 0;text-align:left;vertical-align:top}
td+td,th+th{padding-left:.75rem}
th{color:#5b6475;font-weight:500}
td.n,th.n{text-align:right;white-space:nowrap}
tr.total td{border-top:1px solid #dde1e8;font-weight:600}
label{display:block;margin:.8rem 0 .25rem;font-size:.9rem;color:#5b6475}
input[type=text],input[type=email]{width:100%;padding:.6rem;border:1px solid #c5cbd6;border-radius:6px;font:inherit}
button{margin-top:1rem;width:100%;padding:.75rem;border:0;border-radius:6px;background:#3454d1;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#b42318;border:1px solid #e4b4b0}
.muted{color:#5b6475;font-size:.9rem}
.banner{background:#fff4d6;color:#7a5200;text-align:center;padding:.4rem;font-size:.9rem;font-weight:600}
.error{background:#fdecea;color:#8a1c12;border-radius:6px;padding:.6rem .8rem;margin:0 0 1rem}
.notice{background:#e7f6ec;color:#14532d;border-radius:6px;padding:.6rem .8rem;margin:0 0 1rem}
.amount{font-size:1.6rem;font-weight:700;margin:.2rem 0 1rem}
.status{display:inline-block;padding:.1rem .5rem;border-radius:999px;background:#e8ebf2;font-size:.85rem}
.status.active,.status.trialing,.status.paid{background:#e7f6ec;color:#14532d}
.status.past_due,.status.failed{background:#fdecea;color:#8a1c12}
.testcards{font-size:.85rem;background:#fffaf0;border:1px dashed #e0c27a;border-radius:6px;padding:.5rem .8rem;margin-top:1rem}
.testcards ul{margin:.3rem 0 0;padding-left:1.1rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace}
a{color:#3454d1}
footer{text-align:center;margin-top:1.5rem}
.merchant{display:flex;align-items:center;gap:.6rem;margin:0 0 1rem;font-weight:600}
.merchant img{height:48px;width:auto;max-width:12rem}
)";

Merchant& TheMerchant() {
  static Merchant merchant;
  return merchant;
}


std::string HexToBytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void AddSecurityHeaders(http::Response& r) {
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy", ContentSecurityPolicy());
}

// Inline styles by their hash, images from data: and the logo's origin, nothing else.
std::string PolicyFor(std::string_view logo_url, std::string_view css = kCss) {
  std::string img_src = "data:";
  if (auto url = boost::urls::parse_absolute_uri(logo_url); url && url->has_authority()) {
    img_src += " " + std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
  }
  return "default-src 'none'; style-src 'sha256-" + Base64Encode(HexToBytes(Sha256Hex(css))) +
         "'; img-src " + img_src + "; script-src 'none'; base-uri 'none'; frame-ancestors 'none'";
}

std::string& ThePolicy() {
  static std::string csp = PolicyFor("");
  return csp;
}

}  // namespace

void SetMerchant(Merchant merchant) {
  ThePolicy() = PolicyFor(merchant.logo_url);
  TheMerchant() = std::move(merchant);
}

const Merchant& CurrentMerchant() { return TheMerchant(); }

const std::string& ContentSecurityPolicy() { return ThePolicy(); }

http::Response DocumentAnswer(int status, std::string html, std::string_view css,
                              std::string_view logo_url) {
  http::Response r = HtmlAnswer(status, std::move(html));
  for (auto& [name, value] : r.headers) {
    if (name == "Content-Security-Policy") value = PolicyFor(logo_url, css);
  }
  return r;
}

namespace {

std::string MerchantHeader(const Merchant& m) {
  if (m.name.empty() && m.logo_url.empty()) return "";
  std::string logo = m.logo_url.empty()
                         ? std::string()
                         : Fill("<img id=\"merchant-logo\" src=\"{u}\" alt=\"{n}\">",
                                {{"u", m.logo_url}, {"n", m.name}});
  std::string name = m.name.empty()
                         ? std::string()
                         : Fill("<span id=\"merchant-name\">{n}</span>", {{"n", m.name}});
  return Fill("<header class=\"merchant\">{!logo}{!name}</header>",
              {{"logo", logo}, {"name", name}});
}

std::string SupportLine(const Merchant& m) {
  if (m.support_email.empty()) return "";
  return Fill("Questions? <a id=\"support\" href=\"mailto:{e}\">{e}</a> &middot; ",
              {{"e", m.support_email}});
}

}  // namespace

std::string Layout(std::string_view title, bool test_mode, std::string_view body_html) {
  const Merchant& m = CurrentMerchant();
  std::string full_title = m.name.empty() ? std::string(title)
                                          : std::string(title) + " - " + m.name;
  return Fill(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>{title}</title><style>{!css}</style></head><body>{!banner}"
      "<main><div class=\"card\">{!merchant}{!body}</div>"
      "<footer class=\"muted\">{!support}Payments by JoPay</footer></main></body></html>\n",
      {{"title", full_title},
       {"css", kCss},
       {"banner", test_mode ? "<div class=\"banner\" id=\"test-mode\">TEST MODE: no real "
                              "money moves.</div>"
                            : ""},
       {"merchant", MerchantHeader(m)},
       {"support", SupportLine(m)},
       {"body", body_html}});
}

http::Response HtmlAnswer(int status, std::string html) {
  http::Response r;
  r.status = status;
  r.body = std::move(html);
  AddSecurityHeaders(r);
  return r;
}

http::Response SeeOther(std::string location) {
  http::Response r = HtmlAnswer(
      303, Fill("<!doctype html><title>See other</title><a href=\"{u}\">Continue</a>\n",
                {{"u", location}}));
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

http::Response MessagePage(int status, bool test_mode, std::string_view title,
                           std::string_view message, std::string_view link_url,
                           std::string_view link_text) {
  std::string link = link_url.empty() ? std::string()
                                      : Fill("<p><a id=\"continue\" href=\"{u}\">{t}</a></p>",
                                             {{"u", link_url}, {"t", link_text}});
  std::string body = Fill("<h1>{title}</h1><p id=\"message\">{message}</p>{!link}",
                          {{"title", title}, {"message", message}, {"link", link}});
  return HtmlAnswer(status, Layout(title, test_mode, body));
}

std::string DateHtml(UnixSeconds t) {
  std::string full = FormatRfc3339(t);
  return Fill("<time datetime=\"{full}\">{day}</time>",
              {{"full", full}, {"day", std::string_view(full).substr(0, 10)}});
}

http::Response ErrorPage() {
  return MessagePage(500, false, "Something went wrong",
                     "The page could not be shown. Please try again later.");
}

}  // namespace jopay::pages
