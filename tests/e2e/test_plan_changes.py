"""Plan changes with proration: `jopayctl subscriptions update SUB --plan P2 [--proration now|none]
[--at now|period_end] [--cancel-pending]` (POST /v1/subscriptions/{id}), the LNbits PUT
/api/v1/subscriptions/{id} and the portal's POST /portal/{token}/plan. An upgrade applies now,
credited and charged to the second on one invoice; a downgrade waits for the period end, shown,
cancellable and applied by the renewal; no proration; at now; changes of interval and currency;
subscription.updated with the previous plan; and bad input refused without changing anything."""
import unittest
from datetime import datetime, timezone

from checkout_client import Public
from pages_client import PagesTest
from harness import DaemonTest, unix, counts, ZERO, FAILING_CARD, GOOD_CARD

PERIOD_START = "2025-01-31T10:00:00Z"
PERIOD_END = "2025-02-28T10:00:00Z"


def when(value):
    """An invoice's time as RFC 3339 (older builds gave Unix seconds)."""
    if isinstance(value, int):
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def prorated(amount, part, whole):
    """proration.h: amount * part / whole, rounded half up, in integers."""
    return (2 * amount * part + whole) // (2 * whole)


class PlanChangeBase(DaemonTest):
    """Four eur plans (monthly Basic 1000, Pro 2999, Lite 400; yearly Basic Yearly 9999)."""

    def setUp(self):
        super().setUp()
        self.basic = self.d.plan(name="Basic", amount=1000)
        self.pro = self.d.plan(name="Pro", amount=2999)
        self.lite = self.d.plan(name="Lite", amount=400)
        self.yearly = self.d.plan(name="Basic Yearly", amount=9999, interval="year")

    def get(self, sub_id):
        return self.d.ok("subscriptions", "get", sub_id)

    def invoices(self, sub_id):
        return list(reversed(self.d.ok("invoices", "list", "--subscription", sub_id)))

    def update(self, sub_id, *args):
        return self.d.ok("subscriptions", "update", sub_id, *args)

    def state(self, sub_id):
        """What a refused change must leave as it was."""
        sub = self.get(sub_id)
        return (sub, [i["id"] for i in self.invoices(sub_id)],
                [(p["id"], p["status"]) for p in self.d.payments(sub_id)],
                [e["id"] for e in self.d.events(sub_id)])


