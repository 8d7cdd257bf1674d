"""Refunds, disputes and card changes through Stripe, and Stripe's callbacks: verified by their
signature (made here by the official `stripe` library, through the stand-in), recorded once per
event id, and acted on only after the object is read back from Stripe. Forged, stale, replayed
and malformed callbacks change nothing."""
import json
import time
import unittest

from stripe_harness import WEBHOOK_SECRET, StripeTest


class StripeEventsTest(StripeTest):
    def setUp(self):
        super().setUp()
        plan = self.d.plan(name="Pro", amount=1000)
        session = self.pub.ok("POST", "/api/checkout/v1/sessions", {
            "mode": "subscription", "plan": plan["id"], "customer_email": "eve@example.com",
            "success_url": "https://shop.example.com/done",
            "cancel_url": "https://shop.example.com/cart"})
        status, _, _ = self.pay_on_stripe(session["id"])
        self.assertEqual(status, 303)
        self.sub = self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["subscription_id"]
        [self.pay] = self.d.payments(self.sub)

    def state(self):
        return {"pay": self.d.ok("payments", "get", self.pay["id"]),
                "sub": self.d.ok("subscriptions", "get", self.sub),
                "events": len(self.d.events()), "subs": len(self.d.ok("subscriptions", "list"))}

    def post(self, payload, header):
        import http.client
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request("POST", "/public/webhook/stripe", body=payload,
                         headers={"Content-Type": "application/json", "Stripe-Signature": header})
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def test_a_refund_through_stripe_then_its_callback_counts_once(self):
        r = self.d.ok("payments", "refund", self.pay["id"], "--amount", "400")
        self.assertEqual(r["status"], "pending")  # sent after the commit
        self.wait(lambda: self.d.ok("payments", "get", self.pay["id"])["refunds"][0]["status"]
                  == "succeeded", "the refund to succeed")
        got = self.d.ok("payments", "get", self.pay["id"])
        self.assertEqual(got["amount_refunded"], 400)
        self.assertTrue(got["refunds"][0]["provider_ref"].startswith("re_"))
        self.wait(lambda: any(d["type"] == "charge.refunded" and d["status"] == 200
                              for d in self.callbacks()), "Stripe's charge.refunded callback")
        time.sleep(0.5)
        self.assertEqual(self.d.ok("payments", "get", self.pay["id"])["amount_refunded"], 400)
        rest = self.d.ok("payments", "refund", self.pay["id"])
        self.assertEqual(rest["amount"], 600)
        self.wait(lambda: self.d.ok("payments", "get", self.pay["id"])["status"] == "refunded",
                  "the payment to be refunded in full")
        refunded = [e for e in self.d.events(self.pay["id"]) if e["type"] == "payment.refunded"]
        self.assertEqual([e["data"]["amount_refunded"] for e in refunded], [400, 1000])
        self.assertEqual(self.stripe.stats()["refunds_created"], 2)

    def test_a_dispute_marks_the_payment(self):
        self.stripe.dispute(self.pay["provider_ref"])
        self.wait(lambda: self.d.ok("payments", "get", self.pay["id"])["disputed_at"],
                  "the dispute to be recorded")
        self.assertEqual([e["type"] for e in self.d.events(self.pay["id"])], ["payment.disputed"])

    def test_an_updated_card_is_kept_and_a_detached_one_is_dropped(self):
        method = self.state()["sub"]["payment_method"]
        import sqlite3
        db = sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro", uri=True)
        [pm] = db.execute("SELECT provider_ref FROM payment_methods WHERE id=?", (method["id"],)).fetchone()
        db.close()
        self.stripe.payment_method_updated(pm, last4="1881")
        self.wait(lambda: self.d.ok("subscriptions", "get", self.sub)["payment_method"]["last4"]
                  == "1881", "the card's new last4")
        self.stripe.api("POST", f"/v1/payment_methods/{pm}/detach", idempotency_key="detach-1")
        self.wait(lambda: self.d.ok("subscriptions", "get", self.sub)["payment_method"] is None,
                  "the detached card to be dropped")
        # The next renewal has no card: dunning asks the customer for one.
        self.d.advance("28d")
        got = self.d.ok("subscriptions", "get", self.sub)
        self.assertEqual(got["status"], "past_due")
        self.assertEqual(self.d.payments(self.sub)[-1]["failure_code"], "no_payment_method")

    def test_forged_stale_replayed_and_malformed_callbacks_change_nothing(self):
        before = self.state()
        event = self.stripe.events("payment_intent.succeeded")[-1]
        fresh = self.stripe.signed_event(id=event["id"], timestamp=int(time.time()))
        cases = {
            "no signature": (fresh["payload"], ""),
            "another secret": (fresh["payload"], self.stripe.signed_event(
                id=event["id"], timestamp=int(time.time()), secret="whsec_forger")["header"]),
            "altered body": (fresh["payload"].replace('"livemode": false', '"livemode": false '),
                             fresh["header"]),
            "stale (10 minutes)": tuple(self.stripe.signed_event(
                id=event["id"], timestamp=int(time.time()) - 600).values()),
            "not JSON": ("{nope", fresh["header"]),
            "live mode, not configured": (fresh["payload"].replace('"livemode": false',
                                                                   '"livemode": true'),
                                          fresh["header"]),
        }
        for name, (payload, header) in cases.items():
            with self.subTest(name):
                status, body = self.post(payload, header)
                self.assertEqual(status, 400, body)
                self.assertIn("error", json.loads(body))
        # A replay within the tolerance of an event already recorded: 200, nothing changes.
        status, body = self.post(fresh["payload"], fresh["header"])
        self.assertEqual(status, 200, body)
        self.assertTrue(json.loads(body)["duplicate"])
        # A valid event of a type jopayd does not use: 200, recorded as ignored.
        other = {"id": "evt_unused_1", "object": "event", "type": "customer.created",
                 "livemode": False, "created": int(time.time()), "data": {"object": {"id": "cus_x"}}}
        signed = self.stripe.signed_event(event=other, timestamp=int(time.time()))
        status, body = self.post(signed["payload"], signed["header"])
        self.assertEqual((status, json.loads(body)["duplicate"]), (200, False))
        time.sleep(0.5)
        self.assertEqual(self.state(), before)

    def test_a_callback_is_a_hint_the_object_is_read_back(self):
        # A correctly signed payment_intent.payment_failed about the paid charge: the worker
        # reads the PaymentIntent back (succeeded) and changes nothing.
        before = self.state()
        lie = {"id": "evt_lie_1", "object": "event", "type": "payment_intent.payment_failed",
               "livemode": False, "created": int(time.time()),
               "data": {"object": {"id": self.pay["provider_ref"], "object": "payment_intent",
                                   "status": "requires_payment_method"}}}
        signed = self.stripe.signed_event(event=lie, timestamp=int(time.time()), secret=WEBHOOK_SECRET)
        status, _ = self.post(signed["payload"], signed["header"])
        self.assertEqual(status, 200)
        time.sleep(1)
        self.assertEqual(self.state(), before)


if __name__ == "__main__":
    unittest.main()
