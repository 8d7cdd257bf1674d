"""The hosted pages in a real browser (headless Chromium through chromedriver, webdriver.py):
pay a checkout with 4242424242424242 and land on the merchant's success URL (a local
http.server) with the session id; see a 4000000000000002 decline on the page; cancel from the
portal. Takes the README's screenshots: into $JOPAY_SCREENSHOT_DIR when set (e.g. docs/ to
refresh them), else into a temporary directory."""
import http.server
import os
import shutil
import tempfile
import threading
import time
import unittest
from urllib.parse import parse_qs, urlsplit

from checkout_client import API
from pages_client import PagesTest
from webdriver import CHROMEDRIVER, CHROMIUM, Browser


class MerchantSite:
    """A tiny merchant site on 127.0.0.1: every GET answers 200 with the path it was asked."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"<!doctype html><title>Merchant</title><h1 id=merchant>{self.path}</h1>"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    def __init__(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class BrowserTestBase(PagesTest):
    """A browser, a merchant site and screenshots (no tests of its own)."""

    def setUp(self):
        for path in (CHROMIUM, CHROMEDRIVER):
            self.assertTrue(os.path.exists(path), f"{path} is missing: run scripts/setup")
        super().setUp()
        self.site = MerchantSite()
        self.addCleanup(self.site.close)
        self.browser = Browser()
        self.addCleanup(self.browser.quit)
        self.shots = os.environ.get("JOPAY_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="jopay-shots-")
        if "JOPAY_SCREENSHOT_DIR" not in os.environ:
            self.addCleanup(shutil.rmtree, self.shots, True)

    def wait_for(self, condition, what, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}; at {self.browser.url()}")

    def screenshot(self, name):
        path = os.path.join(self.shots, name)
        self.browser.screenshot(path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def checkout(self, **extra):
        body = {"line_items": [
                    {"name": "Premium Coffee Beans", "amount": 2500, "currency": "eur", "quantity": 2},
                    {"name": "Ceramic Mug", "amount": 1200, "currency": "eur"}],
                "success_url": self.site.url + "/success?order=12345",
                "cancel_url": self.site.url + "/cart",
                "metadata": {"order_id": "12345"}}
        body.update(extra)
        return self.create(body)



class BrowserTest(BrowserTestBase):
    def test_pay_with_a_good_card_lands_on_the_success_url(self):
        s = self.checkout(customer_email="customer@example.com")
        b = self.browser
        b.get(s["checkout_url"])
        self.assertEqual(b.title(), "Checkout")
        self.assertIn("62.00 EUR", b.text("#amount"))
        self.assertTrue(b.exists("#test-mode"))
        self.screenshot("checkout.png")
        b.type("input[name=card]", "4242424242424242")
        b.click("#pay")
        self.wait_for(lambda: b.url().startswith(self.site.url), "the success URL")
        url = urlsplit(b.url())
        self.assertEqual(url.path, "/success")
        self.assertEqual(parse_qs(url.query), {"order": ["12345"], "session_id": [s["id"]]})
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "completed")

    def test_a_declined_card_is_shown_on_the_page(self):
        s = self.checkout()
        b = self.browser
        b.get(s["checkout_url"])
        b.type("#email", "shopper@example.com")
        b.type("input[name=card]", "4000000000000002")
        b.click("#pay")
        self.wait_for(lambda: b.exists("#error"), "the decline message")
        self.assertIn("Your card was declined.", b.text("#error"))
        self.assertEqual(urlsplit(b.url()).path, f"/checkout/{s['id']}")
        self.assertEqual(b.attribute("#email", "value"), "shopper@example.com")
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "pending")
        # The page is still a working form: a good card now completes it.
        b.type("input[name=card]", "4242424242424242")
        b.click("#pay")
        self.wait_for(lambda: b.url().startswith(self.site.url), "the success URL")

    def test_cancel_from_the_portal(self):
        plan = self.d.plan(name="Pro Monthly", amount=1499)
        sub = self.d.subscribe(plan["id"], "customer@example.com")
        self.d.advance("40d")  # a renewal, so the history has two payments
        portal = self.pub.ok("GET", f"{API}/subscriptions/{sub['id']}/portal?return_url="
                             + self.site.url + "/account")["portal_url"]
        b = self.browser
        b.get(portal)
        self.assertEqual(b.text("#status"), "active")
        self.assertEqual(b.text("#card-on-file"), "visa ending in 4242")
        self.screenshot("portal.png")
        b.click("#cancel")
        self.wait_for(lambda: b.exists("#notice"), "the notice")
        self.assertEqual(b.text("#status"), "canceled")
        self.assertIn("?done=canceled", b.url())
        self.assertFalse(b.exists("#cancel-form"))
        self.assertEqual(self.pub.ok("GET", f"{API}/subscriptions/{sub['id']}")["status"],
                         "canceled")
        b.click("#return")
        self.wait_for(lambda: b.url() == self.site.url + "/account", "the return URL")


if __name__ == "__main__":
    unittest.main()
