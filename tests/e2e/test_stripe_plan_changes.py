"""Plan changes of subscriptions that pay through Stripe. An upgrade's proration is a pending
charge sent after the commit, and the change waits for its answer (Stripe's
payment_behavior=pending_if_incomplete): paid -> it applies from when it was asked; declined
-> it is called off and its invoice voided; paid after a pause -> called off and refunded; an
answer lost after the charge is resent with the same key; a kill -9 while the charge is out; the
portal says the change waits. Exactly once is counted at the stand-in."""
import random
import signal
import time
import unittest
from urllib.parse import urljoin, urlsplit

from stripe_harness import StripeTest

PERIOD_END = "2025-02-28T10:00:00Z"
CHANGED_AT = "2025-02-09T17:23:41Z"
DECLINING_CARD = "4000000000000341"  # Stripe's test card that saves fine and declines charges


class StripePlanChangeTest(StripeTest):
    def setUp(self):
        super().setUp()
        self.basic = self.d.plan(name="Basic", amount=1000)
        self.pro = self.d.plan(name="Pro", amount=2999)

    def subscribe(self):
        session = self.pub.ok("POST", "/api/checkout/v1/sessions", {
            "mode": "subscription", "plan": self.basic["id"], "customer_email": "up@example.com",
            "success_url": "https://shop.example.com/done",
            "cancel_url": "https://shop.example.com/cart"})
        status, _, _ = self.pay_on_stripe(session["id"])
        self.assertEqual(status, 303)
        return self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["subscription_id"]

    def upgrade(self, sub):
        self.d.ok("clock", "set", CHANGED_AT)
        return self.d.ok("subscriptions", "update", sub, "--plan", self.pro["id"])

    def sub(self, sub):
        return self.d.ok("subscriptions", "get", sub)

    def change_invoice(self, sub):
        [inv] = [i for i in self.d.ok("invoices", "list", "--subscription", sub)
                 if i["billing_reason"] == "subscription_update"]
        return inv

    def assert_waits(self, sub, up):
        """The answer of the update: still on Basic, the change pending on its payment."""
        change = up["plan_change"]
        self.assertEqual((change["kind"], change["applies"]), ("upgrade", "on_payment"))
        self.assertEqual((up["plan_id"], up["amount_cents"]), (self.basic["id"], 1000))
        pending = up["pending_update"]
        self.assertEqual((pending["plan_id"], pending["at"], pending["awaiting_payment"]),
                         (self.pro["id"], CHANGED_AT, change["payment"]))
        return change

    def assert_applied_once(self, sub, change):
        got = self.sub(sub)
        self.assertEqual((got["plan_id"], got["amount_cents"], got["pending_update"]),
                         (self.pro["id"], 2999, None))
        self.assertEqual((got["current_period_end"], got["next_action_at"]),
                         (PERIOD_END, PERIOD_END))
        pays = self.d.payments(sub)
        self.assertEqual([(p["status"], p["attempt"]) for p in pays], [("paid", 1), ("paid", -1)])
        net = change["proration"]["net"]
        self.assertEqual((pays[1]["id"], pays[1]["amount"]), (change["payment"], net))
        inv = self.change_invoice(sub)
        self.assertEqual((inv["id"], inv["status"], inv["amount_paid"]),
                         (change["invoice"], "paid", net))
        stats = self.stripe.stats()
        self.assertEqual(stats["charges_by_key"][pays[1]["idempotency_key"]], 1)
        self.assertEqual(stats["charges_succeeded"], 2)  # the checkout and the change, once each
        updated = self.d.events(sub, type="subscription.updated")
        # Asked (the pending update shown), then applied with the plan it left.
        self.assertEqual([e["data"]["plan_id"] for e in updated], [self.basic["id"], self.pro["id"]])
        self.assertEqual(updated[0]["data"]["pending_update"]["awaiting_payment"], change["payment"])
        self.assertEqual(updated[1]["data"]["previous_plan"]["plan_id"], self.basic["id"])

    def test_an_upgrade_waits_for_its_charge_and_applies_when_it_is_paid(self):
        sub = self.subscribe()
        self.stripe.faults(latency_ms=1500)  # time to look while the charge is out
        change = self.assert_waits(sub, self.upgrade(sub))
        # While it waits, nothing else may change the plan, nor call the change off.
        for args in (["--plan", self.pro["id"]], ["--cancel-pending"]):
            with self.subTest(args=args):
                r = self.d.ctl("subscriptions", "update", sub, *args)
                self.assertFails(r, 5, "waiting for its charge")
        self.assertEqual(self.sub(sub)["plan_id"], self.basic["id"])
        self.settled()
        self.assert_applied_once(sub, change)
        # The renewal charges the new price.
        self.stripe.faults(latency_ms=0)
        self.d.ok("clock", "set", PERIOD_END)
        self.settled()
        self.assertEqual([(p["amount"], p["status"]) for p in self.d.payments(sub)][-1],
                         (2999, "paid"))

    def test_a_declined_charge_calls_the_change_off_and_voids_its_invoice(self):
        sub = self.subscribe()
        method = self.sub(sub)["payment_method"]["id"]
        import sqlite3
        db = sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro", uri=True)
        [(pm_ref,)] = db.execute("SELECT provider_ref FROM payment_methods WHERE id=?", (method,))
        db.close()
        self.stripe.payment_method_updated(pm_ref, card=DECLINING_CARD)  # the bank now declines
        change = self.assert_waits(sub, self.upgrade(sub))
        self.settled()
        got = self.sub(sub)
        self.assertEqual((got["status"], got["plan_id"], got["amount_cents"], got["pending_update"]),
                         ("active", self.basic["id"], 1000, None))
        [_, pay] = self.d.payments(sub)
        self.assertEqual((pay["id"], pay["status"], pay["failure_code"]),
                         (change["payment"], "failed", "generic_decline"))
        inv = self.change_invoice(sub)
        self.assertEqual((inv["status"], inv["amount_paid"], inv["amount_due"]), ("void", 0, 0))
        self.assertIn("declined", inv["reason"])
        self.assertEqual(self.stripe.stats()["charges_succeeded"], 1)  # only the checkout
        # (The first is the card's new number, from Stripe's payment_method.automatically_updated.)
        updated = self.d.events(sub, type="subscription.updated")[-2:]
        self.assertEqual([e["data"].get("pending_update") is None for e in updated], [False, True])
        self.assertEqual(len(self.d.events(change["invoice"], type="invoice.voided")), 1)
        # Nothing waits any more: the customer may try again (and the bank still declines).
        r = self.d.ctl("subscriptions", "update", sub, "--plan", self.pro["id"])
        self.assertEqual(r.rc, 0, r)

    def test_a_charge_paid_after_a_pause_calls_the_change_off_and_gives_the_money_back(self):
        sub = self.subscribe()
        self.stripe.faults(latency_ms=3000)
        change = self.assert_waits(sub, self.upgrade(sub))
        self.d.ok("subscriptions", "pause", sub)  # while the charge is out
        self.settled()
        got = self.sub(sub)
        self.assertEqual((got["status"], got["plan_id"], got["pending_update"]),
                         ("paused", self.basic["id"], None))
        inv = self.change_invoice(sub)
        net = change["proration"]["net"]
        self.assertEqual((inv["status"], inv["amount_paid"], inv["amount_credited"]),
                         ("paid", net, net))
        [note] = [i for i in self.d.ok("invoices", "list", "--subscription", sub)
                  if i["object"] == "credit_note"]
        self.assertEqual((note["credit_for"], note["total"]), (inv["id"], net))
        self.stripe.faults(latency_ms=0)
        refunded = self.wait(lambda: [p for p in self.d.payments(sub)
                                      if p["id"] == change["payment"] and p["amount_refunded"] == net],
                             "the change's payment to be refunded")
        self.assertEqual(refunded[0]["status"], "refunded")  # in full

    def test_the_portal_says_the_change_waits_for_its_payment(self):
        sub = self.subscribe()
        self.d.ok("plans", "update", self.pro["id"], "--switchable")
        self.d.ok("clock", "set", CHANGED_AT)
        url = self.pub.ok("GET", f"/api/checkout/v1/subscriptions/{sub}/portal"
                                 "?return_url=https://shop.example.com/account")["portal_url"]
        portal = urlsplit(url).path
        self.stripe.faults(latency_ms=3000)
        status, body, headers = self.post_form(portal + "/plan", {"plan": self.pro["id"]})
        back = urljoin(portal + "/plan", headers["location"])  # a relative Location
        self.assertEqual((status, back), (303, portal + "?done=plan_awaiting_payment"), body)
        status, page, _ = self.get(back)
        self.assertIn("the new plan starts as soon as the payment goes through", page)
        self.assertIn("as soon as its payment goes through", page)  # the change, shown
        self.assertNotIn('id="cancel-pending"', page)  # its charge decides, not a button
        self.stripe.faults(latency_ms=0)
        self.settled()
        self.assertEqual(self.sub(sub)["plan_id"], self.pro["id"])

    def test_an_answer_lost_after_the_charge_is_resent_with_the_same_key(self):
        sub = self.subscribe()
        self.stripe.faults(close_after_charge_next=1)  # Stripe charges, the answer never comes
        change = self.assert_waits(sub, self.upgrade(sub))
        self.settled()
        self.assertGreaterEqual(self.stripe.stats()["replays"], 1)
        self.assert_applied_once(sub, change)

    def test_kill_9_while_the_charge_is_out_applies_the_change_once(self):
        sub = self.subscribe()
        self.stripe.faults(latency_ms=800)
        change = self.assert_waits(sub, self.upgrade(sub))
        time.sleep(random.uniform(0, 1.2))  # a random moment: before, during or after the call
        self.assertEqual(self.d.stop(signal.SIGKILL), -signal.SIGKILL)
        self.d.start()
        self.settled()
        self.assert_applied_once(sub, change)


if __name__ == "__main__":
    unittest.main()
