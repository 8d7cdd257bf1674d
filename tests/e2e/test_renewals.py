"""Renewals on the manual clock: anchored month/year boundaries (clamped to month end, never
drifting), interval_count, exact payments and events, and a plan price change that only new
subscriptions see."""
import unittest
from datetime import datetime, timezone

from harness import Daemon, DaemonTest, unix, EVENT_DATA_KEYS


def periods(boundaries):
    """["a", "b", "c"] -> [("a", "b"), ("b", "c")]"""
    return list(zip(boundaries, boundaries[1:]))


class RenewalChecks:
    """Assertions shared by the renewal tests (a mixin for DaemonTest)."""

    def assert_events_well_formed(self, events, sub):
        seqs = [e["sequence"] for e in events]
        self.assertTrue(all(a < b for a, b in zip(seqs, seqs[1:])),
                        f"event sequence must strictly grow: {seqs}")
        times = [e["created_at"] for e in events]
        self.assertEqual(times, sorted(times), "events must be written in time order")
        for e in events:
            data = e["data"]
            self.assertFalse(EVENT_DATA_KEYS - data.keys(),
                             f"{e['type']} data lacks {EVENT_DATA_KEYS - data.keys()}")
            self.assertEqual(e["object_id"], sub["id"])
            self.assertEqual(data["id"], sub["id"])
            self.assertEqual(data["sequence"], e["sequence"])
            self.assertEqual(data["customer_email"], sub["customer_email"])
            self.assertEqual(data["plan_name"], sub["plan_name"])
            self.assertEqual(data["plan_interval"], sub["plan_interval"])
            self.assertEqual(data["amount_cents"], sub["amount_cents"])
            self.assertEqual(data["currency"], sub["currency"])
            self.assertEqual(data["metadata"], sub["metadata"])
            self.assertTrue(e["created_at"])

    def assert_paid_periods(self, sub, expected_periods, amount):
        """Every payment is a paid first attempt, one per expected period, charged at its start."""
        pays = self.d.payments(sub["id"])
        self.assertEqual([(p["period_start"], p["period_end"]) for p in pays], expected_periods)
        for p in pays:
            self.assertEqual(p["status"], "paid", p)
            self.assertEqual(p["amount"], amount)
            self.assertEqual(p["currency"], sub["currency"])
            self.assertEqual(p["attempt"], 1)
            self.assertIsNone(p["failure_code"])
            self.assertEqual(p["created_at"], p["period_start"])
            self.assertEqual(p["paid_at"], p["period_start"])
            self.assertEqual(p["idempotency_key"], f"{sub['id']}:{unix(p['period_start'])}:1")
        return pays

    def assert_renewal_events(self, sub, expected_periods):
        """created at the first period, then one subscription.renewed per later period, each
        written at the period's start (its own due time) with that period in its data."""
        events = self.d.events(sub["id"])
        self.assertEqual([e["type"] for e in events],
                         ["subscription.created"] + ["subscription.renewed"] * (len(expected_periods) - 1))
        self.assertEqual([(e["data"]["current_period_start"], e["data"]["current_period_end"])
                          for e in events], expected_periods)
        self.assertEqual([e["created_at"] for e in events], [s for s, _ in expected_periods])
        for e in events:
            self.assertEqual(e["data"]["status"], "active")
        self.assert_events_well_formed(events, sub)
        return events


MONTHLY_FROM_JAN_31 = [
    "2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z",
    "2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z", "2025-06-30T10:00:00Z",
    "2025-07-31T10:00:00Z", "2025-08-31T10:00:00Z", "2025-09-30T10:00:00Z",
    "2025-10-31T10:00:00Z", "2025-11-30T10:00:00Z", "2025-12-31T10:00:00Z",
    "2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z",
]