class PlanChangeTest(PlanChangeBase):
    def test_an_upgrade_now_credits_the_unused_time_and_charges_the_new_price_to_the_second(self):
        sub = self.d.subscribe(self.basic["id"], "up@example.com")
        changed_at = "2025-02-09T17:23:41Z"
        self.d.ok("clock", "set", changed_at)
        now = unix(changed_at)
        whole = unix(PERIOD_END) - unix(PERIOD_START)
        unused = unix(PERIOD_END) - now
        credit, charge = prorated(1000, unused, whole), prorated(2999, unused, whole)
        # 18d 16:36:19 of 28 days unused; exact shares 667.57... and 2002.03...: each line is
        # rounded on its own, half up.
        self.assertEqual((unused, credit, charge), (1614979, 668, 2002))

        up = self.update(sub["id"], "--plan", self.pro["id"])
        self.assertEqual((up["plan_id"], up["plan_name"], up["amount_cents"]),
                         (self.pro["id"], "Pro", 2999))
        # The period and its renewal stay where they were.
        self.assertEqual((up["current_period_start"], up["current_period_end"]),
                         (PERIOD_START, PERIOD_END))
        self.assertEqual((up["next_action"], up["next_action_at"]), ("renew", PERIOD_END))
        self.assertIsNone(up["pending_update"])
        change = up["plan_change"]
        self.assertEqual((change["kind"], change["applies"], change["at"]),
                         ("upgrade", "now", changed_at))
        self.assertEqual(change["proration"],
                         {"credit": credit, "charge": charge, "net": charge - credit})

        invoices = self.invoices(sub["id"])
        self.assertEqual([i["billing_reason"] for i in invoices],
                         ["subscription_create", "subscription_update"])
        inv = invoices[1]
        self.assertEqual(inv["id"], change["invoice"])
        self.assertEqual([(l["description"], when(l["period_start"]), when(l["period_end"]),
                           l["quantity"], l["unit_amount"], l["amount"]) for l in inv["lines"]],
                         [("Unused time on Basic", changed_at, PERIOD_END, 1, -credit, -credit),
                          ("Remaining time on Pro", changed_at, PERIOD_END, 1, charge, charge)])
        self.assertEqual((inv["subtotal"], inv["total"], inv["currency"], inv["status"],
                          inv["amount_paid"], inv["amount_due"]),
                         (charge - credit, charge - credit, "eur", "paid", charge - credit, 0))
        self.assertEqual(inv["plan_id"], self.pro["id"])

        payments = self.d.payments(sub["id"])
        self.assertEqual([(p["amount"], p["status"], p["attempt"]) for p in payments],
                         [(1000, "paid", 1), (charge - credit, "paid", -1)])
        self.assertEqual(payments[1]["id"], change["payment"])
        self.assertEqual((payments[1]["period_start"], payments[1]["period_end"]),
                         (changed_at, PERIOD_END))

        updated = self.d.events(sub["id"], type="subscription.updated")
        self.assertEqual(len(updated), 1)
        data = updated[0]["data"]
        self.assertEqual(updated[0]["created_at"], changed_at)
        self.assertEqual((data["plan_id"], data["amount_cents"]), (self.pro["id"], 2999))
        self.assertEqual(data["previous_plan"],
                         {"plan_id": self.basic["id"], "plan_name": "Basic", "amount": 1000,
                          "currency": "eur", "interval": "month", "interval_count": 1})

        # The renewal charges the new price, once.
        self.d.ok("clock", "set", "2025-02-28T09:59:59Z")
        self.assertEqual(len(self.d.payments(sub["id"])), 2)
        self.assertEqual(counts(self.d.advance("1s")["fired"]),
                         dict(ZERO, renewed=1, charged={"eur": 2999}))
        last = self.d.payments(sub["id"])[-1]
        self.assertEqual((last["amount"], last["period_start"], last["status"]),
                         (2999, PERIOD_END, "paid"))
        self.assertEqual(self.invoices(sub["id"])[-1]["lines"][0]["amount"], 2999)

    def test_a_downgrade_waits_for_the_period_end_shows_can_be_called_off_then_applies(self):
        sub = self.d.subscribe(self.pro["id"], "down@example.com")
        self.d.advance("5d")
        down = self.update(sub["id"], "--plan", self.basic["id"])
        self.assertEqual((down["plan_change"]["kind"], down["plan_change"]["applies"]),
                         ("downgrade", "period_end"))
        self.assertIsNone(down["plan_change"]["proration"])
        self.assertIsNone(down["plan_change"]["invoice"])
        pending = {"plan_id": self.basic["id"], "plan_name": "Basic", "amount": 1000,
                   "currency": "eur", "interval": "month", "interval_count": 1, "at": PERIOD_END,
                   "awaiting_payment": None}  # a payment an upgrade waits for (Stripe, PayPal)
        shown = self.get(sub["id"])
        self.assertEqual((shown["plan_id"], shown["amount_cents"]), (self.pro["id"], 2999))
        self.assertEqual(shown["pending_update"], pending)
        self.assertEqual(len(self.invoices(sub["id"])), 1)
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        event = self.d.events(sub["id"], type="subscription.updated")[-1]
        self.assertEqual(event["data"]["pending_update"], pending)

        # Scheduled twice: refused; called off: gone, and nothing to call off a second time.
        self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], "--plan",
                                    self.basic["id"]), 5, "already scheduled")
        off = self.update(sub["id"], "--cancel-pending")
        self.assertIsNone(off["pending_update"])
        self.assertEqual(off["plan_id"], self.pro["id"])
        self.assertIsNone(self.get(sub["id"])["pending_update"])
        self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], "--cancel-pending"), 5)
        self.assertEqual(len(self.d.events(sub["id"], type="subscription.updated")), 2)

        # Scheduled again, it applies at the renewal, which charges the new price.
        self.update(sub["id"], "--plan", self.basic["id"])
        self.assertEqual(counts(self.d.advance("22d")["fired"]), ZERO)  # Feb 27
        self.assertEqual(self.get(sub["id"])["plan_id"], self.pro["id"])
        self.assertEqual(counts(self.d.advance("1d")["fired"]),
                         dict(ZERO, renewed=1, charged={"eur": 1000}))
        after = self.get(sub["id"])
        self.assertEqual((after["plan_id"], after["amount_cents"], after["pending_update"]),
                         (self.basic["id"], 1000, None))
        self.assertEqual((after["current_period_start"], after["current_period_end"]),
                         (PERIOD_END, "2025-03-31T10:00:00Z"))
        self.assertEqual([(p["amount"], p["period_start"]) for p in self.d.payments(sub["id"])],
                         [(2999, PERIOD_START), (1000, PERIOD_END)])
        types = [e["type"] for e in self.d.events(sub["id"])]
        self.assertEqual(types[-2:], ["subscription.updated", "subscription.renewed"])
        applied = self.d.events(sub["id"], type="subscription.updated")[-1]
        self.assertEqual(applied["created_at"], PERIOD_END)
        self.assertEqual(applied["data"]["previous_plan"]["plan_id"], self.pro["id"])
        self.assertEqual(applied["data"]["plan_id"], self.basic["id"])

    def test_proration_none_switches_now_without_a_credit_or_a_charge(self):
        sub = self.d.subscribe(self.basic["id"], "quiet@example.com")
        self.d.advance("10d")
        up = self.update(sub["id"], "--plan", self.pro["id"], "--proration", "none")
        self.assertEqual((up["plan_id"], up["amount_cents"]), (self.pro["id"], 2999))
        self.assertEqual(up["plan_change"]["applies"], "now")
        self.assertIsNone(up["plan_change"]["proration"])
        self.assertIsNone(up["plan_change"]["invoice"])
        self.assertIsNone(up["plan_change"]["payment"])
        self.assertEqual(len(self.invoices(sub["id"])), 1)
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        self.assertEqual((up["current_period_end"], up["next_action_at"]), (PERIOD_END, PERIOD_END))
        self.d.advance("18d")
        self.assertEqual([p["amount"] for p in self.d.payments(sub["id"])], [1000, 2999])

    def test_a_downgrade_at_now_charges_nothing_and_refunds_the_credit_beyond_the_charge(self):
        sub = self.d.subscribe(self.basic["id"], "nowdown@example.com")
        self.d.ok("clock", "set", "2025-02-14T10:00:00Z")  # half the period left
        down = self.update(sub["id"], "--plan", self.lite["id"], "--at", "now")
        self.assertEqual((down["plan_id"], down["amount_cents"], down["pending_update"]),
                         (self.lite["id"], 400, None))
        self.assertEqual(down["plan_change"]["proration"], {"credit": 500, "charge": 200,
                                                            "net": -300})
        self.assertIsNone(down["plan_change"]["payment"])
        inv = self.invoices(sub["id"])[-1]
        self.assertEqual([l["amount"] for l in inv["lines"]], [-500, 200])
        self.assertEqual((inv["total"], inv["status"], inv["amount_due"]), (-300, "paid", 0))
        # The 300 beyond the charge goes back to the card that paid the period, once.
        [paid] = self.d.payments(sub["id"])
        self.assertEqual((paid["amount"], paid["amount_refunded"], paid["status"]),
                         (1000, 300, "paid"))
        [refund] = self.d.ok("payments", "get", paid["id"])["refunds"]
        self.assertEqual((refund["id"], refund["amount"], refund["status"]),
                         (down["plan_change"]["refund"], 300, "succeeded"))
        self.d.advance("14d")
        self.assertEqual([(p["amount"], p["amount_refunded"]) for p in self.d.payments(sub["id"])],
                         [(1000, 300), (400, 0)])

    def test_a_credit_beyond_what_the_period_payment_has_left_refunds_only_that(self):
        sub = self.d.subscribe(self.basic["id"], "refunded@example.com")
        [paid] = self.d.payments(sub["id"])
        self.d.ok("payments", "refund", paid["id"], "--amount", "900")
        self.d.ok("clock", "set", "2025-02-14T10:00:00Z")
        down = self.update(sub["id"], "--plan", self.lite["id"], "--at", "now")
        got = self.d.ok("payments", "get", paid["id"])
        self.assertEqual([(r["id"], r["amount"]) for r in got["refunds"]][1:],
                         [(down["plan_change"]["refund"], 100)])
        self.assertEqual(got["amount_refunded"], 1000)
        # Nothing left to give back: the change still applies, without a refund.
        again = self.d.subscribe(self.basic["id"], "gone@example.com")
        [p] = self.d.payments(again["id"])
        self.d.ok("payments", "refund", p["id"])
        self.assertIsNone(self.update(again["id"], "--plan", self.lite["id"], "--at", "now")
                          ["plan_change"]["refund"])

    def test_an_upgrade_at_period_end_waits(self):
        sub = self.d.subscribe(self.basic["id"], "later@example.com")
        self.d.advance("3d")
        later = self.update(sub["id"], "--plan", self.pro["id"], "--at", "period_end")
        self.assertEqual((later["plan_id"], later["pending_update"]["plan_id"]),
                         (self.basic["id"], self.pro["id"]))
        self.assertEqual(len(self.d.payments(sub["id"])), 1)

    def test_a_change_of_interval_starts_a_new_period_now(self):
        sub = self.d.subscribe(self.basic["id"], "yearly@example.com")
        self.d.ok("clock", "set", "2025-02-07T10:00:00Z")  # 21 of 28 days unused
        y = self.update(sub["id"], "--plan", self.yearly["id"])
        self.assertEqual((y["plan_change"]["kind"], y["plan_change"]["applies"]), ("interval", "now"))
        self.assertEqual(y["plan_change"]["proration"], {"credit": 750, "charge": 9999,
                                                         "net": 9249})
        self.assertEqual((y["plan_interval"], y["amount_cents"]), ("year", 9999))
        self.assertEqual((y["current_period_start"], y["current_period_end"]),
                         ("2025-02-07T10:00:00Z", "2026-02-07T10:00:00Z"))
        self.assertEqual((y["next_action"], y["next_action_at"]), ("renew", "2026-02-07T10:00:00Z"))
        inv = self.invoices(sub["id"])[-1]
        self.assertEqual([(l["description"], when(l["period_start"]), when(l["period_end"]),
                           l["amount"]) for l in inv["lines"]],
                         [("Unused time on Basic", "2025-02-07T10:00:00Z", PERIOD_END, -750),
                          ("Basic Yearly", "2025-02-07T10:00:00Z", "2026-02-07T10:00:00Z", 9999)])
        self.assertEqual((inv["total"], inv["status"]), (9249, "paid"))
        self.assertEqual([(p["amount"], p["status"]) for p in self.d.payments(sub["id"])],
                         [(1000, "paid"), (9249, "paid")])
        # No monthly renewal at the old period end; the next charge is a year on.
        self.assertEqual(counts(self.d.advance("364d")["fired"]), ZERO)
        self.assertEqual(counts(self.d.advance("1d")["fired"]),
                         dict(ZERO, renewed=1, charged={"eur": 9999}))

    def test_a_change_of_interval_at_period_end_starts_the_new_schedule_there(self):
        sub = self.d.subscribe(self.basic["id"], "toyearly@example.com")
        self.d.advance("3d")
        later = self.update(sub["id"], "--plan", self.yearly["id"], "--at", "period_end")
        self.assertEqual(later["pending_update"]["at"], PERIOD_END)
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        self.assertEqual(counts(self.d.advance("25d")["fired"]),
                         dict(ZERO, renewed=1, charged={"eur": 9999}))
        y = self.get(sub["id"])
        self.assertEqual((y["plan_id"], y["current_period_start"], y["current_period_end"]),
                         (self.yearly["id"], PERIOD_END, "2026-02-28T10:00:00Z"))
        # The first yearly period is a renewal of the subscription, not its first bill.
        self.assertEqual([(i["billing_reason"], i["total"]) for i in self.invoices(sub["id"])],
                         [("subscription_create", 1000), ("subscription_cycle", 9999)])
        # Back to monthly: the unused year is worth more than a month, so it waits for its end.
        self.d.advance("30d")
        back = self.update(sub["id"], "--plan", self.basic["id"])
        self.assertEqual((back["plan_change"]["kind"], back["plan_change"]["applies"]),
                         ("interval", "period_end"))
        self.assertEqual(back["pending_update"]["at"], "2026-02-28T10:00:00Z")

    def test_refused_changes_exit_with_their_code_and_change_nothing(self):
        sub = self.d.subscribe(self.basic["id"], "bad@example.com")
        self.d.advance("3d")
        archived = self.d.plan(name="Old", amount=5000)
        self.d.ok("plans", "archive", archived["id"])
        before = self.state(sub["id"])
        for args, code, message in (
                (["--plan", "plan_doesnotexist000000000000"], 4, None),
                (["--plan", archived["id"]], 5, "archived"),
                (["--plan", self.basic["id"]], 5, "already on plan"),
                (["--plan", self.pro["id"], "--at", "tomorrow"], 2, None),
                (["--plan", self.pro["id"], "--proration", "later"], 2, None),
                (["--proration", "none"], 5, None),
                (["--plan", self.pro["id"], "--cancel-pending"], 5, None)):
            with self.subTest(args=args):
                self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], *args), code,
                                 message)
                self.assertEqual(self.state(sub["id"]), before)

        for body in ({"plan": self.pro["id"], "at": "later"},
                     {"plan": self.pro["id"], "proration": "sometimes"},
                     {"plan": 7}, {"at": "now"},
                     # A card and a plan in one call: all of it or none.
                     {"card": "5555555555554444", "plan": "plan_doesnotexist000000000000"}):
            with self.subTest(body=body):
                status, answer = self.d.api("POST", f"/v1/subscriptions/{sub['id']}", body)
                self.assertEqual(status, 404 if "card" in body else 400, answer)
                self.assertEqual(self.state(sub["id"]), before)

        canceled = self.d.subscribe(self.basic["id"], "canceled@example.com")
        self.d.ok("subscriptions", "cancel", canceled["id"])
        expired = self.d.subscribe(self.basic["id"], "expired@example.com")
        self.d.ok("subscriptions", "cancel", expired["id"], "--immediate")
        for s, status in ((canceled, "canceled"), (expired, "expired")):
            with self.subTest(status=status):
                was = self.state(s["id"])
                r = self.d.ctl("subscriptions", "update", s["id"], "--plan", self.pro["id"])
                self.assertFails(r, 5, status)
                self.assertEqual(self.state(s["id"]), was)
        self.assertFails(self.d.ctl("subscriptions", "update", "sub_doesnotexist00000000000",
                                    "--plan", self.pro["id"]), 4)


