"""PayPal (issue 14), against the PayPal stand-in (tests/e2e/paypal_standin.py, shapes of
PayPal's OpenAPI specs): the checkout page's "Pay with PayPal" makes an order with the wallet
vaulted, the customer approves at PayPal and comes back, the order is captured and read back
(never believed from the URL), the subscription starts; renewals are merchant-initiated orders
on the vaulted wallet through the charge pipeline with PayPal-Request-Id; a declining wallet
goes past_due; callbacks are verified by asking PayPal, forged ones change nothing, and a
customer who never came back is completed from the verified callback."""
import re
import time
import unittest
from urllib.parse import parse_qs, urlsplit

from checkout_client import API, Public
from harness import Daemon, DaemonTest
from lnbits_client import REFERENCE_PLAN, V1
from pages_client import Page
from paypal_standin import PayPalStandin
import http.client
from urllib.parse import urlencode

CLIENT_ID = "paypal-e2e-client"
CLIENT_SECRET = "paypal-e2e-secret-value"
WEBHOOK_ID = "8PT597110X687430LKGECATA"


class PayPalTest(DaemonTest):
    clock_start = "2025-01-10T12:30:00Z"

    def setUp(self):
        self.pp = PayPalStandin(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                webhook_id=WEBHOOK_ID).start()
        self.addCleanup(self.pp.stop)
        self.d = Daemon(clock="manual", clock_start=self.clock_start,
                        extra_args=["--paypal-api-base", self.pp.base_url,
                                    "--paypal-test-webhook-id", WEBHOOK_ID],
                        env={"JOPAY_PAYPAL_TEST_CLIENT_ID": CLIENT_ID,
                             "JOPAY_PAYPAL_TEST_CLIENT_SECRET": CLIENT_SECRET}).start()
        self.addCleanup(self.d.cleanup)
        self.pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        self.callback = f"http://127.0.0.1:{self.pub.port}/public/webhook/paypal"
        plan = {k: v for k, v in REFERENCE_PLAN.items() if k != "amount_sats"}
        self.plan = self.pub.ok("POST", V1 + "/plans",
                                dict(plan, name="Wallet", amount=1499, currency="eur",
                                     trial_days=0, allow_paypal=True, allow_lightning=False),
                                status=201)

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        body = urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return Page(r.status, r.read().decode(), {k.lower(): v for k, v in r.getheaders()},
                        path)
        finally:
            conn.close()

    def session(self):
        return self.pub.ok("POST", API + "/sessions",
                           {"mode": "subscription", "plan": self.plan["id"],
                            "customer_email": "wallet@example.com",
                            "success_url": "https://shop.example/thanks",
                            "cancel_url": "https://shop.example/"})

    def to_paypal(self, s):
        """The customer clicks "Pay with PayPal": the order id PayPal's page shows."""
        path = urlsplit(s["checkout_url"]).path
        page = self.request("GET", path)
        self.assertIn('id="pay-paypal"', page.text)
        went = self.request("POST", path + "/paypal", {"token": page.field("token")})
        self.assertEqual(went.status, 303, went)
        approval = urlsplit(went.headers["location"])
        self.assertTrue(went.headers["location"].startswith(self.pp.base_url), went)
        return parse_qs(approval.query)["token"][0], path

    def subscribed(self):
        s = self.session()
        order_id, path = self.to_paypal(s)
        self.pp.approve(order_id)
        back = self.request("GET", f"{path}/paypal-return?token={order_id}&PayerID=X")
        self.assertEqual((back.status, back.headers.get("location")),
                         (303, f"https://shop.example/thanks?session_id={s['id']}"))
        sub_id = self.pub.ok("GET", f"{API}/sessions/{s['id']}")["subscription_id"]
        return s, self.pub.ok("GET", f"{API}/subscriptions/{sub_id}")

    def test_pay_with_paypal_then_renewals_on_the_saved_wallet(self):
        s, sub = self.subscribed()
        self.assertEqual(sub["status"], "active")
        got = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(got["payment_method"]["brand"], "paypal")
        [first] = self.d.payments(sub["id"])
        self.assertEqual((first["status"], first["provider"], first["amount"]),
                         ("paid", "paypal", 1499))
        self.assertNotIn(CLIENT_SECRET, self.d.log())
        orders_before = self.pp.count("POST", "/v2/checkout/orders")
        for month in range(12):
            self.d.advance("1mo")
        payments = self.d.payments(sub["id"])
        self.assertEqual([p["status"] for p in payments], ["paid"] * 13, payments)
        self.assertEqual(len({p["period_start"] for p in payments}), 13)
        self.assertEqual(self.pp.count("POST", "/v2/checkout/orders") - orders_before, 12)
        renewed = [e for e in self.d.events(sub["id"]) if e["type"] == "subscription.renewed"]
        self.assertEqual(len(renewed), 12)
        # Each renewal's order carried its JoPay idempotency key as PayPal-Request-Id.
        ids = [h.get("paypal-request-id") for m, p, h, b in self.pp.requests
               if m == "POST" and p == "/v2/checkout/orders"]
        self.assertEqual(len(set(ids)), len(ids))

    def test_a_declining_wallet_goes_through_dunning_to_expired(self):
        s, sub = self.subscribed()
        vault_id = next(iter(self.pp.vault))
        self.pp.decline_vault(vault_id)
        self.d.advance("1mo")
        got = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(got["status"], "past_due")
        failed = [e for e in self.d.events(sub["id"]) if e["type"] == "subscription.payment_failed"]
        self.assertEqual(failed[-1]["data"]["failure_code"], "instrument_declined")
        self.d.advance("6d")  # the retries at +1 d, +3 d, +5 d decline too
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "expired")
        self.assertEqual([p["status"] for p in self.d.payments(sub["id"])],
                         ["paid", "failed", "failed", "failed", "failed"])

    def upgraded(self, sub):
        """Moves `sub` to a dearer plan mid-period; returns the change, once its charge (sent to
        PayPal after the commit) is answered."""
        pro = self.d.plan(name="Wallet Pro", amount=2999, currency="eur")
        self.d.advance("10d")
        up = self.d.ok("subscriptions", "update", sub["id"], "--plan", pro["id"])
        self.assertEqual((up["plan_change"]["applies"], up["plan_id"]),
                         ("on_payment", self.plan["id"]))
        deadline = time.time() + 20
        while self.d.ok("status")["charges"]["pending"] and time.time() < deadline:
            time.sleep(0.05)
        return pro, up["plan_change"]

    def test_an_upgrade_waits_for_its_paypal_charge_then_applies(self):
        s, sub = self.subscribed()
        pro, change = self.upgraded(sub)
        got = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((got["plan_id"], got["pending_update"]), (pro["id"], None))
        pays = self.d.payments(sub["id"])
        self.assertEqual([(p["status"], p["attempt"]) for p in pays], [("paid", 1), ("paid", -1)])
        self.assertEqual(pays[1]["amount"], change["proration"]["net"])

    def test_a_declined_paypal_upgrade_is_called_off(self):
        s, sub = self.subscribed()
        self.pp.decline_vault(next(iter(self.pp.vault)))
        pro, change = self.upgraded(sub)
        got = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((got["status"], got["plan_id"], got["pending_update"]),
                         ("active", self.plan["id"], None))
        self.assertEqual([p["status"] for p in self.d.payments(sub["id"])], ["paid", "failed"])
        inv = self.d.ok("invoices", "get", change["invoice"])
        self.assertEqual(inv["status"], "void")

    def test_kill_9_with_a_lost_answer_charges_each_period_once(self):
        import signal
        s, sub = self.subscribed()
        self.pp.lose_next(2)  # PayPal takes the renewal, its answer never arrives (twice)
        import subprocess  # clock advance waits for the charge to settle; kill it meanwhile
        from harness import JOPAYCTL
        p = subprocess.Popen([JOPAYCTL, "--socket", self.d.socket, "clock", "advance", "1mo"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        self.d.stop(signal.SIGKILL)
        p.wait()
        self.d.start()
        self.pub = Public(self.d, self.pub.key)
        deadline = time.time() + 30
        while [x["status"] for x in self.d.payments(sub["id"])] != ["paid", "paid"]:
            self.assertLess(time.time(), deadline, self.d.payments(sub["id"]))
            time.sleep(0.2)
        # One order per period at PayPal whatever was lost: the resend replayed the first.
        captured = [o for o in self.pp.orders.values() if o.get("status") == "COMPLETED"]
        self.assertEqual(len(captured), 2)
        # (A clock move killed half way keeps its old time: set it to the next period end.)
        end = self.d.ok("subscriptions", "get", sub["id"])["current_period_end"]
        self.d.ok("clock", "set", end)
        self.assertEqual([x["status"] for x in self.d.payments(sub["id"])], ["paid"] * 3)

    def test_the_return_url_is_not_believed(self):
        s = self.session()
        order_id, path = self.to_paypal(s)
        before = self.d.ok("payments", "list")
        # Not approved yet: capturing fails, nothing is recorded.
        back = self.request("GET", f"{path}/paypal-return?token={order_id}")
        self.assertEqual(back.status, 409, back)
        # Another session's order: refused.
        other = self.session()
        other_order, _ = self.to_paypal(other)
        self.pp.approve(other_order)
        back = self.request("GET", f"{path}/paypal-return?token={other_order}")
        self.assertEqual(back.status, 400, back)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "pending")
        self.assertEqual(self.d.ok("payments", "list"),
                         [p for p in self.d.ok("payments", "list") if p in before] or before)

    def test_callbacks_are_verified_and_complete_a_checkout_never_returned_to(self):
        s = self.session()
        order_id, _ = self.to_paypal(s)
        self.pp.approve(order_id)
        order = self.pp.order_of(order_id)
        resource = {"id": order_id, "status": "APPROVED",
                    "purchase_units": order["purchase_units"]}
        # A forged delivery (PayPal never sent it): 400, nothing changes.
        event = self.pp.event("CHECKOUT.ORDER.APPROVED", resource, "checkout-order")
        forged_headers = {"PAYPAL-TRANSMISSION-ID": "forged-1", "PAYPAL-TRANSMISSION-TIME":
                          "2025-01-10T12:30:00Z", "PAYPAL-TRANSMISSION-SIG": "AAAA",
                          "PAYPAL-CERT-URL": self.pp.base_url + "/v1/notifications/certs/x",
                          "PAYPAL-AUTH-ALGO": "SHA256withRSA"}
        self.assertEqual(self.pp.resend(self.callback, event, forged_headers), 400)
        time.sleep(0.5)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "pending")
        # PayPal's own delivery: verified, the order read back and captured, the session done.
        status, event, headers = self.pp.send_webhook(self.callback, "CHECKOUT.ORDER.APPROVED",
                                                      resource, "checkout-order")
        self.assertEqual(status, 200)
        deadline = time.time() + 15
        while self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"] != "completed":
            self.assertLess(time.time(), deadline, self.d.log()[-2000:])
            time.sleep(0.1)
        # The same delivery again (PayPal retries): recorded once, nothing more.
        self.assertEqual(self.pp.resend(self.callback, event, headers), 200)
        time.sleep(0.5)
        sub_id = self.pub.ok("GET", f"{API}/sessions/{s['id']}")["subscription_id"]
        self.assertEqual([p["status"] for p in self.d.payments(sub_id)], ["paid"])

    def test_subscribe_with_paypal_and_bad_input(self):
        made = self.pub.ok("POST", f"/public/subscribe/{self.plan['id']}",
                           {"email": "p@example.com", "payment_method": "paypal"}, key=None)
        self.assertEqual(made["payment_method"], "paypal")
        self.assertRegex(made["checkout_url"], r"/checkout/cs_")
        no_paypal = self.pub.ok("POST", V1 + "/plans", dict(REFERENCE_PLAN, name="No PayPal"),
                                status=201)
        status, answer, _ = self.pub.call("POST", f"/public/subscribe/{no_paypal['id']}",
                                          {"email": "p@example.com", "payment_method": "paypal"},
                                          key=None)
        self.assertEqual((status, answer["error"]["code"]), (400, "payment_method_unavailable"))
        s = self.session()
        path = urlsplit(s["checkout_url"]).path
        self.assertEqual(self.request("POST", path + "/paypal", {"token": "forged"}).status, 403)
        self.assertEqual(self.request("GET", path + "/paypal-return").status, 400)
        self.assertEqual(self.pp.count("POST", "/v2/checkout/orders"), 0)


if __name__ == "__main__":
    unittest.main()
