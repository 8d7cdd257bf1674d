"""Plans through jopayctl: create, list, get, update, archive, and what archiving does to the
plan's subscriptions."""
import unittest

from harness import DaemonTest
from lnbits_client import LnbitsTest


def snapshot(d, live=False):
    """Every test-mode row the admin API shows, as full objects: equal snapshots mean nothing
    changed."""
    def items(path):
        status, body = d.api("GET", path, live=live)
        assert status == 200, (path, status, body)
        return body["data"]
    return {
        "plans": items("/v1/plans?active=all&limit=1000"),
        "subscriptions": items("/v1/subscriptions?limit=1000"),
        "customers": items("/v1/customers?limit=1000"),
        "payments": items("/v1/payments?limit=1000"),
        "events": items("/v1/events?limit=1000"),
    }


class PlanCrudTest(DaemonTest):
    def test_create_returns_every_field(self):
        plan = self.d.plan(name="Team Yearly", amount=9900, currency="USD", interval="year",
                           interval_count=2, trial_days=14, grace_days=3,
                           description="for teams")
        self.assertTrue(plan["id"].startswith("plan_"), plan)
        self.assertEqual(plan["object"], "plan")
        self.assertIs(plan["livemode"], False)
        self.assertEqual(plan["name"], "Team Yearly")
        self.assertEqual(plan["description"], "for teams")
        self.assertEqual(plan["amount"], 9900)
        self.assertEqual(plan["currency"], "usd")  # lower-cased
        self.assertEqual(plan["interval"], "year")
        self.assertEqual(plan["interval_count"], 2)
        self.assertEqual(plan["trial_days"], 14)
        self.assertEqual(plan["grace_period_days"], 3)
        self.assertIs(plan["active"], True)
        self.assertEqual(plan["created_at"], "2025-01-31T10:00:00Z")
        self.assertEqual(plan["updated_at"], "2025-01-31T10:00:00Z")

    def test_defaults(self):
        plan = self.d.plan()
        self.assertEqual(plan["interval_count"], 1)
        self.assertEqual(plan["trial_days"], 0)
        self.assertEqual(plan["grace_period_days"], 0)
        self.assertEqual(plan["description"], "")

    def test_get_equals_create_answer(self):
        plan = self.d.plan()
        self.assertEqual(self.d.ok("plans", "get", plan["id"]), plan)

    def test_get_unknown_plan_is_not_found(self):
        self.assertFails(self.d.ctl("plans", "get", "plan_doesnotexist000000000000"), 4,
                         "No such plan")

    def test_list_is_newest_first(self):
        a = self.d.plan(name="A")
        b = self.d.plan(name="B")
        c = self.d.plan(name="C")
        listed = self.d.ok("plans", "list")
        self.assertEqual([p["id"] for p in listed], [c["id"], b["id"], a["id"]])
        self.assertEqual(listed[0], c)

    def test_list_limit_and_starting_after_page_through(self):
        ids = [self.d.plan(name=f"P{i}")["id"] for i in range(5)]
        newest_first = list(reversed(ids))
        page1 = self.d.ctl("plans", "list", "--limit", "2")
        self.assertEqual(page1.rc, 0, page1)
        self.assertEqual([p["id"] for p in page1.json], newest_first[:2])
        self.assertIn("--starting-after " + newest_first[1], page1.err)
        page2 = self.d.ok("plans", "list", "--limit", "2", "--starting-after", newest_first[1])
        self.assertEqual([p["id"] for p in page2], newest_first[2:4])
        page3 = self.d.ctl("plans", "list", "--limit", "2", "--starting-after", newest_first[3])
        self.assertEqual([p["id"] for p in page3.json], newest_first[4:])
        self.assertNotIn("starting-after", page3.err)


