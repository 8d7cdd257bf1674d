"""Dunning: a card that attaches but never pays (4000000000000341) runs through every retry
(+1d, +3d, +5d from the first failure) to expiry; a new card pays the open period at once; a
plan's grace period keeps access longer; renew summaries count failures, retries, expiries."""
import json
import unittest

from harness import Daemon, DaemonTest, unix, counts, ZERO, EVENT_DATA_KEYS, GOOD_CARD, FAILING_CARD



class DunningChecks:
    def set_card(self, sub_id, card):
        status, body = self.d.api("POST", f"/v1/subscriptions/{sub_id}", {"card": card})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["payment_method"]["last4"], card[-4:])
        return body

    def failing_subscription(self, plan_id, email):
        """Active since 2025-01-31 (paid with a good card), then switched to the card whose
        charges all fail: the renewal on 2025-02-28 fails."""
        sub = self.d.subscribe(plan_id, email, GOOD_CARD)
        self.assertEqual(self.set_card(sub["id"], FAILING_CARD)["status"], "active")
        return sub

    def failed_payments(self, sub_id):
        return [p for p in self.d.payments(sub_id) if p["status"] == "failed"]

    def assert_events_well_formed(self, sub_id):
        events = self.d.events(sub_id)
        seqs = [e["sequence"] for e in events]
        self.assertTrue(all(a < b for a, b in zip(seqs, seqs[1:])), seqs)
        times = [e["created_at"] for e in events]
        self.assertEqual(times, sorted(times))
        for e in events:
            self.assertFalse(EVENT_DATA_KEYS - e["data"].keys(), e)
            self.assertEqual(e["data"]["id"], sub_id)
            self.assertEqual(e["data"]["sequence"], e["sequence"])
        return events