class PlanChangeEdgeTest(PlanChangeBase):
    def test_a_declined_proration_charge_refuses_the_change_and_leaves_no_trace(self):
        sub = self.d.subscribe(self.basic["id"], "declined@example.com")
        self.d.ok("subscriptions", "update", sub["id"], "--card", FAILING_CARD)
        other = self.d.subscribe(self.basic["id"], "other@example.com")
        self.d.advance("7d")
        before = self.state(sub["id"])
        numbers = [i["number"] for i in self.d.ok("invoices", "list")]
        self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], "--plan",
                                    self.pro["id"]), 5, "declined")
        self.assertEqual(self.state(sub["id"]), before)
        self.assertEqual([i["number"] for i in self.d.ok("invoices", "list")], numbers)
        # The invoice number the refused change would have had is the next one's: none skipped.
        self.update(other["id"], "--plan", self.pro["id"])
        last = self.invoices(other["id"])[-1]["number"]
        prefix, n = numbers[0].rsplit("-", 1)
        self.assertEqual(last, f"{prefix}-{int(n) + 1:0{len(n)}d}")

    def test_a_change_of_currency_waits_and_now_only_without_proration(self):
        usd = self.d.plan(name="Dollar", amount=1100, currency="usd")
        sub = self.d.subscribe(self.basic["id"], "usd@example.com")
        self.d.advance("4d")
        before = self.state(sub["id"])
        self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], "--plan", usd["id"],
                                    "--at", "now"), 5, "proration none")
        self.assertEqual(self.state(sub["id"]), before)
        later = self.update(sub["id"], "--plan", usd["id"])
        self.assertEqual((later["plan_change"]["kind"], later["plan_change"]["applies"]),
                         ("currency", "period_end"))
        self.assertEqual(later["pending_update"]["currency"], "usd")
        now = self.update(sub["id"], "--plan", usd["id"], "--at", "now", "--proration", "none")
        self.assertEqual((now["currency"], now["amount_cents"], now["pending_update"]),
                         ("usd", 1100, None))
        self.assertEqual(len(self.d.payments(sub["id"])), 1)
        self.d.advance("24d")  # Feb 28: the first period in dollars
        self.assertEqual([(p["amount"], p["currency"]) for p in self.d.payments(sub["id"])],
                         [(1000, "eur"), (1100, "usd")])

    def test_in_a_trial_a_change_applies_now_and_the_trial_converts_at_the_new_price(self):
        sub = self.d.subscribe(self.pro["id"], "trial@example.com", None, "--trial-days", "14")
        self.d.advance("2d")
        down = self.update(sub["id"], "--plan", self.lite["id"])
        self.assertEqual((down["status"], down["plan_id"], down["amount_cents"]),
                         ("trialing", self.lite["id"], 400))
        self.assertIsNone(down["plan_change"]["proration"])
        self.assertEqual(self.invoices(sub["id"]), [])
        self.d.ok("subscriptions", "update", sub["id"], "--card", "4242424242424242")
        self.d.advance("12d")
        self.assertEqual([p["amount"] for p in self.d.payments(sub["id"])], [400])

    def test_a_change_of_interval_for_the_trial_end_bills_the_first_period_as_the_first(self):
        sub = self.d.subscribe(self.basic["id"], "trialyear@example.com", GOOD_CARD,
                               "--trial-days", "14")
        self.d.advance("1d")
        self.update(sub["id"], "--plan", self.yearly["id"], "--at", "period_end")
        self.assertEqual(self.get(sub["id"])["pending_update"]["at"], "2025-02-14T10:00:00Z")
        self.d.advance("13d")
        y = self.get(sub["id"])
        self.assertEqual((y["status"], y["plan_id"], y["current_period_start"],
                          y["current_period_end"]),
                         ("active", self.yearly["id"], "2025-02-14T10:00:00Z",
                          "2026-02-14T10:00:00Z"))
        self.assertEqual([(i["billing_reason"], i["total"]) for i in self.invoices(sub["id"])],
                         [("subscription_create", 9999)])

    def test_a_paused_subscription_cannot_change_plan(self):
        sub = self.d.subscribe(self.basic["id"], "paused@example.com")
        self.d.ok("subscriptions", "pause", sub["id"])
        before = self.state(sub["id"])
        self.assertFails(self.d.ctl("subscriptions", "update", sub["id"], "--plan",
                                    self.pro["id"]), 5, "resume it first")
        self.assertEqual(self.state(sub["id"]), before)

    def test_a_cancel_drops_the_scheduled_change_and_a_paused_one_runs_to_its_paid_end(self):
        sub = self.d.subscribe(self.pro["id"], "pausedcancel@example.com")
        self.update(sub["id"], "--plan", self.basic["id"])
        self.d.advance("2d")
        self.d.ok("subscriptions", "pause", sub["id"])
        self.d.advance("3d")
        c = self.d.ok("subscriptions", "cancel", sub["id"])
        # The period was paid: canceled keeps it to its end, as for an active subscription.
        self.assertEqual((c["status"], c["cancel_at_period_end"], c["pending_update"],
                          c["paused_at"], c["ended_at"]), ("canceled", True, None, None, None))
        self.assertEqual((c["next_action"], c["next_action_at"]), ("expire", PERIOD_END))
        self.d.advance("23d")
        ended = self.get(sub["id"])
        self.assertEqual((ended["status"], ended["ended_at"], ended["plan_id"]),
                         ("expired", PERIOD_END, self.pro["id"]))
        self.assertEqual(len(self.d.payments(sub["id"])), 1)

    def test_archiving_the_plan_a_change_waits_for_calls_the_change_off(self):
        sub = self.d.subscribe(self.basic["id"], "archive@example.com")
        self.update(sub["id"], "--plan", self.lite["id"])
        self.assertEqual(self.get(sub["id"])["pending_update"]["plan_id"], self.lite["id"])
        self.d.ok("plans", "archive", self.lite["id"])
        after = self.get(sub["id"])
        self.assertIsNone(after["pending_update"])
        self.assertEqual((after["status"], after["plan_id"]), ("active", self.basic["id"]))
        self.d.advance("28d")
        self.assertEqual([p["amount"] for p in self.d.payments(sub["id"])], [1000, 1000])


