"""The hosted pages of the push rails (issue 14): the checkout page offers the plan's methods
(cards, and Lightning / on-chain when the plan allows them), the customer picks one; the /pay
page shows the invoice or address with a server-rendered QR code, refreshes itself until paid,
and in test mode pays through the sandbox's button. In Chromium: pick Lightning, scan the QR
from a screenshot (zbarimg), pay, land on the merchant's success URL."""
import os
import re
import shutil
import subprocess
import unittest
from urllib.parse import parse_qs, urlsplit

from checkout_client import API
from lnbits_client import REFERENCE_PLAN, V1
from pages_client import PagesTest
from test_browser import BrowserTestBase


class PushPagesTest(PagesTest):
    def setUp(self):
        super().setUp()
        self.plan = self.pub.ok("POST", V1 + "/plans",
                                dict(REFERENCE_PLAN, trial_days=0, allow_onchain=True),
                                status=201)

    def session(self, **extra):
        body = {"mode": "subscription", "plan": self.plan["id"],
                "success_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/"}
        body.update(extra)
        return self.create(body)

    def test_the_checkout_page_offers_the_plans_methods(self):
        s = self.session()
        page = self.get(urlsplit(s["checkout_url"]).path)
        self.assertHtmlPage(page, 200)
        for element in ("pay-form", "pay-lightning", "pay-onchain"):
            self.assertTrue(page.has_id(element), element)
        card_only = self.pub.ok("POST", V1 + "/plans",
                                dict(REFERENCE_PLAN, name="Cards", allow_lightning=False),
                                status=201)
        page = self.get(urlsplit(self.session(plan=card_only["id"])["checkout_url"]).path)
        self.assertFalse(page.has_id("pay-lightning") or page.has_id("pay-onchain"))
        # A bitcoin-only plan: no card form, and a card posted anyway is refused.
        btc_only = self.pub.ok("POST", V1 + "/plans",
                               dict(REFERENCE_PLAN, name="Sats", allow_stripe=False), status=201)
        s = self.session(plan=btc_only["id"])
        path = urlsplit(s["checkout_url"]).path
        page = self.get(path)
        self.assertTrue(page.has_id("pay-lightning"))
        self.assertFalse(page.has_id("pay-form") or page.has_id("test-cards"))
        before = self.snapshot()
        refused = self.post(path, {"token": page.field("token"), "card": "4242424242424242",
                                   "email": "c@example.com"})
        self.assertHtmlPage(refused, 400)
        r = self.d.ctl("sessions", "pay", s["id"], "--card", "4242424242424242", "--email",
                       "c@example.com")
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(self.snapshot(), before)

    def test_pick_lightning_then_pay_on_the_pay_page(self):
        s = self.session()
        path = urlsplit(s["checkout_url"]).path
        page = self.get(path)
        chosen = self.post(path + "/push", {"token": page.field("token"), "rail": "lightning",
                                            "email": "payer@example.com"})
        self.assertHtmlPage(chosen, 303)
        pay_path = chosen.location
        self.assertRegex(pay_path, r"^/pay/pay_")
        pay = self.get(pay_path)
        self.assertHtmlPage(pay, 200)
        self.assertEqual(pay.headers.get("refresh"), "5")
        self.assertIn("<svg", pay.text)
        invoice = pay.by_id("destination")
        self.assertTrue(invoice.startswith("lnbcrt100u1"), invoice)
        self.assertEqual(pay.by_id("amount-sats"), "10000 sats")
        # The checkout page now leads to the same charge, never a second one.
        again = self.get(path)
        self.assertEqual((again.status, again.location), (303, pay_path))
        paid = self.post(pay_path + "/test-pay", {"token": pay.field("token")})
        self.assertEqual((paid.status, paid.location), (303, pay_path))
        done = self.get(pay_path)
        self.assertEqual(done.by_id("state"), "Paid")
        self.assertNotIn("refresh", done.headers)
        link = re.search(r'id="continue" href="([^"]+)"', done.text).group(1)
        self.assertEqual(link.replace("&amp;", "&"),
                         f"https://shop.example/thanks?session_id={s['id']}")
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "completed")
        [sub] = self.pub.ok("GET", f"{API}/subscriptions?customer_email=payer@example.com")["subscriptions"]
        self.assertEqual(sub["status"], "active")

    def test_forged_and_wrong_posts_change_nothing(self):
        s = self.session()
        path = urlsplit(s["checkout_url"]).path
        token = self.get(path).field("token")
        before = self.snapshot()
        for form, status in (({"token": "forged", "rail": "lightning", "email": "a@b.co"}, 403),
                             ({"token": token, "rail": "paypal", "email": "a@b.co"}, 400),
                             ({"token": token, "rail": "lightning", "email": "not-an-email"}, 400)):
            self.assertHtmlPage(self.post(path + "/push", form), status)
        self.assertEqual(self.snapshot(), before)
        self.assertHtmlPage(self.get("/pay/pay_missing"), 404)
        made = self.pub.ok("POST", f"/public/subscribe/{self.plan['id']}",
                           {"email": "x@example.com", "payment_method": "lightning"}, key=None)
        pay_path = urlsplit(made["pay_url"]).path
        before = self.snapshot()
        self.assertHtmlPage(self.post(pay_path + "/test-pay", {"token": "forged"}), 403)
        self.assertEqual(self.snapshot(), before)


class PushBrowserTest(BrowserTestBase):
    def test_pay_with_lightning_in_a_browser_and_scan_the_qr(self):
        plan = self.pub.ok("POST", V1 + "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)
        s = self.create({"mode": "subscription", "plan": plan["id"],
                         "customer_email": "browser@example.com",
                         "success_url": self.site.url + "/welcome", "cancel_url": self.site.url})
        b = self.browser
        b.get(s["checkout_url"])
        b.click("#pay-lightning")
        self.wait_for(lambda: "/pay/pay_" in b.url(), "the pay page")
        self.assertTrue(b.exists("#qr svg"))
        invoice = b.text("#destination")
        self.screenshot("pay-lightning.png")
        zbarimg = shutil.which("zbarimg")
        if zbarimg:  # scripts/setup --tests installs zbar-tools
            out = subprocess.run([zbarimg, "--quiet", "--raw",
                                  os.path.join(self.shots, "pay-lightning.png")],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.stdout.strip(), "lightning:" + invoice, out.stderr)
        b.click("#test-pay")
        self.wait_for(lambda: b.exists("#continue"), "the paid page")
        b.click("#continue")
        self.wait_for(lambda: b.url().startswith(self.site.url), "the success URL")
        self.assertEqual(parse_qs(urlsplit(b.url()).query), {"session_id": [s["id"]]})


if __name__ == "__main__":
    unittest.main()