class PlanUpdateTest(DaemonTest):
    def test_update_changes_only_what_is_sent(self):
        plan = self.d.plan(name="Pro", amount=1499, currency="eur", interval="month",
                           trial_days=7, grace_days=2, description="the pro plan")
        self.d.advance("1d")
        updated = self.d.ok("plans", "update", plan["id"], "--amount", "1999")
        expected = dict(plan, amount=1999, updated_at="2025-02-01T10:00:00Z")
        self.assertEqual(updated, expected)
        self.assertEqual(self.d.ok("plans", "get", plan["id"]), expected)

        updated = self.d.ok("plans", "update", plan["id"], "--name", "Pro 2", "--description",
                            "new words")
        expected.update(name="Pro 2", description="new words")
        self.assertEqual(updated, expected)

        updated = self.d.ok("plans", "update", plan["id"], "--trial-days", "0", "--grace-days",
                            "5", "--currency", "USD")
        expected.update(trial_days=0, grace_period_days=5, currency="usd")
        self.assertEqual(updated, expected)
        self.assertEqual(self.d.ok("plans", "get", plan["id"]), expected)

    def test_update_over_http_changes_only_what_is_sent(self):
        plan = self.d.plan(description="keep me", trial_days=3)
        status, body = self.d.api("POST", f"/v1/plans/{plan['id']}", {"name": "Renamed"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, dict(plan, name="Renamed"))

    def test_price_change_leaves_existing_subscriptions_alone(self):
        plan = self.d.plan(amount=1499)
        sub = self.d.subscribe(plan["id"], "old@example.com")
        self.d.ok("plans", "update", plan["id"], "--amount", "2500")
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["amount_cents"], 1499)
        new = self.d.subscribe(plan["id"], "new@example.com")
        self.assertEqual(new["amount_cents"], 2500)
        self.d.advance("28d")
        self.assertEqual([p["amount"] for p in self.d.payments(sub["id"])], [1499, 1499])
        self.assertEqual([p["amount"] for p in self.d.payments(new["id"])], [2500, 2500])

    def test_interval_cannot_change(self):
        plan = self.d.plan(interval="month")
        before = snapshot(self.d)
        for field, value in (("interval", "year"), ("interval_count", 3)):
            status, body = self.d.api("POST", f"/v1/plans/{plan['id']}", {field: value})
            self.assertEqual(status, 400, body)
            self.assertEqual(body["error"]["param"], field, body)
            self.assertIn("interval cannot change", body["error"]["message"])
        # Even alongside a valid change, nothing is applied.
        status, body = self.d.api("POST", f"/v1/plans/{plan['id']}",
                                  {"name": "Changed", "interval": "day"})
        self.assertEqual(status, 400, body)
        # jopayctl has no such option at all.
        r = self.d.ctl("plans", "update", plan["id"], "--interval", "year")
        self.assertFails(r, 2, "jopayctl: error:")
        self.assertEqual(snapshot(self.d), before)

    def test_update_with_nothing_to_change_is_refused(self):
        plan = self.d.plan()
        before = snapshot(self.d)
        self.assertFails(self.d.ctl("plans", "update", plan["id"]), 5, "nothing to change")
        self.assertEqual(snapshot(self.d), before)

    def test_update_with_bad_values_changes_nothing(self):
        plan = self.d.plan()
        before = snapshot(self.d)
        self.assertFails(self.d.ctl("plans", "update", plan["id"], "--amount", "0"), 5,
                         "(param: amount)")
        self.assertFails(self.d.ctl("plans", "update", plan["id"], "--currency", "xyz"), 5,
                         "(param: currency)")
        self.assertFails(self.d.ctl("plans", "update", plan["id"], "--name", "  "), 5,
                         "(param: name)")
        # One good field with one bad one: the good one is not applied either.
        self.assertFails(self.d.ctl("plans", "update", plan["id"], "--name", "Fine",
                                    "--amount", "-1"), 5, "(param: amount)")
        self.assertEqual(snapshot(self.d), before)

    def test_update_unknown_plan_is_not_found(self):
        self.assertFails(self.d.ctl("plans", "update", "plan_doesnotexist000000000000",
                                    "--name", "x"), 4, "No such plan")


