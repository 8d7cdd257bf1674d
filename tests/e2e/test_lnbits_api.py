"""/api/v1 (LNbits-style): the reference's plans, subscriptions, subscribers and payments
against jopayd with a real HTTP client."""
import unittest

from harness import FAILING_CARD, GOOD_CARD, unix
from lnbits_client import (NOW, PAYMENT_KEYS, PLAN_KEYS, REFERENCE_PLAN, SUBSCRIPTION_KEYS,
                           LnbitsTest)


class PlansTest(LnbitsTest):
    def test_reference_create_list_get(self):
        plan = self.v1("POST", "/plans", REFERENCE_PLAN, status=201)
        self.assertEqual(set(plan), PLAN_KEYS)
        self.assertRegex(plan["id"], r"^plan_[0-9A-Za-z]{24}$")
        expected = dict(REFERENCE_PLAN, amount=10000, currency="sat", interval_unit="month",
                        interval_count=1, active=True, livemode=False, created_at=NOW,
                        updated_at=NOW)
        self.assertEqual({k: plan[k] for k in expected}, expected)
        self.assertEqual(self.v1("GET", "/plans"), [plan])  # a JSON array, as the reference
        self.assertEqual(self.v1("GET", f"/plans/{plan['id']}"), plan)
        # The admin face sees the same plan in JoPay's terms.
        admin = self.d.ok("plans", "get", plan["id"])
        self.assertEqual((admin["amount"], admin["currency"], admin["interval"]),
                         (10000, "sat", "month"))

    def test_amount_and_currency_and_jopay_intervals(self):
        plan = self.v1("POST", "/plans", {"name": "Weekly", "amount": 499, "currency": "EUR",
                                          "interval": "week", "interval_count": 2}, status=201)
        self.assertNotIn("amount_sats", plan)
        self.assertEqual((plan["amount"], plan["currency"], plan["interval"],
                          plan["interval_unit"], plan["interval_count"]),
                         (499, "eur", "weekly", "week", 2))
        # Defaults as the reference gives them.
        self.assertEqual((plan["trial_days"], plan["grace_period_days"], plan["allow_lightning"],
                          plan["allow_onchain"], plan["allow_stripe"], plan["allow_paypal"]),
                         (0, 0, True, False, True, False))
        for spelled, unit in (("yearly", "year"), ("daily", "day"), ("month", "month")):
            p = self.v1("POST", "/plans", {"name": spelled, "amount_sats": 1, "interval": spelled},
                        status=201)
            self.assertEqual(p["interval_unit"], unit)
        self.assertEqual(len(self.v1("GET", "/plans")), 4)
        page = self.v1("GET", "/plans?limit=2&offset=1")
        everything = self.v1("GET", "/plans")
        self.assertEqual(page, everything[1:3])  # newest first

    def test_put_changes_only_what_is_sent_and_price_reaches_new_subscriptions_only(self):
        plan = self.v1("POST", "/plans", {"name": "Pro", "amount": 1000, "currency": "eur",
                                          "interval": "monthly"}, status=201)
        old = self.d.subscribe(plan["id"], "old@example.com")
        self.d.advance("1h")
        updated = self.v1("PUT", f"/plans/{plan['id']}", {"amount": 2000})
        self.assertEqual(updated, dict(plan, amount=2000, updated_at=NOW + 3600))
        flagged = self.v1("PUT", f"/plans/{plan['id']}", {"allow_paypal": True})
        self.assertEqual(flagged, dict(updated, allow_paypal=True))
        # LNbits clients PUT the whole object back: the same interval is fine.
        whole = {k: flagged[k] for k in ("name", "description", "interval", "trial_days",
                                         "grace_period_days", "allow_lightning")}
        self.assertEqual(self.v1("PUT", f"/plans/{plan['id']}", dict(whole, name="Pro 2"))["name"],
                         "Pro 2")
        new = self.d.subscribe(plan["id"], "new@example.com")
        self.assertEqual(self.v1("GET", f"/subscriptions/{old['id']}")["amount"], 1000)
        self.assertEqual(self.v1("GET", f"/subscriptions/{new['id']}")["amount"], 2000)
        before = self.full_snapshot()
        self.error("PUT", f"/api/v1/plans/{plan['id']}", {"interval": "yearly"}, param="interval")
        self.error("PUT", f"/api/v1/plans/{plan['id']}", {"interval_count": 3},
                   param="interval_count")
        self.error("PUT", f"/api/v1/plans/{plan['id']}", {}, code="parameter_missing")
        self.error("PUT", f"/api/v1/plans/{plan['id']}", {"amount_sats": 5, "currency": "eur"},
                   param="currency")
        self.assertEqual(self.full_snapshot(), before)

    def test_delete_archives_and_cancels_at_period_end(self):
        plan = self.v1("POST", "/plans", {"name": "Pro", "amount": 1000, "currency": "eur",
                                          "interval": "monthly"}, status=201)
        subs = [self.d.subscribe(plan["id"], f"u{i}@example.com") for i in range(2)]
        gone = self.v1("DELETE", f"/plans/{plan['id']}")
        self.assertEqual((gone["active"], gone["canceled_subscriptions"]), (False, 2))
        for s in subs:
            got = self.v1("GET", f"/subscriptions/{s['id']}")
            self.assertEqual((got["status"], got["cancel_at_period_end"]), ("canceled", True))
        self.assertEqual(self.v1("GET", "/plans"), [])
        self.assertEqual([p["id"] for p in self.v1("GET", "/plans?active=all")], [plan["id"]])
        self.assertEqual([p["id"] for p in self.v1("GET", "/plans?active=false")], [plan["id"]])
        self.error("DELETE", f"/api/v1/plans/{plan['id']}", status=409, code="plan_archived")
        self.d.advance("32d")
        self.assertEqual({self.v1("GET", f"/subscriptions/{s['id']}")["status"] for s in subs},
                         {"expired"})


class SubscriptionsTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        self.p1 = self.d.plan(name="One", amount=1000)
        self.p2 = self.d.plan(name="Two", amount=2000)
        self.a = self.d.subscribe(self.p1["id"], "a@example.com")
        self.b = self.d.subscribe(self.p2["id"], "b@example.com")

    def test_list_filters_and_get_with_payment_history(self):
        everything = self.v1("GET", "/subscriptions")
        self.assertEqual([s["id"] for s in everything], [self.b["id"], self.a["id"]])
        self.assertEqual(set(everything[0]), SUBSCRIPTION_KEYS)
        self.assertEqual([s["id"] for s in self.v1("GET", f"/subscriptions?plan_id={self.p1['id']}")],
                         [self.a["id"]])
        self.assertEqual(len(self.v1("GET", "/subscriptions?status=active")), 2)
        self.assertEqual(self.v1("GET", "/subscriptions?status=paused"), [])
        self.assertEqual(self.v1("GET", "/subscriptions?plan_id=plan_unknown"), [])
        self.assertEqual([s["id"] for s in self.v1("GET", "/subscriptions?limit=1&offset=1")],
                         [self.a["id"]])
        got = self.v1("GET", f"/subscriptions/{self.a['id']}")
        self.assertEqual(set(got), SUBSCRIPTION_KEYS | {"payments"})
        self.assertEqual((got["status"], got["amount"], got["currency"], got["interval"],
                          got["payment_method"], got["card"], got["email"], got["created_at"]),
                         ("active", 1000, "eur", "monthly", "card",
                          {"brand": "visa", "last4": "4242"}, "a@example.com", NOW))
        self.assertEqual(len(got["payments"]), 1)
        pay = got["payments"][0]
        self.assertEqual(set(pay), PAYMENT_KEYS)
        self.assertEqual((pay["status"], pay["amount"], pay["subscription_id"], pay["paid_at"]),
                         ("paid", 1000, self.a["id"], NOW))

    def test_put_metadata(self):
        got = self.v1("PUT", f"/subscriptions/{self.a['id']}", {"metadata": {"tier": "gold"}})
        self.assertEqual(got["metadata"], {"tier": "gold"})
        self.assertEqual(self.d.ok("subscriptions", "get", self.a["id"])["metadata"],
                         {"tier": "gold"})
        self.assertEqual(self.d.events(self.a["id"])[-1]["type"], "subscription.updated")

    def test_cancel_with_reason_and_cancelled_spelling(self):
        got = self.v1("POST", f"/subscriptions/{self.a['id']}/cancel",
                      {"reason": "Customer requested cancellation", "immediate": False})
        self.assertEqual((got["status"], got["cancel_at_period_end"], got["cancel_reason"]),
                         ("canceled", True, "Customer requested cancellation"))
        for spelled in ("cancelled", "canceled"):
            self.assertEqual([s["id"] for s in self.v1("GET", f"/subscriptions?status={spelled}")],
                             [self.a["id"]])
        now = self.v1("POST", f"/subscriptions/{self.b['id']}/cancel", {"immediate": True})
        self.assertEqual((now["status"], now["ended_at"]), ("expired", NOW))
        # No body at all, as the reference's cancel allows, on an already-canceled one: 409.
        self.error("POST", f"/api/v1/subscriptions/{self.a['id']}/cancel", status=409)

    def test_pause_and_resume(self):
        self.d.advance("2d")
        paused = self.v1("POST", f"/subscriptions/{self.a['id']}/pause")
        self.assertEqual((paused["status"], paused["paused_at"]), ("paused", NOW + 2 * 86400))
        self.error("POST", f"/api/v1/subscriptions/{self.a['id']}/pause", status=409)
        resumed = self.v1("POST", f"/subscriptions/{self.a['id']}/resume", {})
        # The paid period goes on: no second charge for it.
        self.assertEqual((resumed["status"], resumed["current_period_start"]), ("active", NOW))
        self.assertEqual(len(self.v1("GET", f"/subscriptions/{self.a['id']}")["payments"]), 1)
        self.error("POST", f"/api/v1/subscriptions/{self.a['id']}/resume", status=409)