class DunningTest(DunningChecks, DaemonTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Pro Monthly", amount=1499, currency="eur", interval="month")

    def assert_full_dunning_timeline(self, sub):
        """The 2025-02-28 renewal and its three retries all fail; expired after the last."""
        sid = sub["id"]
        failed = self.failed_payments(sid)
        self.assertEqual([(p["attempt"], p["created_at"]) for p in failed],
                         [(1, "2025-02-28T10:00:00Z"), (2, "2025-03-01T10:00:00Z"),
                          (3, "2025-03-03T10:00:00Z"), (4, "2025-03-05T10:00:00Z")])
        for p in failed:
            self.assertEqual((p["amount"], p["currency"], p["failure_code"]), (1499, "eur", "card_declined"))
            self.assertEqual((p["period_start"], p["period_end"]),
                             ("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"))
            self.assertIsNone(p["paid_at"])
            self.assertEqual(p["idempotency_key"],
                             f"{sid}:{unix('2025-02-28T10:00:00Z')}:{p['attempt']}")
        self.assertEqual(len(self.d.payments(sid)), 5)  # + the paid first period

        events = self.assert_events_well_formed(sid)
        self.assertEqual([e["type"] for e in events],
                         ["subscription.created", "subscription.updated"] +
                         ["subscription.payment_failed"] * 4 + ["subscription.expired"])
        fails = events[2:6]
        self.assertEqual([e["data"]["attempt"] for e in fails], [1, 2, 3, 4])
        self.assertEqual([e["created_at"] for e in fails],
                         ["2025-02-28T10:00:00Z", "2025-03-01T10:00:00Z",
                          "2025-03-03T10:00:00Z", "2025-03-05T10:00:00Z"])
        self.assertEqual([e["data"]["next_payment_attempt"] for e in fails],
                         ["2025-03-01T10:00:00Z", "2025-03-03T10:00:00Z",
                          "2025-03-05T10:00:00Z", None])
        for e in fails:
            self.assertEqual(e["data"]["status"], "past_due")
            self.assertEqual(e["data"]["failure_code"], "card_declined")
        self.assertEqual(events[-1]["created_at"], "2025-03-05T10:00:00Z")
        self.assertEqual(events[-1]["data"]["status"], "expired")

        now = self.d.ok("subscriptions", "get", sid)
        self.assertEqual(now["status"], "expired")
        self.assertEqual(now["ended_at"], "2025-03-05T10:00:00Z")
        self.assertIsNone(now["next_action"])
        self.assertIsNone(now["next_action_at"])

    def test_a_failing_card_runs_through_every_retry_to_expiry(self):
        sub = self.failing_subscription(self.plan["id"], "dunning@example.com")

        fired = self.d.advance("28d")["fired"]  # Feb 28: the renewal fails
        self.assertEqual(counts(fired), dict(ZERO, failed=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "past_due")
        self.assertEqual((now["current_period_start"], now["current_period_end"]),
                         ("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"))
        self.assertEqual((now["next_action"], now["next_action_at"]), ("retry", "2025-03-01T10:00:00Z"))

        for step, retry_count, next_at in (("1d", 1, "2025-03-03T10:00:00Z"),
                                           ("2d", 2, "2025-03-05T10:00:00Z")):
            fired = self.d.advance(step)["fired"]
            self.assertEqual(counts(fired), dict(ZERO, failed=1, retried=1))
            now = self.d.ok("subscriptions", "get", sub["id"])
            self.assertEqual(now["status"], "past_due")
            self.assertEqual(now["retry_count"], retry_count)
            self.assertEqual((now["next_action"], now["next_action_at"]), ("retry", next_at))

        self.assertEqual(counts(self.d.advance("1d")["fired"]), ZERO)  # Mar 4: nothing due
        fired = self.d.advance("1d")["fired"]  # Mar 5: the last retry fails
        self.assertEqual(counts(fired), dict(ZERO, failed=1, retried=1, expired=1))
        self.assert_full_dunning_timeline(sub)

        # Nothing more happens to an expired subscription.
        self.assertEqual(counts(self.d.advance("3mo")["fired"]), ZERO)
        self.assertEqual(len(self.d.payments(sub["id"])), 5)
        self.assertEqual(len(self.d.events(sub["id"])), 7)

    def test_one_long_advance_runs_the_same_dunning_timeline(self):
        sub = self.failing_subscription(self.plan["id"], "onego@example.com")
        fired = self.d.advance("2mo")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, failed=4, retried=3, expired=1))
        self.assert_full_dunning_timeline(sub)

    def test_a_new_card_during_dunning_pays_at_once_and_keeps_the_anchor(self):
        sub = self.failing_subscription(self.plan["id"], "recover@example.com")
        self.d.advance("28d")  # Feb 28: attempt 1 fails
        self.d.advance("1d")   # Mar 1: attempt 2 fails
        self.d.advance("1d")   # Mar 2
        body = self.set_card(sub["id"], GOOD_CARD)
        self.assertEqual(body["status"], "active")
        self.assertEqual(body["retry_count"], 0)
        self.assertEqual((body["current_period_start"], body["current_period_end"]),
                         ("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"))
        self.assertEqual((body["next_action"], body["next_action_at"]), ("renew", "2025-03-31T10:00:00Z"))

        pays = self.d.payments(sub["id"])
        self.assertEqual([(p["status"], p["attempt"], p["period_start"]) for p in pays],
                         [("paid", 1, "2025-01-31T10:00:00Z"),
                          ("failed", 1, "2025-02-28T10:00:00Z"),
                          ("failed", 2, "2025-02-28T10:00:00Z"),
                          ("paid", 3, "2025-02-28T10:00:00Z")])
        self.assertEqual((pays[-1]["created_at"], pays[-1]["paid_at"]),
                         ("2025-03-02T10:00:00Z", "2025-03-02T10:00:00Z"))
        self.assertEqual(pays[-1]["payment_method_id"], body["payment_method"]["id"])
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual([e["type"] for e in events][-2:],
                         ["subscription.updated", "subscription.renewed"])
        self.assertEqual(events[-1]["data"]["status"], "active")
        self.assertEqual(events[-1]["data"]["attempt"], 3)
        self.assertEqual(events[-1]["created_at"], "2025-03-02T10:00:00Z")

        # The old retry times pass without a charge; renewals follow the original anchor.
        fired = self.d.advance("29d")["fired"]  # to Mar 31
        self.assertEqual(counts(fired), dict(ZERO, renewed=1, charged={"eur": 1499}))
        fired = self.d.advance("1mo")["fired"]  # to Apr 30
        self.assertEqual(counts(fired), dict(ZERO, renewed=1, charged={"eur": 1499}))
        paid = [(p["period_start"], p["period_end"]) for p in self.d.payments(sub["id"])
                if p["status"] == "paid"]
        self.assertEqual(paid[-2:], [("2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z"),
                                     ("2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z")])
        self.assertEqual(len(self.failed_payments(sub["id"])), 2)

    def test_a_trial_with_a_failing_card_starts_dunning_at_trial_end(self):
        sub = self.d.subscribe(self.plan["id"], "trialfail@example.com", FAILING_CARD, "--trial-days", "7")
        self.assertEqual(sub["status"], "trialing")
        fired = self.d.advance("7d")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, failed=1, reminders=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((now["status"], now["next_action_at"]), ("past_due", "2025-02-08T10:00:00Z"))
        [pay] = self.d.payments(sub["id"])
        self.assertEqual((pay["status"], pay["failure_code"], pay["period_start"]),
                         ("failed", "card_declined", "2025-02-07T10:00:00Z"))

    def test_subscribing_with_the_failing_card_and_no_trial_is_refused(self):
        r = self.d.ctl("subscriptions", "create", "--plan", self.plan["id"],
                       "--email", "declined@example.com", "--card", FAILING_CARD)
        self.assertFails(r, 5, "declined")
        self.assertEqual(self.d.ok("subscriptions", "list", "--status", "active"), [])


