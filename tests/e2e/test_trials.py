"""Trials: the trial_ending reminder 3 days before the end (at once for a shorter trial), the
first charge at trial end with periods anchored there, cancel during a trial, and a trial
without a card."""
import unittest

from harness import Daemon, DaemonTest, unix, counts, ZERO, EVENT_DATA_KEYS


class TrialTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Pro Monthly", amount=1499, currency="eur", interval="month")

    def types(self, sub_id):
        return [e["type"] for e in self.d.events(sub_id)]

    def assert_events_well_formed(self, sub_id):
        events = self.d.events(sub_id)
        seqs = [e["sequence"] for e in events]
        self.assertTrue(all(a < b for a, b in zip(seqs, seqs[1:])), seqs)
        for e in events:
            self.assertFalse(EVENT_DATA_KEYS - e["data"].keys(), e)
            self.assertEqual(e["data"]["id"], sub_id)
            self.assertEqual(e["data"]["sequence"], e["sequence"])
            self.assertEqual(e["data"]["amount_cents"], 1499)
        return events

    def test_seven_day_trial_reminds_on_day_4_and_charges_on_day_7(self):
        sub = self.d.subscribe(self.plan["id"], "trial@example.com", "4242424242424242",
                               "--trial-days", "7")
        self.assertEqual(sub["status"], "trialing")
        self.assertEqual((sub["trial_start"], sub["trial_end"]),
                         ("2025-01-31T10:00:00Z", "2025-02-07T10:00:00Z"))
        self.assertEqual((sub["current_period_start"], sub["current_period_end"]),
                         ("2025-01-31T10:00:00Z", "2025-02-07T10:00:00Z"))
        self.assertEqual((sub["next_action"], sub["next_action_at"]),
                         ("trial_reminder", "2025-02-04T10:00:00Z"))
        self.assertEqual(self.d.payments(sub["id"]), [])
        self.assertEqual(self.types(sub["id"]), ["subscription.created"])

        self.assertEqual(counts(self.d.advance("3d")["fired"]), ZERO)  # day 3
        self.assertEqual(self.types(sub["id"]), ["subscription.created"])

        fired = self.d.advance("1d")["fired"]  # day 4
        self.assertEqual(counts(fired), dict(ZERO, reminders=1))
        events = self.d.events(sub["id"])
        self.assertEqual([e["type"] for e in events],
                         ["subscription.created", "subscription.trial_ending"])
        self.assertEqual(events[1]["created_at"], "2025-02-04T10:00:00Z")
        self.assertEqual(events[1]["data"]["status"], "trialing")
        self.assertEqual(events[1]["data"]["trial_end"], "2025-02-07T10:00:00Z")
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((now["next_action"], now["next_action_at"]), ("renew", "2025-02-07T10:00:00Z"))

        self.assertEqual(counts(self.d.advance("2d")["fired"]), ZERO)  # day 6
        self.assertEqual(self.d.payments(sub["id"]), [], "nothing is charged before the trial ends")
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "trialing")

        fired = self.d.advance("1d")["fired"]  # day 7
        self.assertEqual(counts(fired), dict(ZERO, renewed=1, charged={"eur": 1499}))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "active")
        self.assertEqual((now["current_period_start"], now["current_period_end"]),
                         ("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z"))
        self.assertEqual(now["trial_end"], "2025-02-07T10:00:00Z")
        [pay] = self.d.payments(sub["id"])
        self.assertEqual((pay["status"], pay["amount"], pay["currency"], pay["attempt"]),
                         ("paid", 1499, "eur", 1))
        self.assertEqual((pay["period_start"], pay["period_end"]),
                         ("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z"))
        self.assertEqual((pay["created_at"], pay["paid_at"]),
                         ("2025-02-07T10:00:00Z", "2025-02-07T10:00:00Z"))
        self.assertEqual(pay["idempotency_key"], f"{sub['id']}:{unix('2025-02-07T10:00:00Z')}:1")
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual([e["type"] for e in events],
                         ["subscription.created", "subscription.trial_ending", "subscription.renewed"])
        self.assertEqual(events[2]["created_at"], "2025-02-07T10:00:00Z")
        self.assertEqual(events[2]["data"]["status"], "active")

        # Periods are anchored at the trial's end.
        fired = self.d.advance("2mo")["fired"]  # to Apr 7
        self.assertEqual(fired["renewed"], 2)
        self.assertEqual([(p["period_start"], p["period_end"]) for p in self.d.payments(sub["id"])],
                         [("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z"),
                          ("2025-03-07T10:00:00Z", "2025-04-07T10:00:00Z"),
                          ("2025-04-07T10:00:00Z", "2025-05-07T10:00:00Z")])

    def test_one_advance_over_the_trial_fires_reminder_and_charge_at_their_own_times(self):
        sub = self.d.subscribe(self.plan["id"], "onego@example.com", "4242424242424242",
                               "--trial-days", "7")
        fired = self.d.advance("10d")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, renewed=1, reminders=1, charged={"eur": 1499}))
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual([(e["type"], e["created_at"]) for e in events],
                         [("subscription.created", "2025-01-31T10:00:00Z"),
                          ("subscription.trial_ending", "2025-02-04T10:00:00Z"),
                          ("subscription.renewed", "2025-02-07T10:00:00Z")])
        [pay] = self.d.payments(sub["id"])
        self.assertEqual(pay["created_at"], "2025-02-07T10:00:00Z")

    def test_short_trials_write_trial_ending_at_creation(self):
        for days, reminder_at_creation in ((2, True), (3, True), (4, False)):
            with self.subTest(trial_days=days):
                sub = self.d.subscribe(self.plan["id"], f"short{days}@example.com",
                                       "4242424242424242", "--trial-days", days)
                created_at = sub["created_at"]
                events = self.d.events(sub["id"])
                if reminder_at_creation:
                    self.assertEqual([(e["type"], e["created_at"]) for e in events],
                                     [("subscription.created", created_at),
                                      ("subscription.trial_ending", created_at)])
                    self.assertEqual((sub["next_action"], sub["next_action_at"]),
                                     ("renew", sub["trial_end"]))
                else:
                    self.assertEqual([e["type"] for e in events], ["subscription.created"])
                    self.assertEqual(sub["next_action"], "trial_reminder")
                    self.assertEqual(unix(sub["trial_end"]) - unix(sub["next_action_at"]), 3 * 86400)
                fired = self.d.advance(f"{days}d")["fired"]
                self.assertEqual(fired["renewed"], 1)
                self.assertEqual(fired["reminders"], 0 if reminder_at_creation else 1)
                self.assertEqual(self.types(sub["id"]).count("subscription.trial_ending"), 1)
                self.assertEqual(self.types(sub["id"])[-1], "subscription.renewed")
                self.assertEqual(self.d.payments(sub["id"])[0]["period_start"], sub["trial_end"])

    def test_cancel_during_a_trial_is_never_charged_and_ends_at_trial_end(self):
        sub = self.d.subscribe(self.plan["id"], "quit@example.com", "4242424242424242",
                               "--trial-days", "7")
        self.d.advance("2d")
        canceled = self.d.ok("subscriptions", "cancel", sub["id"])
        self.assertEqual(canceled["status"], "canceled")
        self.assertTrue(canceled["cancel_at_period_end"])
        self.assertEqual(canceled["canceled_at"], "2025-02-02T10:00:00Z")
        self.assertIsNone(canceled["ended_at"])
        self.assertEqual((canceled["next_action"], canceled["next_action_at"]),
                         ("expire", "2025-02-07T10:00:00Z"))

        self.assertEqual(counts(self.d.advance("4d")["fired"]), ZERO)  # Feb 6: still has access
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "canceled")

        fired = self.d.advance("1d")["fired"]  # Feb 7: trial end
        self.assertEqual(counts(fired), dict(ZERO, expired=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "expired")
        self.assertEqual(now["ended_at"], "2025-02-07T10:00:00Z")
        self.assertIsNone(now["next_action"])

        self.assertEqual(counts(self.d.advance("2mo")["fired"]), ZERO)
        self.assertEqual(self.d.payments(sub["id"]), [], "a canceled trial is never charged")
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual([(e["type"], e["created_at"]) for e in events],
                         [("subscription.created", "2025-01-31T10:00:00Z"),
                          ("subscription.cancelled", "2025-02-02T10:00:00Z"),
                          ("subscription.expired", "2025-02-07T10:00:00Z")])
        self.assertEqual(events[1]["data"]["status"], "canceled")
        self.assertEqual(events[2]["data"]["status"], "expired")

    def test_trial_without_a_card_fails_at_trial_end_and_goes_past_due(self):
        sub = self.d.ok("subscriptions", "create", "--plan", self.plan["id"],
                        "--email", "nocard@example.com", "--trial-days", "7")
        self.assertEqual(sub["status"], "trialing")
        self.assertIsNone(sub["payment_method"])

        fired = self.d.advance("7d")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, reminders=1, failed=1))
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(now["status"], "past_due")
        self.assertEqual((now["current_period_start"], now["current_period_end"]),
                         ("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z"))
        self.assertEqual((now["next_action"], now["next_action_at"]), ("retry", "2025-02-08T10:00:00Z"))
        [pay] = self.d.payments(sub["id"])
        self.assertEqual((pay["status"], pay["failure_code"], pay["attempt"], pay["amount"]),
                         ("failed", "no_payment_method", 1, 1499))
        self.assertIsNone(pay["paid_at"])
        self.assertEqual(pay["period_start"], "2025-02-07T10:00:00Z")
        events = self.assert_events_well_formed(sub["id"])
        self.assertEqual([e["type"] for e in events],
                         ["subscription.created", "subscription.trial_ending",
                          "subscription.payment_failed"])
        failed = events[-1]
        self.assertEqual(failed["created_at"], "2025-02-07T10:00:00Z")
        self.assertEqual(failed["data"]["status"], "past_due")
        self.assertEqual(failed["data"]["failure_code"], "no_payment_method")
        self.assertEqual(failed["data"]["attempt"], 1)
        self.assertEqual(failed["data"]["next_payment_attempt"], "2025-02-08T10:00:00Z")

        # Without a card every retry fails too: expired 5 days after the first failure.
        fired = self.d.advance("10d")["fired"]
        self.assertEqual(counts(fired), dict(ZERO, failed=3, retried=3, expired=1))
        self.assertEqual([(p["attempt"], p["created_at"]) for p in self.d.payments(sub["id"])],
                         [(1, "2025-02-07T10:00:00Z"), (2, "2025-02-08T10:00:00Z"),
                          (3, "2025-02-10T10:00:00Z"), (4, "2025-02-12T10:00:00Z")])
        now = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual((now["status"], now["ended_at"]), ("expired", "2025-02-12T10:00:00Z"))

    def test_a_card_added_after_a_failed_trial_conversion_pays_the_anchored_period(self):
        sub = self.d.ok("subscriptions", "create", "--plan", self.plan["id"],
                        "--email", "latecard@example.com", "--trial-days", "7")
        self.d.advance("7d")
        self.d.advance("12h")
        status, body = self.d.api("POST", f"/v1/subscriptions/{sub['id']}",
                                  {"card": "4242424242424242"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "active")
        self.assertEqual((body["current_period_start"], body["current_period_end"]),
                         ("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z"))
        self.assertEqual((body["next_action"], body["next_action_at"]), ("renew", "2025-03-07T10:00:00Z"))
        pays = self.d.payments(sub["id"])
        self.assertEqual([(p["status"], p["attempt"]) for p in pays], [("failed", 1), ("paid", 2)])
        self.assertEqual(pays[1]["created_at"], "2025-02-07T22:00:00Z")
        self.assertEqual(pays[1]["payment_method_id"], body["payment_method"]["id"])
        self.assertEqual(self.types(sub["id"])[-1], "subscription.renewed")

    def test_a_card_is_required_unless_there_is_a_trial(self):
        before = len(self.d.ok("subscriptions", "list"))
        r = self.d.ctl("subscriptions", "create", "--plan", self.plan["id"], "--email", "x@example.com")
        self.assertFails(r, 5)
        self.assertEqual(len(self.d.ok("subscriptions", "list")), before)


class TrialEndingOnThe31stTest(DaemonTest):
    clock_start = "2025-01-24T10:00:00Z"

    def test_periods_after_a_trial_ending_jan_31_clamp_to_month_end(self):
        plan = self.d.plan(amount=1000)
        sub = self.d.subscribe(plan["id"], "anchor@example.com", "4242424242424242",
                               "--trial-days", "7")
        self.assertEqual(sub["trial_end"], "2025-01-31T10:00:00Z")
        fired = self.d.advance("3mo")["fired"]  # to Apr 24
        self.assertEqual(fired["renewed"], 3)
        self.assertEqual([(p["period_start"], p["period_end"]) for p in self.d.payments(sub["id"])],
                         [("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"),
                          ("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"),
                          ("2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z")])


if __name__ == "__main__":
    unittest.main()