class LnbitsPlanChangeTest(DaemonTest):
    """PUT /api/v1/subscriptions/{id} on the public port with a secret key."""

    def setUp(self):
        super().setUp()
        self.pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        self.basic = self.d.plan(name="Basic", amount=1000)
        self.pro = self.d.plan(name="Pro", amount=2999)
        self.sub = self.d.subscribe(self.basic["id"], "lnbits@example.com")

    def put(self, body, status=200):
        return self.pub.ok("PUT", f"/api/v1/subscriptions/{self.sub['id']}", body, status=status)

    def test_put_moves_the_plan_with_proration_and_takes_metadata_in_the_same_call(self):
        self.d.ok("clock", "set", "2025-02-14T10:00:00Z")
        got = self.put({"plan_id": self.pro["id"], "metadata": {"seat": "7"}})
        self.assertEqual((got["plan_id"], got["plan_name"], got["amount"]),
                         (self.pro["id"], "Pro", 2999))
        self.assertEqual(got["metadata"], {"seat": "7"})
        inv = list(reversed(self.d.ok("invoices", "list", "--subscription", self.sub["id"])))[-1]
        self.assertEqual([l["amount"] for l in inv["lines"]], [-500, 1500])  # 2999 / 2 = 1499.5
        self.assertEqual([p["amount"] for p in self.d.payments(self.sub["id"])], [1000, 1000])
        updated = self.d.events(self.sub["id"], type="subscription.updated")[-1]
        self.assertEqual(updated["data"]["previous_plan"]["plan_id"], self.basic["id"])

    def test_put_with_settings_schedules_and_calls_off(self):
        self.d.advance("2d")
        got = self.put({"plan_id": self.pro["id"], "settings": {"at": "period_end"}})
        self.assertEqual((got["plan_id"], got["amount"]), (self.basic["id"], 1000))
        self.assertEqual((got["pending_update"]["plan_id"], got["pending_update"]["at"]),
                         (self.pro["id"], unix(PERIOD_END)))
        sub = self.d.ok("subscriptions", "get", self.sub["id"])
        self.assertEqual((sub["plan_id"], sub["pending_update"]["plan_id"]),
                         (self.basic["id"], self.pro["id"]))
        self.assertIsNone(self.put({"settings": {"cancel_pending": True}})["pending_update"])
        self.assertIsNone(self.d.ok("subscriptions", "get", self.sub["id"])["pending_update"])

    def test_put_refuses_bad_input_and_changes_nothing(self):
        before = self.d.ok("subscriptions", "get", self.sub["id"])
        payments = self.d.payments(self.sub["id"])
        for body, status in (({"plan_id": "plan_doesnotexist000000000000"}, 404),
                             ({"plan_id": "plan_doesnotexist000000000000",
                               "metadata": {"seat": "9"}}, 404),
                             ({"plan_id": self.pro["id"], "settings": {"at": "soon"}}, 400),
                             ({"plan_id": self.pro["id"], "settings": {"bogus": 1}}, 400),
                             ({"plan_id": self.pro["id"], "plan": self.basic["id"]}, 400),
                             ({"plan_id": self.basic["id"]}, 409)):
            with self.subTest(body=body):
                got, answer, _ = self.pub.call("PUT", f"/api/v1/subscriptions/{self.sub['id']}",
                                               body)
                self.assertEqual(got, status, answer)
                self.assertEqual(set(answer), {"error"}, answer)
                if status == 404:  # this API's field, not the admin API's "plan"
                    self.assertEqual(answer["error"]["param"], "plan_id", answer)
                self.assertEqual(self.d.ok("subscriptions", "get", self.sub["id"]), before)
                self.assertEqual(self.d.payments(self.sub["id"]), payments)


