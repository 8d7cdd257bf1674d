"""A jopayd whose test mode takes cards through a local Stripe stand-in (tests/stripe), and the
customer's side of Stripe Checkout: the hosted page's button, Stripe's page, the way back."""
import http.client
import re
import time
from urllib.parse import urlsplit

from checkout_client import Public
from harness import Daemon, DaemonTest
from stripe_standin import StripeStandin

SECRET_KEY = "sk_test_standin"
WEBHOOK_SECRET = "whsec_standin_test_secret"


class StripeTest(DaemonTest):
    """self.stripe: the stand-in; self.d: jopayd with Stripe test keys (from the environment,
    as an operator would set them); self.pub: the public API with a test key."""

    stripe_args = ()
    daemon_args = ()

    def setUp(self):
        self.stripe = StripeStandin(secret_key=SECRET_KEY, extra_args=self.stripe_args).start()
        self.addCleanup(self.stripe.stop)
        self.d = Daemon(clock=self.clock, clock_start=self.clock_start,
                        extra_args=["--stripe-api-base", self.stripe.base_url,
                                    "--stripe-test-rate-limit", "500", *self.daemon_args],
                        env={"JOPAY_STRIPE_TEST_SECRET_KEY": SECRET_KEY,
                             "JOPAY_STRIPE_TEST_WEBHOOK_SECRET": WEBHOOK_SECRET}).start()
        self.addCleanup(self.d.cleanup)
        self.pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        self.callback_url = f"http://{self.pub.host}:{self.pub.port}/public/webhook/stripe"
        self.stripe.webhooks(url=self.callback_url, secret=WEBHOOK_SECRET, enabled=True)

    # ---- the customer's browser ----

    def get(self, url_or_path):
        parts = urlsplit(url_or_path)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read().decode(), {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()

    def post_form(self, path, form):
        from urllib.parse import urlencode
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request("POST", path, body=urlencode(form),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            return r.status, r.read().decode(), {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()

    def pay_on_stripe(self, session_id, card="4242424242424242"):
        """Opens the hosted page, clicks its button, pays on Stripe's page and follows the way
        back to jopayd. Returns (jopayd's answer status, its Location, the Stripe checkout id)."""
        status, page, _ = self.get(f"/checkout/{session_id}")
        self.assertEqual(status, 200, page)
        self.assertNotIn('name="card"', page, "with Stripe the page must not ask for the card")
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        status, body, headers = self.post_form(f"/checkout/{session_id}/stripe", {"token": token})
        self.assertEqual(status, 303, body)
        stripe_url = headers["location"]
        self.assertTrue(stripe_url.startswith(self.stripe.base_url + "/pay/cs_test_"), stripe_url)
        cs = stripe_url.rsplit("/", 1)[1]
        done = self.stripe.complete_checkout(cs, card=card)
        if "redirect" not in done:
            return None, None, cs
        status, body, headers = self.get(done["redirect"])
        return status, headers.get("location"), cs

    # ---- waiting for asynchronous work ----

    def wait(self, predicate, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = predicate()
            if got:
                return got
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}\n--- jopayd log ---\n{self.d.log()[-3000:]}")

    def settled(self, timeout=30):
        """Waits until no charge is pending in jopayd."""
        return self.wait(lambda: self.d.ok("status")["charges"]["pending"] == 0,
                         "every charge to be answered", timeout)

    def callbacks(self):
        """What the stand-in's webhook deliveries to jopayd came back with."""
        return self.stripe.webhooks().get("deliveries", [])