class SubscribersAndPaymentsTest(LnbitsTest):
    def test_subscribers_search_and_get(self):
        plan = self.d.plan()
        sub = self.d.subscribe(plan["id"], "Alice@Example.com")
        other = self.d.subscribe(plan["id"], "bob@example.com")
        listed = self.v1("GET", "/subscribers")
        self.assertEqual([s["email"] for s in listed], ["bob@example.com", "alice@example.com"])
        alice = listed[1]
        self.assertEqual(set(alice), {"id", "email", "telegram", "nostr", "name", "livemode",
                                      "created_at"})
        self.assertEqual((alice["telegram"], alice["nostr"], alice["created_at"]),
                         (None, None, NOW))
        self.assertEqual([s["email"] for s in self.v1("GET", "/subscribers?search=ALICE")],
                         ["alice@example.com"])
        self.assertEqual(self.v1("GET", "/subscribers?search=nobody"), [])
        got = self.v1("GET", f"/subscribers/{alice['id']}")
        self.assertEqual({k: got[k] for k in alice}, alice)
        self.assertEqual([s["id"] for s in got["subscriptions"]], [sub["id"]])
        self.assertNotEqual(other["id"], sub["id"])

    def test_payments_filters_and_get(self):
        eur = self.d.plan()
        sats = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)
        good = self.d.subscribe(eur["id"], "good@example.com")
        bad = self.d.subscribe(eur["id"], "bad@example.com", FAILING_CARD, "--trial-days", "1")
        sat_sub = self.d.subscribe(sats["id"], "sats@example.com")
        self.d.advance("25h")  # the trial ends; its first charge fails
        everything = self.v1("GET", "/payments")
        self.assertEqual(len(everything), 3)
        failed = self.v1("GET", "/payments?status=failed")
        self.assertEqual([p["subscription_id"] for p in failed], [bad["id"]])
        self.assertEqual((failed[0]["paid_at"], failed[0]["failure_code"]),
                         (None, "card_declined"))
        self.assertEqual(len(self.v1("GET", "/payments?status=paid")), 2)
        self.assertEqual(self.v1("GET", "/payments?status=refunded"), [])
        self.assertEqual(len(self.v1("GET", "/payments?payment_method=card")), 3)
        self.assertEqual(len(self.v1("GET", "/payments?payment_method=stripe")), 3)
        self.assertEqual(self.v1("GET", "/payments?payment_method=lightning"), [])
        mine = self.v1("GET", f"/payments?subscription_id={good['id']}&status=paid")
        self.assertEqual(len(mine), 1)
        pay = self.v1("GET", f"/payments/{mine[0]['id']}")
        self.assertEqual(pay, {"id": mine[0]["id"], "subscription_id": good["id"],
                               "subscriber_id": good["customer_id"], "amount": 1499,
                               "currency": "eur", "status": "paid", "payment_method": "card",
                               "payment_hash": None, "failure_code": None,
                               "failure_message": None, "livemode": False, "created_at": NOW,
                               "paid_at": NOW})
        sat_pay = self.v1("GET", f"/payments?subscription_id={sat_sub['id']}")[0]
        self.assertEqual((sat_pay["amount_sats"], sat_pay["amount"], sat_pay["currency"]),
                         (10000, 10000, "sat"))
        self.assertEqual(len(self.v1("GET", "/payments?limit=2")), 2)
        self.assertEqual(len(self.v1("GET", "/payments?limit=2&offset=2")), 1)


if __name__ == "__main__":
    unittest.main()