class GracePeriodTest(DunningChecks, DaemonTest):
    def test_grace_period_delays_expiry_to_first_failure_plus_grace(self):
        plan = self.d.plan(name="Grace", amount=1499, grace_days=10)
        self.assertEqual(plan["grace_period_days"], 10)
        sub = self.failing_subscription(plan["id"], "grace@example.com")
        fired = self.d.advance("33d")["fired"]  # to Mar 5: first failure and all three retries
        self.assertEqual(counts(fired), dict(ZERO, failed=4, retried=3))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "past_due", "access lasts through the grace period")
        self.assertEqual((now["next_action"], now["next_action_at"]), ("expire", "2025-03-10T10:00:00Z"))
        self.assertEqual(len(self.failed_payments(sub["id"])), 4)
        self.assertEqual(self.d.events(sub["id"])[-1]["data"]["next_payment_attempt"], None)

        self.assertEqual(counts(self.d.advance("4d")["fired"]), ZERO)  # Mar 9
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "past_due")
        fired = self.d.advance("1d")["fired"]  # Mar 10 = Feb 28 + 10 days
        self.assertEqual(counts(fired), dict(ZERO, expired=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((now["status"], now["ended_at"]), ("expired", "2025-03-10T10:00:00Z"))
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual((events[-1]["type"], events[-1]["created_at"]),
                         ("subscription.expired", "2025-03-10T10:00:00Z"))
        self.assertEqual(len(self.failed_payments(sub["id"])), 4, "no charge during the grace days")

    def test_a_grace_period_shorter_than_the_retries_changes_nothing(self):
        plan = self.d.plan(name="Short grace", amount=1499, grace_days=2)
        sub = self.failing_subscription(plan["id"], "short@example.com")
        fired = self.d.advance("2mo")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, failed=4, retried=3, expired=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["ended_at"], "2025-03-05T10:00:00Z")

    def test_a_new_card_during_the_grace_days_recovers_the_subscription(self):
        plan = self.d.plan(name="Grace", amount=1499, grace_days=10)
        sub = self.failing_subscription(plan["id"], "rescue@example.com")
        self.d.advance("35d")  # Mar 7: retries exhausted, in grace
        body = self.set_card(sub["id"], GOOD_CARD)
        self.assertEqual(body["status"], "active")
        self.assertEqual((body["next_action"], body["next_action_at"]), ("renew", "2025-03-31T10:00:00Z"))
        last = self.d.payments(sub["id"])[-1]
        self.assertEqual((last["status"], last["attempt"], last["created_at"]),
                         ("paid", 5, "2025-03-07T10:00:00Z"))
        self.assertEqual(counts(self.d.advance("5d")["fired"]), ZERO)  # no expiry on Mar 10
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "active")


class RetryScheduleTest(DunningChecks, unittest.TestCase):
    def test_the_retry_schedule_is_configurable(self):
        self.d = Daemon(extra_args=["--retry-schedule", "2d,4d"]).start()
        self.addCleanup(self.d.cleanup)
        plan = self.d.plan(amount=500)
        sub = self.failing_subscription(plan["id"], "sched@example.com")
        fired = self.d.advance("2mo")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, failed=3, retried=2, expired=1))
        self.assertEqual([(p["attempt"], p["created_at"]) for p in self.failed_payments(sub["id"])],
                         [(1, "2025-02-28T10:00:00Z"), (2, "2025-03-02T10:00:00Z"),
                          (3, "2025-03-04T10:00:00Z")])
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["ended_at"], "2025-03-04T10:00:00Z")