class PlanArchiveTest(DaemonTest):
    def test_archived_plan_is_hidden_from_list(self):
        keep = self.d.plan(name="Keep")
        gone = self.d.plan(name="Gone")
        answer = self.d.ok("plans", "archive", gone["id"])
        self.assertIs(answer["plan"]["active"], False)
        self.assertEqual(answer["subscriptions_canceled"], 0)
        self.assertEqual([p["id"] for p in self.d.ok("plans", "list")], [keep["id"]])
        self.assertIs(self.d.ok("plans", "get", gone["id"])["active"], False)
        # The daemon's filter: ?active=false lists only archived plans, all lists both.
        _, body = self.d.api("GET", "/v1/plans?active=false")
        self.assertEqual([p["id"] for p in body["data"]], [gone["id"]])
        _, body = self.d.api("GET", "/v1/plans?active=all")
        self.assertEqual([p["id"] for p in body["data"]], [gone["id"], keep["id"]])
        status, body = self.d.api("GET", "/v1/plans?active=maybe")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["param"], "active")

    def test_list_include_archived_includes_archived_plans(self):
        # `plans list --include-archived` is documented as "include archived plans"; --all,
        # as on every list, means every page, and still only active plans.
        keep = self.d.plan(name="Keep")
        gone = self.d.plan(name="Gone")
        self.d.ok("plans", "archive", gone["id"])
        listed = self.d.ok("plans", "list", "--include-archived")
        self.assertEqual([p["id"] for p in listed], [gone["id"], keep["id"]],
                         "plans list --include-archived must show the archived plan too")
        self.assertEqual([p["id"] for p in self.d.ok("plans", "list", "--all")], [keep["id"]])

    def test_archive_cancels_active_subscriptions_at_period_end(self):
        plan = self.d.plan()
        other = self.d.plan(name="Other")
        a = self.d.subscribe(plan["id"], "a@example.com")
        b = self.d.subscribe(plan["id"], "b@example.com")
        trial = self.d.ok("subscriptions", "create", "--plan", plan["id"], "--email",
                          "t@example.com", "--trial-days", "14")
        untouched = self.d.subscribe(other["id"], "c@example.com")
        self.d.advance("1d")

        answer = self.d.ok("plans", "archive", plan["id"])
        self.assertEqual(answer["subscriptions_canceled"], 3)
        self.assertEqual(answer["plan"]["id"], plan["id"])
        self.assertIs(answer["plan"]["active"], False)

        for sub, end in ((a, "2025-02-28T10:00:00Z"), (b, "2025-02-28T10:00:00Z"),
                         (trial, "2025-02-14T10:00:00Z")):
            got = self.d.ok("subscriptions", "get", sub["id"])
            self.assertEqual(got["status"], "canceled", got)
            self.assertIs(got["cancel_at_period_end"], True, got)
            self.assertEqual(got["canceled_at"], "2025-02-01T10:00:00Z", got)
            self.assertEqual(got["current_period_end"], end, got)
            self.assertEqual(got["ended_at"], None, got)  # access continues to period end
            self.assertEqual(got["next_action"], "expire", got)
            self.assertEqual(got["next_action_at"], end, got)
        other_sub = self.d.ok("subscriptions", "get", untouched["id"])
        self.assertEqual(other_sub["status"], "active")
        self.assertIs(other_sub["cancel_at_period_end"], False)

        cancelled = [e["object_id"] for e in self.d.events(type="subscription.cancelled")]
        self.assertCountEqual(cancelled, [a["id"], b["id"], trial["id"]])

        # At period end they expire instead of renewing; the other plan's one renews.
        fired = self.d.advance("27d")["fired"]
        self.assertEqual(fired["expired"], 3, fired)
        self.assertEqual(fired["renewed"], 1, fired)
        for sub in (a, b, trial):
            self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "expired")
        self.assertEqual(len(self.d.payments(a["id"])), 1)

    def test_archive_skips_subscriptions_already_ended(self):
        plan = self.d.plan()
        ended = self.d.subscribe(plan["id"], "e@example.com")
        self.d.ok("subscriptions", "cancel", ended["id"], "--immediate")
        live = self.d.subscribe(plan["id"], "l@example.com")
        answer = self.d.ok("plans", "archive", plan["id"])
        self.assertEqual(answer["subscriptions_canceled"], 1)
        self.assertEqual(self.d.ok("subscriptions", "get", ended["id"])["status"], "expired")
        self.assertEqual(self.d.ok("subscriptions", "get", live["id"])["status"], "canceled")

    def test_second_archive_is_a_conflict_and_changes_nothing(self):
        plan = self.d.plan()
        self.d.subscribe(plan["id"], "a@example.com")
        self.d.ok("plans", "archive", plan["id"])
        before = snapshot(self.d)
        self.assertFails(self.d.ctl("plans", "archive", plan["id"]), 5, "already archived")
        status, body = self.d.api("POST", f"/v1/plans/{plan['id']}/archive")
        self.assertEqual(status, 409, body)
        self.assertEqual(set(body["error"]), {"code", "message", "param"})
        self.assertEqual(snapshot(self.d), before)

    def test_archive_unknown_plan_is_not_found(self):
        before = snapshot(self.d)
        self.assertFails(self.d.ctl("plans", "archive", "plan_doesnotexist000000000000"), 4,
                         "No such plan")
        self.assertEqual(snapshot(self.d), before)

    def test_no_new_subscription_on_an_archived_plan(self):
        plan = self.d.plan()
        self.d.ok("plans", "archive", plan["id"])
        before = snapshot(self.d)
        r = self.d.ctl("subscriptions", "create", "--plan", plan["id"], "--email",
                       "late@example.com", "--card", "4242424242424242")
        self.assertFails(r, 5, "archived")
        self.assertIn("jopayctl: error:", r.err)
        self.assertEqual(r.out, "")
        r = self.d.ctl("subscriptions", "create", "--plan", plan["id"], "--email",
                       "late@example.com", "--trial-days", "7")
        self.assertFails(r, 5, "archived")
        status, body = self.d.api("POST", "/v1/subscriptions",
                                  {"plan": plan["id"], "email": "late@example.com",
                                   "card": "4242424242424242"})
        self.assertEqual(status // 100, 4, body)
        self.assertNotEqual(status, 404, body)
        self.assertEqual(body["error"]["param"], "plan", body)
        self.assertEqual(snapshot(self.d), before)

    def test_table_archive_reports_the_count_on_stderr(self):
        plan = self.d.plan()
        self.d.subscribe(plan["id"], "a@example.com")
        r = self.d.ctl("plans", "archive", plan["id"], output="table")
        self.assertEqual(r.rc, 0, r)
        self.assertIn(plan["id"], r.out)
        self.assertIn("cancel at period end: 1", r.err)


class PlanPaymentMethodsTest(LnbitsTest):
    """payment_methods on the admin face and jopayctl: the allow_* columns /api/v1 shows."""

    def flags(self, plan_id):
        """The plan's methods as the LNbits-style API spells them."""
        p = self.v1("GET", f"/plans/{plan_id}")
        return {k: p[k] for k in ("allow_stripe", "allow_lightning", "allow_onchain",
                                  "allow_paypal")}

    @staticmethod
    def expected_flags(*methods):
        return {"allow_stripe": "card" in methods, "allow_lightning": "lightning" in methods,
                "allow_onchain": "onchain" in methods, "allow_paypal": "paypal" in methods}

    def test_a_new_plan_takes_card_and_lightning(self):
        plan = self.d.plan()
        self.assertEqual(plan["payment_methods"], ["card", "lightning"])
        self.assertEqual(self.flags(plan["id"]), self.expected_flags("card", "lightning"))
        status, body = self.d.api("POST", "/v1/plans", {"name": "Raw", "amount": 100,
                                                        "currency": "eur", "interval": "day"})
        self.assertEqual((status, body["payment_methods"]), (201, ["card", "lightning"]), body)

    def test_create_with_methods_lists_them_in_fixed_order(self):
        plan = self.d.plan(payment_methods="paypal, onchain,card")
        self.assertEqual(plan["payment_methods"], ["card", "onchain", "paypal"])
        self.assertEqual(self.d.ok("plans", "get", plan["id"]), plan)
        self.assertEqual(self.flags(plan["id"]), self.expected_flags("card", "onchain", "paypal"))
        status, body = self.d.api("POST", "/v1/plans", {"name": "Zap", "amount": 21000,
                                                        "currency": "sat", "interval": "month",
                                                        "payment_methods": ["lightning"]})
        self.assertEqual(status, 201, body)
        self.assertEqual(body["payment_methods"], ["lightning"])
        self.assertEqual(self.flags(body["id"]), self.expected_flags("lightning"))

    def test_update_replaces_the_methods_and_nothing_else(self):
        plan = self.d.plan(trial_days=7)
        self.d.advance("1d")
        updated = self.d.ok("plans", "update", plan["id"], "--payment-methods", "onchain,lightning")
        expected = dict(plan, payment_methods=["lightning", "onchain"],
                        updated_at="2025-01-11T12:30:00Z")
        self.assertEqual(updated, expected)
        self.assertEqual(self.d.ok("plans", "get", plan["id"]), expected)
        self.assertEqual(self.flags(plan["id"]), self.expected_flags("lightning", "onchain"))
        # Another field alone leaves the methods as they are.
        renamed = self.d.ok("plans", "update", plan["id"], "--name", "Renamed")
        self.assertEqual(renamed["payment_methods"], ["lightning", "onchain"])
        status, body = self.d.api("POST", f"/v1/plans/{plan['id']}",
                                  {"payment_methods": ["paypal", "card"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, dict(renamed, payment_methods=["card", "paypal"]))
        self.assertEqual(self.flags(plan["id"]), self.expected_flags("card", "paypal"))
        # And the other way: what /api/v1 changes, the admin face shows.
        self.v1("PUT", f"/plans/{plan['id']}", {"allow_onchain": True})
        self.assertEqual(self.d.ok("plans", "get", plan["id"])["payment_methods"],
                         ["card", "onchain", "paypal"])

    def test_bad_methods_are_refused_and_change_nothing(self):
        plan = self.d.plan(payment_methods="card,onchain")
        before = self.full_snapshot()
        bad = ([], ["bitcoin"], ["stripe"], ["Card"], ["card", "card"], "card", [1], {})
        for value in bad:
            for path, body in (("/v1/plans", {"name": "X", "amount": 100, "currency": "eur",
                                              "interval": "month", "payment_methods": value}),
                               (f"/v1/plans/{plan['id']}", {"payment_methods": value}),
                               (f"/v1/plans/{plan['id']}", {"name": "Y", "payment_methods": value})):
                status, answer = self.d.api("POST", path, body)
                self.assertEqual(status, 400, (path, value, answer))
                self.assertEqual(answer["error"]["param"], "payment_methods", answer)
        _, answer = self.d.api("POST", f"/v1/plans/{plan['id']}", {"payment_methods": []})
        self.assertIn("payable", answer["error"]["message"])
        _, answer = self.d.api("POST", f"/v1/plans/{plan['id']}", {"payment_methods": ["btc"]})
        self.assertIn('"btc" is not a payment method', answer["error"]["message"])
        # jopayctl refuses them itself, as usage errors, before any call.
        for value in ("bitcoin", "card,card", "", "card,Lightning"):
            r = self.d.ctl("plans", "update", plan["id"], "--payment-methods", value)
            self.assertFails(r, 2, "--payment-methods")
            self.assertEqual(r.out, "")
            self.assertFails(self.d.ctl("plans", "create", "--name", "N", "--amount", "1",
                                        "--currency", "eur", "--interval", "day",
                                        "--payment-methods", value), 2, "--payment-methods")
        # Good methods with a bad field: the daemon refuses (exit 5) and applies neither.
        self.assertFails(self.d.ctl("plans", "update", plan["id"], "--payment-methods", "paypal",
                                    "--amount", "0"), 5, "(param: amount)")
        self.assertEqual(self.full_snapshot(), before)

    def test_table_view_shows_the_methods(self):
        plan = self.d.plan(payment_methods="lightning,onchain")
        listed = self.d.ok("plans", "list", output="table")
        self.assertIn("METHODS", listed.splitlines()[0])
        self.assertIn("lightning,onchain", listed)
        shown = self.d.ok("plans", "get", plan["id"], output="table")
        row = [line for line in shown.splitlines() if line.startswith("payment_methods")]
        self.assertEqual(len(row), 1, shown)
        self.assertIn("lightning", row[0])
        self.assertIn("onchain", row[0])
        self.assertNotIn("card", row[0])


if __name__ == "__main__":
    unittest.main()
