"""HTTP helpers for the hosted pages (HTML over jopayd's public port), shared by
test_pages*.py: GET a page, POST a form, pull values out of the HTML."""
import html
import http.client
import re
from urllib.parse import urlencode, urljoin, urlsplit

from checkout_client import API, CheckoutTest

SECURITY_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


class Page:
    def __init__(self, status, text, headers, path="/"):
        self.status, self.text, self.headers, self.path = status, text, headers, path

    @property
    def raw_location(self):
        return self.headers.get("location")

    @property
    def location(self):
        """Location resolved against the request's path, as a browser does."""
        raw = self.raw_location
        return urljoin(self.path, raw) if raw is not None else None

    def field(self, name):
        """The value of the input named `name` (unescaped), or None."""
        m = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % re.escape(name), self.text)
        return html.unescape(m.group(1)) if m else None

    def by_id(self, element_id):
        """The text inside the element with this id (tags stripped, unescaped), or None."""
        m = re.search(r'<(\w+)[^>]*\bid="%s"[^>]*>(.*?)</\1>' % re.escape(element_id), self.text,
                      re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", m.group(2))) if m else None

    def has_id(self, element_id):
        return f'id="{element_id}"' in self.text

    def __repr__(self):
        return f"Page({self.status}, {self.headers.get('location')!r}, {self.text[:1500]!r})"


class PagesTest(CheckoutTest):
    """CheckoutTest plus an HTML client for /checkout and /portal."""

    def request(self, method, path, form=None, raw=None, content_type=None):
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        headers = {}
        body = None
        if form is not None or raw is not None:
            body = raw if raw is not None else urlencode(form)
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            page = Page(resp.status, resp.read().decode(),
                        {k.lower(): v for k, v in resp.getheaders()}, path)
        finally:
            conn.close()
        return page

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form=None, **kw):
        return self.request("POST", path, form if form is not None else {}, **kw)

    def assertHtmlPage(self, page, status):
        self.assertEqual(page.status, status, page)
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(page.headers.get(name), value, (name, page))
        csp = page.headers["content-security-policy"]
        for directive in ("default-src 'none'", "script-src 'none'", "frame-ancestors 'none'",
                          "base-uri 'none'"):
            self.assertIn(directive, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(page.headers.get("referrer-policy"), "no-referrer")
        if status != 303:
            self.assertTrue(page.text.startswith("<!doctype html>"), page)
        self.assertNotIn("<script", page.text.lower())
        self.assertNotRegex(page.text, r'(src|href)="//|<link|@import')  # nothing external

    def portal_url(self, sub_id, return_url="https://shop.example/account?tab=billing&x=1"):
        answer = self.pub.ok("GET", f"{API}/subscriptions/{sub_id}/portal?return_url="
                             + return_url.replace("&", "%26").replace("?", "%3F"))
        return urlsplit(answer["portal_url"]).path
