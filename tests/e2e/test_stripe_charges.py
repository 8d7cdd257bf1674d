"""Renewals charged through Stripe by the charge pipeline: a pending payment with its key is
committed before any request leaves, answers are applied later, and an answer that is not
definite is sent again with the same key. Exactly once is shown by counting, at the stand-in,
real PaymentIntent creations per key and succeeded charges per JoPay period."""
import json
import signal
import time
import unittest

from stripe_harness import StripeTest

NOW = "2025-01-31T10:00:00Z"


class StripeChargesTest(StripeTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Pro", amount=1499)

    def subscribe(self, card="4242424242424242", trial_days=None):
        body = {"mode": "subscription", "plan": self.plan["id"], "customer_email": "ada@example.com",
                "success_url": "https://shop.example.com/done",
                "cancel_url": "https://shop.example.com/cart"}
        if trial_days:
            body["trial_period_days"] = trial_days
        session = self.pub.ok("POST", "/api/checkout/v1/sessions", body)
        status, _, cs = self.pay_on_stripe(session["id"], card=card)
        self.assertEqual(status, 303)
        return self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["subscription_id"]

    def assert_each_period_charged_once(self, expected_periods):
        stats = self.stripe.stats()
        self.assertTrue(all(n == 1 for n in stats["charges_by_key"].values()), stats["charges_by_key"])
        by_period = {k: v for k, v in stats["succeeded_by_period"].items() if not k.startswith("|")}
        self.assertEqual(len(by_period), expected_periods, by_period)
        self.assertTrue(all(n == 1 for n in by_period.values()), by_period)

    def test_a_year_of_renewals_charges_each_period_once(self):
        sub = self.subscribe()
        fired = self.d.advance("1y")  # the clock waits for each charge's answer as it moves
        self.assertEqual(fired["fired"]["charges_sent"], 12)
        self.settled()
        pays = self.d.payments(sub)
        self.assertEqual([p["status"] for p in pays], ["paid"] * 13)
        self.assertEqual(len({p["period_start"] for p in pays}), 13)
        self.assertTrue(all(p["provider_ref"].startswith("pi_") for p in pays))
        renewed = [e for e in self.d.events(sub) if e["type"] == "subscription.renewed"]
        self.assertEqual(len(renewed), 12)
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["current_period_start"],
                         "2026-01-31T10:00:00Z")
        self.assert_each_period_charged_once(12)  # the first period was paid on Stripe's page

    def test_a_charge_in_flight_shows_as_such(self):
        sub = self.subscribe()
        self.stripe.faults(latency_ms=1500)
        # Look while the clock's move waits for the slow answer.
        import threading
        mover = threading.Thread(target=lambda: self.d.advance("28d"))
        mover.start()
        got = self.wait(lambda: [p for p in self.d.payments(sub) if p["status"] == "pending"],
                        "the renewal's charge to be in flight")
        self.assertTrue(got[0]["in_flight"])
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["next_action"], "charge")
        mover.join()
        self.settled()
        self.assertEqual([p["status"] for p in self.d.payments(sub)], ["paid", "paid"])

    def test_a_lost_answer_after_the_charge_is_resent_with_the_same_key(self):
        sub = self.subscribe()
        self.stripe.faults(close_after_charge_next=1)  # Stripe charges, the answer never comes
        self.d.advance("28d")
        self.settled()
        pays = self.d.payments(sub)
        self.assertEqual([p["status"] for p in pays], ["paid", "paid"])
        stats = self.stripe.stats()
        key = pays[1]["idempotency_key"]
        self.assertEqual(stats["charges_by_key"][key], 1)  # made once
        self.assertGreaterEqual(stats["replays"], 1)       # and answered from the key again
        self.assertGreaterEqual(stats["connections_closed"], 1)
        self.assert_each_period_charged_once(1)

    def test_server_errors_and_rate_limits_are_retried_until_a_definite_answer(self):
        sub = self.subscribe()
        self.stripe.faults(fail_next={"count": 2, "status": 500}, status_429_next=1)
        self.d.advance("28d")
        self.settled()
        self.assertEqual([p["status"] for p in self.d.payments(sub)], ["paid", "paid"])
        self.assertGreaterEqual(self.stripe.stats()["injected_failures"], 2)
        self.assert_each_period_charged_once(1)

    def test_a_declined_card_goes_through_dunning_with_the_decline_code(self):
        sub = self.subscribe(card="4000000000000341", trial_days=7)  # saved fine, charges fail
        self.d.advance("7d")
        self.settled()
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["next_action"]), ("past_due", "retry"))
        failed = [e for e in self.d.events(sub) if e["type"] == "subscription.payment_failed"]
        # Stripe's decline code (its 0341 test card declines as generic_decline).
        self.assertEqual(failed[0]["data"]["failure_code"], "generic_decline")
        self.d.advance("6d")  # +1d, +3d, +5d
        self.settled()
        pays = self.d.payments(sub)
        self.assertEqual([(p["status"], p["attempt"]) for p in pays],
                         [("failed", 1), ("failed", 2), ("failed", 3), ("failed", 4)])
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["status"], "expired")
        self.assertEqual(self.stripe.stats()["charges_succeeded"], 0)

    def test_authentication_required_puts_the_subscription_past_due_with_that_code(self):
        sub = self.subscribe(card="4000002760003184", trial_days=3)
        self.d.advance("3d")
        self.settled()
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual(got["status"], "past_due")
        [pay] = self.d.payments(sub)
        self.assertEqual((pay["status"], pay["failure_code"]), ("failed", "authentication_required"))

    def test_kill_9_with_a_thousand_charges_in_flight_charges_every_period_once(self):
        n = 1000
        self.stripe.faults(latency_ms=300)
        # One card saved through Stripe Checkout stands in for a thousand migrated customers.
        first = self.subscribe()
        method = self.d.ok("subscriptions", "get", first)["payment_method"]
        import sqlite3
        db = sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro", uri=True)
        pm_ref, customer_ref = db.execute(
            "SELECT provider_ref, provider_customer FROM payment_methods WHERE id=?",
            (method["id"],)).fetchone()
        db.close()
        lines = "".join(json.dumps({"email": f"c{i}@example.com", "plan": self.plan["id"],
                                    "current_period_end": NOW, "stripe_customer": customer_ref,
                                    "stripe_payment_method": pm_ref, "card_brand": "visa",
                                    "card_last4": "4242"}) + "\n" for i in range(n))
        self.assertEqual(self.d.ok("subscriptions", "import", "-", stdin=lines)["imported"], n)
        summary = self.d.ok("renew")
        self.assertEqual(summary["charges_sent"], n)
        self.wait(lambda: self.stripe.stats()["payment_intents_created"] > 200, "charges to go out")
        self.assertEqual(self.d.stop(signal.SIGKILL), -signal.SIGKILL)
        in_flight_at_kill = self.stripe.stats()["payment_intents_created"]
        self.assertLess(in_flight_at_kill, n + 1, "the kill came before every charge was made")
        self.d.start()
        self.settled(timeout=90)
        db = sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro", uri=True)
        rows = db.execute("SELECT status, count(*) FROM payments GROUP BY status").fetchall()
        db.close()
        self.assertEqual(dict(rows), {"paid": n + 1})
        stats = self.stripe.stats()
        self.assertTrue(all(v == 1 for v in stats["charges_by_key"].values()))
        periods = {k: v for k, v in stats["succeeded_by_period"].items() if not k.startswith("|")}
        self.assertEqual(len(periods), n)
        self.assertTrue(all(v == 1 for v in periods.values()), "a period charged twice")
        self.assertEqual(self.d.ok("status")["subscriptions"]["active"], n + 1)


if __name__ == "__main__":
    unittest.main()