class MonthlyRenewalTest(RenewalChecks, DaemonTest):
    def test_a_year_of_monthly_renewals_from_a_jan_31_anchor(self):
        plan = self.d.plan(name="Pro Monthly", amount=1499, currency="eur", interval="month")
        sub = self.d.subscribe(plan["id"], "year@example.com", "4242424242424242",
                               "--metadata", "order=42")
        self.assertEqual(sub["status"], "active")
        self.assertEqual((sub["current_period_start"], sub["current_period_end"]),
                         ("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"))
        self.assertEqual((sub["next_action"], sub["next_action_at"]), ("renew", "2025-02-28T10:00:00Z"))

        result = self.d.advance("1y")
        self.assertEqual(result["now"], "2026-01-31T10:00:00Z")
        self.assertEqual(result["fired"], {
            "dry_run": False, "now": "2026-01-31T10:00:00Z", "renewed": 12, "failed": 0,
            "retried": 0, "expired": 0, "reminders": 0, "charged": {"eur": 12 * 1499}})

        expected = periods(MONTHLY_FROM_JAN_31)
        pays = self.assert_paid_periods(sub, expected, 1499)
        self.assertEqual(len(pays), 13)  # the first charge at creation + 12 renewals
        self.assertIn(("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"), expected)
        self.assertIn(("2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z"), expected)
        events = self.assert_renewal_events(sub, expected)
        self.assertEqual([e["sequence"] for e in events], list(range(1, 14)))
        self.assertEqual(events[-1]["data"]["metadata"], {"order": "42"})

        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "active")
        self.assertEqual((now["current_period_start"], now["current_period_end"]),
                         ("2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z"))
        self.assertEqual((now["next_action"], now["next_action_at"]), ("renew", "2026-02-28T10:00:00Z"))
        self.assertEqual(now["retry_count"], 0)
        self.assertEqual(self.d.ok("status")["subscriptions"]["active"], 1)

    def test_advancing_in_30_day_steps_gives_the_same_anchored_periods(self):
        plan = self.d.plan(amount=1000)
        sub = self.d.subscribe(plan["id"], "steps@example.com")
        renewed_per_step = []
        for _ in range(13):  # 390 days: to 2026-02-25, past 12 anchored boundaries
            fired = self.d.advance("30d")["fired"]
            self.assertEqual((fired["failed"], fired["expired"]), (0, 0))
            renewed_per_step.append(fired["renewed"])
        # 30-day steps from Jan 31 land on Mar 2, Apr 1, May 1, May 31, Jun 30, Jul 30 (Jul 31
        # not yet due), Aug 29, ... Feb 25: each anchored boundary fires once, none drifts.
        self.assertEqual(renewed_per_step, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1])
        expected = periods(MONTHLY_FROM_JAN_31)
        self.assert_paid_periods(sub, expected, 1000)
        self.assert_renewal_events(sub, expected)
        self.assertEqual(self.d.ok("clock", "show")["now"], "2026-02-25T10:00:00Z")

    def test_every_3_months_every_2_weeks_and_every_10_days(self):
        quarterly = self.d.plan(name="Quarterly", amount=3000, interval="month", interval_count=3)
        self.assertEqual(quarterly["interval_count"], 3)
        biweekly = self.d.plan(name="Biweekly", amount=500, interval="week", interval_count=2)
        tendays = self.d.plan(name="Ten days", amount=100, interval="day", interval_count=10)
        q = self.d.subscribe(quarterly["id"], "q@example.com")
        w = self.d.subscribe(biweekly["id"], "w@example.com")
        t = self.d.subscribe(tendays["id"], "t@example.com")
        self.assertEqual(q["current_period_end"], "2025-04-30T10:00:00Z")
        self.assertEqual(w["current_period_end"], "2025-02-14T10:00:00Z")
        self.assertEqual(t["current_period_end"], "2025-02-10T10:00:00Z")
        self.assertEqual((q["interval_count"], w["interval_count"]), (3, 2))

        fired = self.d.advance("1y")["fired"]
        self.assertEqual(fired["renewed"], 4 + 26 + 36, fired)
        self.assertEqual(fired["charged"], {"eur": 4 * 3000 + 26 * 500 + 36 * 100})
        self.assertEqual((fired["failed"], fired["retried"], fired["expired"]), (0, 0, 0))

        q_expected = periods(["2025-01-31T10:00:00Z", "2025-04-30T10:00:00Z", "2025-07-31T10:00:00Z",
                              "2025-10-31T10:00:00Z", "2026-01-31T10:00:00Z", "2026-04-30T10:00:00Z"])
        self.assert_paid_periods(q, q_expected, 3000)
        self.assert_renewal_events(q, q_expected)

        start = unix("2025-01-31T10:00:00Z")
        iso = lambda u: datetime.fromtimestamp(u, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        w_expected = periods([iso(start + i * 14 * 86400) for i in range(28)])
        self.assertEqual(w_expected[-1], ("2026-01-30T10:00:00Z", "2026-02-13T10:00:00Z"))
        self.assert_paid_periods(w, w_expected, 500)
        self.assert_renewal_events(w, w_expected)

        t_expected = periods([iso(start + i * 10 * 86400) for i in range(38)])
        self.assertEqual(t_expected[-1], ("2026-01-26T10:00:00Z", "2026-02-05T10:00:00Z"))
        self.assert_paid_periods(t, t_expected, 100)
        self.assert_renewal_events(t, t_expected)

        # One advance fires every subscription's actions interleaved in time order.
        everything = self.d.events()
        subscription_events = [e for e in everything if e["type"].startswith("subscription.")]
        self.assertEqual(len(subscription_events), 3 + 66)
        # Every paid period was billed by an invoice: created, then paid.
        invoice_events = [e["type"] for e in everything if e["type"].startswith("invoice.")]
        self.assertEqual(invoice_events, ["invoice.created", "invoice.paid"] * (3 + 66))
        times = [e["created_at"] for e in everything]
        self.assertEqual(times, sorted(times), "events across subscriptions must be in time order")

    def test_charged_totals_are_kept_per_currency(self):
        plans = [self.d.plan(name="EUR", amount=1499, currency="eur"),
                 self.d.plan(name="USD", amount=999, currency="usd"),
                 self.d.plan(name="JPY", amount=1200, currency="jpy"),
                 self.d.plan(name="EUR yearly", amount=10000, currency="eur", interval="year")]
        for i, plan in enumerate(plans):
            self.d.subscribe(plan["id"], f"cur{i}@example.com")
        fired = self.d.advance("1y")["fired"]
        self.assertEqual(fired["renewed"], 12 + 12 + 12 + 1)
        self.assertEqual(fired["charged"], {"eur": 12 * 1499 + 10000, "usd": 12 * 999, "jpy": 12 * 1200})

    def test_a_plan_price_change_affects_only_new_subscriptions(self):
        plan = self.d.plan(name="Pro", amount=1499)
        old = self.d.subscribe(plan["id"], "old@example.com")
        self.d.advance("10d")
        updated = self.d.ok("plans", "update", plan["id"], "--amount", "1999")
        self.assertEqual(updated["amount"], 1999)
        self.assertEqual(self.d.ok("plans", "get", plan["id"])["amount"], 1999)
        self.assertEqual(self.d.ok("subscriptions", "get", old["id"])["amount_cents"], 1499)

        new = self.d.subscribe(plan["id"], "new@example.com")
        self.assertEqual(new["amount_cents"], 1999)
        self.assertEqual(self.d.payments(new["id"])[0]["amount"], 1999)

        fired = self.d.advance("1mo")["fired"]  # Feb 10 -> Mar 10: old renews Feb 28, new Mar 10
        self.assertEqual(fired["renewed"], 2)
        self.assertEqual(fired["charged"], {"eur": 1499 + 1999})
        self.assertEqual([p["amount"] for p in self.d.payments(old["id"])], [1499, 1499])
        self.assertEqual([p["amount"] for p in self.d.payments(new["id"])], [1999, 1999])
        for e in self.d.events(old["id"]):
            self.assertEqual(e["data"]["amount_cents"], 1499)
        for e in self.d.events(new["id"]):
            self.assertEqual(e["data"]["amount_cents"], 1999)
        self.assertEqual(self.d.ok("subscriptions", "get", new["id"])["current_period_end"],
                         "2025-04-10T10:00:00Z")


class LeapDayAnchorTest(RenewalChecks, DaemonTest):
    clock_start = "2024-02-29T12:00:00Z"

    def test_yearly_plan_anchored_on_feb_29_over_five_years(self):
        plan = self.d.plan(name="Yearly", amount=9900, currency="usd", interval="year")
        sub = self.d.subscribe(plan["id"], "leap@example.com")
        self.assertEqual(sub["current_period_end"], "2025-02-28T12:00:00Z")

        fired = self.d.advance("5y")["fired"]
        self.assertEqual(fired["renewed"], 5)
        self.assertEqual(fired["charged"], {"usd": 5 * 9900})
        expected = periods(["2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", "2026-02-28T12:00:00Z",
                            "2027-02-28T12:00:00Z", "2028-02-29T12:00:00Z", "2029-02-28T12:00:00Z",
                            "2030-02-28T12:00:00Z"])
        self.assert_paid_periods(sub, expected, 9900)
        self.assert_renewal_events(sub, expected)
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["next_action_at"], "2030-02-28T12:00:00Z")

    def test_monthly_anchor_on_the_29th_comes_back_after_february(self):
        plan = self.d.plan(amount=700, currency="usd")
        sub = self.d.subscribe(plan["id"], "29th@example.com")
        fired = self.d.advance("13mo")["fired"]  # to 2025-03-29
        self.assertEqual(fired["renewed"], 13)
        ends = ["2024-02-29T12:00:00Z"] + [f"2024-{m:02d}-29T12:00:00Z" for m in range(3, 13)] + \
               ["2025-01-29T12:00:00Z", "2025-02-28T12:00:00Z", "2025-03-29T12:00:00Z",
                "2025-04-29T12:00:00Z"]
        expected = periods(ends)
        self.assert_paid_periods(sub, expected, 700)
        self.assert_renewal_events(sub, expected)


if __name__ == "__main__":
    unittest.main()