class RenewSummaryTest(DunningChecks, DaemonTest):
    """`renew` runs what is due now. Imported subscriptions whose periods ended in the clock's
    past (as after downtime) are caught up: the first overdue attempt runs now, and the
    retries and the expiry keep their spacing after it instead of all firing in one run."""

    def test_overdue_work_runs_now_and_its_retries_keep_their_spacing(self):
        plan = self.d.plan(name="Import", amount=1000)
        lines = [
            # A: overdue by 6 days: fails now, retries Feb 1, 3, 5 -> expired Feb 5
            {"email": "a@example.com", "plan": plan["id"], "card": FAILING_CARD,
             "current_period_end": "2025-01-25T00:00:00Z"},
            # B: overdue by a day: fails now, retries Feb 1, 3, 5
            {"email": "b@example.com", "plan": plan["id"], "card": FAILING_CARD,
             "current_period_end": "2025-01-30T00:00:00Z"},
            # C: renews now, its period still on its own anchor (Jan 31 00:00 -> Feb 28 00:00)
            {"email": "c@example.com", "plan": plan["id"], "card": GOOD_CARD,
             "current_period_end": "2025-01-31T00:00:00Z"},
        ]
        out = self.d.ok("subscriptions", "import", "-",
                        stdin="".join(json.dumps(l) + "\n" for l in lines))
        self.assertEqual(out["imported"], 3)
        subs = {s["customer_email"][0]: s for s in self.d.ok("subscriptions", "list")}

        summary = self.d.ok("renew")
        self.assertEqual(summary, {"dry_run": False, "now": "2025-01-31T10:00:00Z", "renewed": 1,
                                   "failed": 2, "retried": 0, "expired": 0, "reminders": 0,
                                   "charged": {"eur": 1000}, "caught_up": 3})
        self.assertEqual(counts(self.d.ok("renew")), ZERO, "a second renew finds nothing due")
        table = self.d.ctl("renew", "--dry-run", output="table")
        self.assertEqual(table.rc, 0, table)

        a, b, c = subs["a"]["id"], subs["b"]["id"], subs["c"]["id"]
        for sub in (a, b):
            got = self.d.ok("subscriptions", "get", sub)
            self.assertEqual((got["status"], got["next_action"], got["next_action_at"]),
                             ("past_due", "retry", "2025-02-01T10:00:00Z"))
            self.assertEqual([(p["attempt"], p["created_at"]) for p in self.failed_payments(sub)],
                             [(1, "2025-01-31T10:00:00Z")])
        self.assertEqual([(p["status"], p["period_start"], p["created_at"]) for p in self.d.payments(c)],
                         [("paid", "2025-01-31T00:00:00Z", "2025-01-31T10:00:00Z")])
        self.assertEqual(self.d.ok("subscriptions", "get", c)["next_action_at"], "2025-02-28T00:00:00Z")

        fired = self.d.advance("1d")["fired"]  # Feb 1 10:00: both second attempts
        self.assertEqual(counts(fired), dict(ZERO, failed=2, retried=2))
        self.assertNotIn("caught_up", fired, "work due inside the advance is not late")
        fired = self.d.advance("4d")["fired"]  # Feb 3 and Feb 5: the last attempts, then expiry
        self.assertEqual(counts(fired), dict(ZERO, failed=4, retried=4, expired=2))
        for sub in (a, b):
            self.assertEqual([(p["attempt"], p["created_at"]) for p in self.failed_payments(sub)],
                             [(1, "2025-01-31T10:00:00Z"), (2, "2025-02-01T10:00:00Z"),
                              (3, "2025-02-03T10:00:00Z"), (4, "2025-02-05T10:00:00Z")])
            self.assertEqual(self.d.ok("subscriptions", "get", sub)["ended_at"], "2025-02-05T10:00:00Z")
        self.assertEqual(self.d.ok("status")["subscriptions"]["expired"], 2)

    def test_a_clock_advance_catches_up_overdue_work_at_its_start(self):
        plan = self.d.plan(name="Import", amount=1000)
        line = {"email": "late@example.com", "plan": plan["id"], "card": FAILING_CARD,
                "current_period_end": "2025-01-25T00:00:00Z"}
        self.d.ok("subscriptions", "import", "-", stdin=json.dumps(line) + "\n")
        fired = self.d.advance("2d")["fired"]  # Jan 31 10:00 (late), then the Feb 1 retry
        self.assertEqual(counts(fired), dict(ZERO, failed=2, retried=1))
        self.assertEqual(fired["caught_up"], 1)
        [sub] = self.d.ok("subscriptions", "list")
        self.assertEqual([(p["attempt"], p["created_at"]) for p in self.failed_payments(sub["id"])],
                         [(1, "2025-01-31T10:00:00Z"), (2, "2025-02-01T10:00:00Z")])
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["next_action_at"],
                         "2025-02-03T10:00:00Z")


if __name__ == "__main__":
    unittest.main()
