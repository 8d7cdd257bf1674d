"""Cancel (at period end, or --immediate), pause and resume, and transitions that are refused
(exit 5) without changing anything."""
import unittest

from harness import DaemonTest, unix, counts, ZERO, EVENT_DATA_KEYS, GOOD_CARD, FAILING_CARD



class CancelPauseTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Pro Monthly", amount=1499, currency="eur", interval="month")

    def get(self, sub_id):
        return self.d.ok("subscriptions", "get", sub_id)

    def events(self, sub_id):
        events = self.d.events(sub_id)
        seqs = [e["sequence"] for e in events]
        self.assertTrue(all(a < b for a, b in zip(seqs, seqs[1:])), seqs)
        for e in events:
            self.assertFalse(EVENT_DATA_KEYS - e["data"].keys(), e)
            self.assertEqual(e["data"]["id"], sub_id)
            self.assertEqual(e["data"]["sequence"], e["sequence"])
        return events

    def paid_periods(self, sub_id):
        return [(p["period_start"], p["period_end"]) for p in self.d.payments(sub_id)
                if p["status"] == "paid"]

    def test_cancel_at_period_end_keeps_access_then_expires_without_a_charge(self):
        sub = self.d.subscribe(self.plan["id"], "leaving@example.com")
        self.d.advance("10d")
        c = self.d.ok("subscriptions", "cancel", sub["id"], "--reason", "too expensive")
        self.assertEqual(c["status"], "canceled")
        self.assertTrue(c["cancel_at_period_end"])
        self.assertEqual(c["canceled_at"], "2025-02-10T10:00:00Z")
        self.assertEqual(c["cancel_reason"], "too expensive")
        self.assertIsNone(c["ended_at"])
        self.assertEqual((c["current_period_start"], c["current_period_end"]),
                         ("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"))
        self.assertEqual((c["next_action"], c["next_action_at"]), ("expire", "2025-02-28T10:00:00Z"))
        self.assertEqual(self.d.ok("subscriptions", "list", "--status", "canceled")[0]["id"], sub["id"])

        self.assertEqual(counts(self.d.advance("17d")["fired"]), ZERO)  # Feb 27: access continues
        self.assertEqual(self.get(sub["id"])["status"], "canceled")

        fired = self.d.advance("1d")["fired"]  # Feb 28: period end
        self.assertEqual(counts(fired), dict(ZERO, expired=1))
        now = self.get(sub["id"])
        self.assertEqual((now["status"], now["ended_at"]), ("expired", "2025-02-28T10:00:00Z"))
        self.assertIsNone(now["next_action"])

        self.assertEqual(counts(self.d.advance("3mo")["fired"]), ZERO)
        self.assertEqual(self.paid_periods(sub["id"]), [("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z")])
        self.assertEqual(len(self.d.payments(sub["id"])), 1, "no charge after a cancel")
        events = self.events(sub["id"])
        self.assertEqual([(e["type"], e["created_at"], e["data"]["status"]) for e in events],
                         [("subscription.created", "2025-01-31T10:00:00Z", "active"),
                          ("subscription.cancelled", "2025-02-10T10:00:00Z", "canceled"),
                          ("subscription.expired", "2025-02-28T10:00:00Z", "expired")])
        self.assertTrue(events[1]["data"]["cancel_at_period_end"])

    def test_immediate_cancel_ends_now(self):
        sub = self.d.subscribe(self.plan["id"], "now@example.com")
        self.d.advance("5d")
        c = self.d.ok("subscriptions", "cancel", sub["id"], "--immediate")
        self.assertEqual(c["status"], "expired")
        self.assertEqual((c["canceled_at"], c["ended_at"]), ("2025-02-05T10:00:00Z", "2025-02-05T10:00:00Z"))
        self.assertIsNone(c["next_action"])
        self.assertEqual(counts(self.d.advance("2mo")["fired"]), ZERO)
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        events = self.events(sub["id"])
        self.assertEqual([e["type"] for e in events][0], "subscription.created")
        self.assertEqual((events[-1]["type"], events[-1]["created_at"], events[-1]["data"]["status"]),
                         ("subscription.expired", "2025-02-05T10:00:00Z", "expired"))
        self.assertEqual([e["type"] for e in events].count("subscription.expired"), 1)

    def test_a_cancel_at_period_end_can_be_made_immediate(self):
        sub = self.d.subscribe(self.plan["id"], "twice@example.com")
        self.d.advance("3d")
        self.d.ok("subscriptions", "cancel", sub["id"])
        self.d.advance("2d")
        c = self.d.ok("subscriptions", "cancel", sub["id"], "--immediate")
        self.assertEqual((c["status"], c["ended_at"]), ("expired", "2025-02-05T10:00:00Z"))
        self.assertEqual(counts(self.d.advance("1mo")["fired"]), ZERO, "no second expiry at period end")
        self.assertEqual([(e["type"], e["created_at"]) for e in self.events(sub["id"])],
                         [("subscription.created", "2025-01-31T10:00:00Z"),
                          ("subscription.cancelled", "2025-02-03T10:00:00Z"),
                          ("subscription.expired", "2025-02-05T10:00:00Z")])

    def test_canceling_a_past_due_subscription_stops_the_retries(self):
        sub = self.d.subscribe(self.plan["id"], "pastdue@example.com")
        self.d.api("POST", f"/v1/subscriptions/{sub['id']}", {"card": FAILING_CARD})
        self.d.advance("28d")
        self.assertEqual(self.get(sub["id"])["status"], "past_due")
        self.d.ok("subscriptions", "cancel", sub["id"])
        self.assertEqual(counts(self.d.advance("2mo")["fired"]), ZERO)
        self.assertEqual(len(self.d.payments(sub["id"])), 2, "no retry after the cancel")
        self.assertEqual(self.get(sub["id"])["status"], "expired")

    def test_pause_for_two_months_then_resume_starts_a_new_paid_period(self):
        sub = self.d.subscribe(self.plan["id"], "pause@example.com")
        self.d.advance("10d")
        p = self.d.ok("subscriptions", "pause", sub["id"])
        self.assertEqual((p["status"], p["paused_at"]), ("paused", "2025-02-10T10:00:00Z"))
        self.assertIsNone(p["next_action"])

        fired = self.d.advance("2mo")["fired"]  # to Apr 10: Feb 28 and Mar 31 pass uncharged
        self.assertEqual(counts(fired), ZERO)
        self.assertEqual(len(self.d.payments(sub["id"])), 1, "no charge while paused")
        self.assertEqual(self.get(sub["id"])["status"], "paused")

        r = self.d.ok("subscriptions", "resume", sub["id"])
        self.assertEqual(r["status"], "active")
        self.assertIsNone(r["paused_at"])
        self.assertEqual((r["current_period_start"], r["current_period_end"]),
                         ("2025-04-10T10:00:00Z", "2025-05-10T10:00:00Z"))
        self.assertEqual((r["next_action"], r["next_action_at"]), ("renew", "2025-05-10T10:00:00Z"))
        pays = self.d.payments(sub["id"])
        self.assertEqual(len(pays), 2)
        self.assertEqual((pays[1]["status"], pays[1]["amount"], pays[1]["created_at"]),
                         ("paid", 1499, "2025-04-10T10:00:00Z"))
        self.assertEqual((pays[1]["period_start"], pays[1]["period_end"]),
                         ("2025-04-10T10:00:00Z", "2025-05-10T10:00:00Z"))
        # A resume starts billing schedule 1: its keys carry ":s1" so a resumed period can
        # never share a key with an earlier charge that started in the same second.
        self.assertEqual(pays[1]["idempotency_key"], f"{sub['id']}:{unix('2025-04-10T10:00:00Z')}:1:s1")

        fired = self.d.advance("1mo")["fired"]  # May 10
        self.assertEqual(counts(fired), dict(ZERO, renewed=1, charged={"eur": 1499}))
        self.assertEqual(self.paid_periods(sub["id"]),
                         [("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"),
                          ("2025-04-10T10:00:00Z", "2025-05-10T10:00:00Z"),
                          ("2025-05-10T10:00:00Z", "2025-06-10T10:00:00Z")])
        events = self.events(sub["id"])
        self.assertEqual([(e["type"], e["created_at"], e["data"]["status"]) for e in events],
                         [("subscription.created", "2025-01-31T10:00:00Z", "active"),
                          ("subscription.paused", "2025-02-10T10:00:00Z", "paused"),
                          ("subscription.resumed", "2025-04-10T10:00:00Z", "active"),
                          ("subscription.renewed", "2025-04-10T10:00:00Z", "active"),
                          ("subscription.renewed", "2025-05-10T10:00:00Z", "active")])
        # The resume's charge announces the new period like every other charge.
        self.assertEqual(events[3]["data"]["current_period_end"], "2025-05-10T10:00:00Z")
        self.assertEqual(events[2]["data"]["current_period_start"], "2025-04-10T10:00:00Z")

    def test_ten_pause_resume_pairs_in_a_paid_period_charge_it_once(self):
        sub = self.d.subscribe(self.plan["id"], "fidget@example.com")
        for _ in range(10):
            self.d.ok("subscriptions", "pause", sub["id"])
            r = self.d.ok("subscriptions", "resume", sub["id"])
            self.assertEqual((r["status"], r["next_action"], r["next_action_at"]),
                             ("active", "renew", "2025-02-28T10:00:00Z"))
            self.assertEqual(r["current_period_end"], "2025-02-28T10:00:00Z")
        self.assertEqual(self.paid_periods(sub["id"]),
                         [("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z")])
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        types = [e["type"] for e in self.events(sub["id"])]
        self.assertEqual(types, ["subscription.created"] +
                         ["subscription.paused", "subscription.resumed"] * 10)

    def test_a_pause_and_resume_a_day_for_three_days_then_renews_once_at_period_end(self):
        sub = self.d.subscribe(self.plan["id"], "daily@example.com")
        for _ in range(3):
            self.d.advance("1d")
            self.d.ok("subscriptions", "pause", sub["id"])
            self.assertEqual(counts(self.d.advance("1h")["fired"]), ZERO)
            self.d.ok("subscriptions", "resume", sub["id"])
        self.assertEqual(len(self.d.payments(sub["id"])), 1, "the paid period is not charged again")
        fired = self.d.advance("25d")  # to Feb 28 13:00: the period ends on its original anchor
        self.assertEqual(counts(fired["fired"]), dict(ZERO, renewed=1, charged={"eur": 1499}))
        self.assertEqual(self.paid_periods(sub["id"]),
                         [("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"),
                          ("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z")])
        renewed = [e for e in self.events(sub["id"]) if e["type"] == "subscription.renewed"]
        self.assertEqual([e["created_at"] for e in renewed], ["2025-02-28T10:00:00Z"])

    def test_a_trial_resumed_with_days_left_stays_a_trial_and_converts_at_its_end(self):
        sub = self.d.subscribe(self.plan["id"], "trialfidget@example.com", GOOD_CARD,
                               "--trial-days", "7")
        self.d.advance("1d")
        self.d.ok("subscriptions", "pause", sub["id"])
        self.d.advance("1d")
        r = self.d.ok("subscriptions", "resume", sub["id"])
        self.assertEqual((r["status"], r["next_action"], r["next_action_at"]),
                         ("trialing", "trial_reminder", "2025-02-04T10:00:00Z"))
        self.assertEqual(self.d.payments(sub["id"]), [], "a trial with days left is not charged")
        fired = self.d.advance("6d")  # Feb 8: the reminder, then the trial ends and is charged
        self.assertEqual(counts(fired["fired"]),
                         dict(ZERO, renewed=1, reminders=1, charged={"eur": 1499}))
        self.assertEqual(self.paid_periods(sub["id"]),
                         [("2025-02-07T10:00:00Z", "2025-03-07T10:00:00Z")])
        self.assertEqual([(e["type"], e["data"]["status"]) for e in self.events(sub["id"])],
                         [("subscription.created", "trialing"),
                          ("subscription.paused", "paused"),
                          ("subscription.resumed", "trialing"),
                          ("subscription.trial_ending", "trialing"),
                          ("subscription.renewed", "active")])

    def test_resume_on_the_31st_anchors_the_new_periods_at_month_end(self):
        sub = self.d.subscribe(self.plan["id"], "anchor@example.com")
        self.d.ok("subscriptions", "pause", sub["id"])
        self.d.advance("2mo")  # to Mar 31
        r = self.d.ok("subscriptions", "resume", sub["id"])
        self.assertEqual(r["current_period_end"], "2025-04-30T10:00:00Z")
        self.d.advance("2mo")  # to May 31
        self.assertEqual(self.paid_periods(sub["id"])[1:],
                         [("2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z"),
                          ("2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z"),
                          ("2025-05-31T10:00:00Z", "2025-06-30T10:00:00Z")])

    def test_a_paused_trial_is_not_charged_until_resumed(self):
        sub = self.d.subscribe(self.plan["id"], "trialpause@example.com", GOOD_CARD, "--trial-days", "7")
        self.d.advance("2d")
        self.d.ok("subscriptions", "pause", sub["id"])
        self.assertEqual(counts(self.d.advance("10d")["fired"]), ZERO)  # past the trial end
        self.assertEqual(self.d.payments(sub["id"]), [])
        r = self.d.ok("subscriptions", "resume", sub["id"])
        self.assertEqual(r["status"], "active")
        self.assertEqual(self.paid_periods(sub["id"]), [("2025-02-12T10:00:00Z", "2025-03-12T10:00:00Z")])

    def test_resume_with_a_new_card_right_after_a_failed_renewal_charges_the_new_card(self):
        # Renewal fails on Feb 28 10:00; in that same second the customer pauses, puts in a
        # working card and resumes. The resume starts a new period at that second and must
        # charge the new card; the earlier failed attempt is no answer for it.
        sub = self.d.subscribe(self.plan["id"], "samesecond@example.com")
        self.d.api("POST", f"/v1/subscriptions/{sub['id']}", {"card": FAILING_CARD})
        self.d.advance("28d")
        self.assertEqual(self.get(sub["id"])["status"], "past_due")
        self.d.ok("subscriptions", "pause", sub["id"])
        status, body = self.d.api("POST", f"/v1/subscriptions/{sub['id']}", {"card": GOOD_CARD})
        self.assertEqual(status, 200, body)
        r = self.d.ok("subscriptions", "resume", sub["id"])
        pays = self.d.payments(sub["id"])
        self.assertEqual(
            r["status"], "active",
            "resume with a working card (4242) must charge it and be active; the resume's "
            "charge seems to reuse the failed attempt-1 row of the same period start (key "
            f"{sub['id']}:{unix('2025-02-28T10:00:00Z')}:1) instead of charging the card; "
            f"payments: {[(p['status'], p['attempt'], p['payment_method_id']) for p in pays]}")
        self.assertEqual(pays[-1]["status"], "paid")
        self.assertEqual(pays[-1]["payment_method_id"], body["payment_method"]["id"])
        self.assertEqual((pays[-1]["period_start"], pays[-1]["period_end"]),
                         (r["current_period_start"], r["current_period_end"]))

    def snapshot(self, sub_id):
        status = self.d.ok("status")
        return {"sub": self.get(sub_id), "events": self.d.events(sub_id),
                "payments": self.d.payments(sub_id), "all_events": len(self.d.events()),
                "counts": status["subscriptions"], "clock": status["clock"]}

    def test_invalid_transitions_exit_5_and_change_nothing(self):
        active = self.d.subscribe(self.plan["id"], "active@example.com")
        trialing = self.d.subscribe(self.plan["id"], "trialing@example.com", GOOD_CARD, "--trial-days", "14")
        canceled = self.d.subscribe(self.plan["id"], "canceled@example.com")
        self.d.ok("subscriptions", "cancel", canceled["id"])
        paused = self.d.subscribe(self.plan["id"], "paused@example.com")
        self.d.ok("subscriptions", "pause", paused["id"])
        expired = self.d.subscribe(self.plan["id"], "expired@example.com")
        self.d.ok("subscriptions", "cancel", expired["id"], "--immediate")
        self.d.advance("3d")

        cases = [
            (active, ["resume"], "resume an active one"),
            (trialing, ["resume"], "resume a trialing one"),
            (canceled, ["pause"], "pause a canceled one"),
            (canceled, ["resume"], "resume a canceled one"),
            (canceled, ["cancel"], "cancel a canceled one again"),
            (paused, ["pause"], "pause a paused one"),
            (expired, ["cancel"], "cancel an expired one"),
            (expired, ["cancel", "--immediate"], "cancel an expired one at once"),
            (expired, ["pause"], "pause an expired one"),
            (expired, ["resume"], "resume an expired one"),
        ]
        for sub, verb, what in cases:
            with self.subTest(what):
                before = self.snapshot(sub["id"])
                r = self.d.ctl("subscriptions", verb[0], sub["id"], *verb[1:])
                self.assertEqual(r.rc, 5, f"{what}: {r}")
                self.assertEqual(r.out, "", r)
                self.assertIn("error", r.err)
                self.assertEqual(self.snapshot(sub["id"]), before, f"{what} changed something")

        # Over the raw API: 409 with the error shape, and still nothing changed.
        before = self.snapshot(expired["id"])
        status, body = self.d.api("POST", f"/v1/subscriptions/{expired['id']}/resume")
        self.assertEqual(status, 409, body)
        self.assertEqual(set(body["error"]), {"code", "message", "param"})
        status, body = self.d.api("POST", f"/v1/subscriptions/{expired['id']}", {"card": GOOD_CARD})
        self.assertEqual(status, 409, body)
        self.assertEqual(self.snapshot(expired["id"]), before)

        missing = self.d.ctl("subscriptions", "pause", "sub_doesnotexist000000000000")
        self.assertEqual(missing.rc, 4, missing)


if __name__ == "__main__":
    unittest.main()
