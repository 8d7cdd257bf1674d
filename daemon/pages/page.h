// The frame every hosted page shares (inline CSS, optional test-mode banner) and the HTTP
// answers that carry pages: the security headers are set here, once, for all of them.
//
// Headers on every page and redirect: Content-Type text/html; charset=utf-8,
// Cache-Control: no-store (pages show payment state and carry form tokens),
// X-Frame-Options: DENY, Referrer-Policy: no-referrer (portal URLs are bearer tokens and must
// not leak to merchant sites), X-Content-Type-Options: nosniff, and a Content-Security-Policy
// that allows the one inline stylesheet (by its hash) and data: images, and nothing else: no
// scripts, no external loads, no frames, no <base>. form-action is left open on purpose: the
// checkout form's 303 goes on to the merchant's success_url, which browsers check against
// form-action.
#pragma once

#include <string>
#include <string_view>

#include "common/time.h"
#include "daemon/http/message.h"

namespace jopay::pages {

// The seller every page names (jopayd.conf(5): merchant-name, merchant-logo-url,
// merchant-support-email): the name and logo at the top of the card, the support address in
// the footer. Set once at start, before the first page is served; empty fields are left out.
// The logo's origin is added to the pages' img-src (ContentSecurityPolicy()).
struct Merchant {
  std::string name;
  std::string logo_url;
  std::string support_email;
};
void SetMerchant(Merchant merchant);
const Merchant& CurrentMerchant();

// A whole document: <title>, the banner in test mode, then `body_html` (markup) in the card.
std::string Layout(std::string_view title, bool test_mode, std::string_view body_html);

// `html` as the body, with the headers above.
http::Response HtmlAnswer(int status, std::string html);
// 303 See Other to `location`, with the same headers (and a tiny body for old clients).
http::Response SeeOther(std::string location);

// A page that only says something: <h1>title</h1><p>message</p> and, if link_url is not
// empty, a link to it. All strings are text (escaped here).
http::Response MessagePage(int status, bool test_mode, std::string_view title,
                           std::string_view message, std::string_view link_url = "",
                           std::string_view link_text = "");
// The page an unexpected failure answers (500): the hosted pages' routes::ExceptionAnswer.
http::Response ErrorPage();

// "2025-02-10" (UTC) inside <time datetime="2025-02-10T12:30:00Z">: markup.
std::string DateHtml(UnixSeconds t);

// A standalone document with a stylesheet of its own (an invoice, invoice_view.h): the same
// headers, its policy allowing `css` by its hash and images from `logo_url`'s origin.
http::Response DocumentAnswer(int status, std::string html, std::string_view css,
                              std::string_view logo_url);

// The Content-Security-Policy value (exposed for tests).
const std::string& ContentSecurityPolicy();

}  // namespace jopay::pages