class PortalPlanChangeTest(PagesTest):
    """POST /portal/{token}/plan: the customer picks among the plans marked switchable."""

    def setUp(self):
        super().setUp()
        def plan(name, amount, *flags):
            return self.d.ok("plans", "create", "--name", name, "--amount", amount, "--currency",
                             "eur", "--interval", "month", *flags)
        self.basic = plan("Basic", 1000, "--switchable")
        self.pro = plan("Pro", 2999, "--switchable")
        self.lite = plan("Lite", 400, "--switchable")
        self.hidden = plan("Hidden", 5000)
        self.sub = self.d.subscribe(self.basic["id"], "portal@example.com")
        self.path = self.portal_url(self.sub["id"])

    def sub_now(self):
        return self.d.ok("subscriptions", "get", self.sub["id"])

    def test_the_portal_offers_the_switchable_plans_and_moves_to_the_one_picked(self):
        page = self.get(self.path)
        self.assertHtmlPage(page, 200)
        self.assertTrue(page.has_id(f"switch-{self.pro['id']}"))
        self.assertTrue(page.has_id(f"switch-{self.lite['id']}"))
        self.assertFalse(page.has_id(f"switch-{self.basic['id']}"))  # the plan it is on
        self.assertFalse(page.has_id(f"switch-{self.hidden['id']}"))

        before = (self.sub_now(), self.d.payments(self.sub["id"]))
        refused = self.post(self.path + "/plan", {"plan": self.hidden["id"]})
        self.assertHtmlPage(refused, 303)
        self.assertEqual(refused.location, self.path + "?error=plan_not_switchable")
        self.assertEqual((self.sub_now(), self.d.payments(self.sub["id"])), before)

        self.d.advance("14d")
        self.path = self.portal_url(self.sub["id"])  # a portal link lasts less than that
        up = self.post(self.path + "/plan", {"plan": self.pro["id"]})
        self.assertEqual(up.location, self.path + "?done=plan_changed")
        self.assertEqual(self.sub_now()["plan_id"], self.pro["id"])
        net = prorated(2999, 17, 31) - prorated(1000, 17, 31)  # 17 of Jan 10 - Feb 10's 31 days
        self.assertEqual([p["amount"] for p in self.d.payments(self.sub["id"])], [1000, net])

        down = self.post(self.path + "/plan", {"plan": self.lite["id"]})
        self.assertEqual(down.location, self.path + "?done=plan_scheduled")
        self.assertEqual(self.sub_now()["pending_update"]["plan_id"], self.lite["id"])
        self.assertIn("Lite", self.get(self.path).by_id("pending-update"))
        off = self.post(self.path + "/plan", {"cancel_pending": "1"})
        self.assertEqual(off.location, self.path + "?done=pending_canceled")
        self.assertIsNone(self.sub_now()["pending_update"])


if __name__ == "__main__":
    unittest.main()
