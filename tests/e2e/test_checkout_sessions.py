"""Checkout sessions end to end: the reference's curl examples against jopayd's public port,
paying with `jopayctl sessions pay` (what the hosted page does), declines, expiry by the
manual clock, cancel, and the events each step writes."""
import unittest

from checkout_client import API, PAYMENT_BODY, SUBSCRIPTION_BODY, CheckoutTest
from harness import unix

SESSION_EVENT_KEYS = {"id", "status", "amount_cents", "currency", "customer_email", "metadata",
                      "completed_at", "mode", "client_reference_id", "subscription_id",
                      "payment_id", "sequence"}


class PaymentSessionTest(CheckoutTest):
    def test_reference_payment_example(self):
        s = self.create(PAYMENT_BODY)
        self.assertEqual(set(s), {"id", "checkout_url", "status", "amount_cents", "currency",
                                  "expires_at"})
        self.assertRegex(s["id"], r"^cs_[0-9A-Za-z]{24}$")
        self.assertEqual(s["checkout_url"],
                         f"http://127.0.0.1:{self.pub.port}/checkout/{s['id']}")
        self.assertEqual(s["status"], "pending")
        self.assertEqual(s["amount_cents"], 2500)
        self.assertEqual(s["currency"], "eur")
        self.assertEqual(s["expires_at"], "2025-01-10T13:00:00Z")  # 30 minutes by default

        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        self.assertEqual(full["mode"], "payment")
        self.assertEqual(full["status"], "pending")
        self.assertEqual(full["line_items"], PAYMENT_BODY["line_items"])
        self.assertNotIn("plan", full)
        self.assertEqual(full["customer_email"], "customer@example.com")
        self.assertEqual(full["success_url"], "https://yoursite.com/success")
        self.assertEqual(full["cancel_url"], "https://yoursite.com/cancel")
        self.assertEqual(full["metadata"], {"order_id": "12345"})
        self.assertIsNone(full["client_reference_id"])
        self.assertIsNone(full["subscription_id"])
        self.assertIsNone(full["completed_at"])
        self.assertEqual(full["expires_at"], s["expires_at"])
        self.assertEqual(full["created_at"], "2025-01-10T12:30:00Z")
        self.assertEqual(self.d.ok("sessions", "get", s["id"]), full)

    def test_total_is_the_sum_of_items_times_quantities(self):
        s = self.create({"line_items": [
            {"name": "Beans", "amount": 2500, "currency": "usd", "quantity": 2},
            {"name": "Mug", "amount": 999, "currency": "USD"}],
            "success_url": "http://localhost:3000/ok", "cancel_url": "http://localhost:3000/back",
            "expires_in": 3600})
        self.assertEqual((s["amount_cents"], s["currency"]), (5999, "usd"))
        self.assertEqual(s["expires_at"], "2025-01-10T13:30:00Z")
        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        self.assertEqual(full["cancel_url"], "http://localhost:3000/back")
        self.assertEqual(full["line_items"][1]["quantity"], 1)

    def test_payment_and_event_ids_do_not_count_rows(self):
        # Issue 16, item 13: ids handed to customers must not tell a merchant's volumes. The 8
        # characters after the prefix once spelled the row's key (1, 2, 3...) in base62.
        def number(id_, prefix):
            digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            self.assertTrue(id_.startswith(prefix), id_)
            value = 0
            for c in id_[len(prefix):len(prefix) + 8]:
                value = value * 62 + digits.index(c)
            return value
        payments, events = [], []
        for i in range(6):
            s = self.create(PAYMENT_BODY)
            payments.append(self.pay(s["id"]).json["payment_id"])
            events.append(self.d.events(s["id"])[0]["id"])
        for ids, prefix in ((payments, "pay_"), (events, "evt_")):
            numbers = [number(i, prefix) for i in ids]
            self.assertEqual(len(set(numbers)), 6)
            steps = {b - a for a, b in zip(numbers, numbers[1:])}
            self.assertNotEqual(steps, {1}, ids)  # not a counter
            self.assertGreater(max(numbers), 10 ** 9, ids)  # nor a small number
            for id_ in ids:  # and every id still finds its row
                got = self.d.ok("payments" if prefix == "pay_" else "events", "get", id_)
                self.assertEqual(got["id"], id_)

    def test_pay_completes_records_the_payment_and_writes_the_event(self):
        s = self.create(dict(PAYMENT_BODY, client_reference_id="cust_42"))
        self.d.advance("5m")
        r = self.pay(s["id"])
        self.assertEqual(r.rc, 0, r)
        done = r.json
        self.assertEqual(done["status"], "completed")
        self.assertEqual(done["completed_at"], "2025-01-10T12:35:00Z")
        payment = self.d.ok("payments", "get", done["payment_id"])
        self.assertEqual((payment["status"], payment["amount"], payment["currency"]),
                         ("paid", 2500, "eur"))
        self.assertIsNone(payment["subscription_id"])
        customer = self.d.ok("customers", "get", "customer@example.com")
        self.assertEqual(payment["customer_id"], customer["id"])
        self.assertEqual(self.d.ok("subscriptions", "list"), [])

        events = self.d.events(s["id"])
        self.assertEqual([e["type"] for e in events], ["checkout.session.completed"])
        data = events[0]["data"]
        self.assertEqual(set(data), SESSION_EVENT_KEYS)
        self.assertEqual(data, {
            "id": s["id"], "status": "completed", "amount_cents": 2500, "currency": "eur",
            "customer_email": "customer@example.com", "metadata": {"order_id": "12345"},
            "completed_at": "2025-01-10T12:35:00Z", "mode": "payment",
            "client_reference_id": "cust_42", "subscription_id": None,
            "payment_id": done["payment_id"], "sequence": 1})
        # Paid sessions cannot be paid or cancelled again.
        again = self.pay(s["id"])
        self.assertEqual(again.rc, 5, again)
        self.assertIn("completed", again.err)
        code, body, _ = self.pub.call("POST", f"{API}/sessions/{s['id']}/cancel")
        self.assertEqual((code, body["error"]["code"]), (409, "session_not_pending"))
        self.assertEqual(len(self.d.events(s["id"])), 1)

    def test_decline_writes_payment_failed_and_the_session_stays_payable(self):
        s = self.create(PAYMENT_BODY)
        r = self.pay(s["id"], "4000000000000002")
        self.assertEqual(r.rc, 5, r)
        self.assertIn("declined", r.err)
        self.assertEqual(self.d.ok("sessions", "get", s["id"])["status"], "pending")
        failed = self.d.events(s["id"])
        self.assertEqual([e["type"] for e in failed], ["checkout.payment.failed"])
        self.assertEqual(failed[0]["data"]["failure_code"], "card_declined")
        self.assertEqual(failed[0]["data"]["status"], "pending")
        r = self.pay(s["id"], "4000000000009995")
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(self.d.events(s["id"])[-1]["data"]["failure_code"], "insufficient_funds")
        ok = self.pay(s["id"])
        self.assertEqual(ok.rc, 0, ok)
        self.assertEqual(ok.json["status"], "completed")
        types = [e["type"] for e in self.d.events(s["id"])]
        self.assertEqual(types, ["checkout.payment.failed", "checkout.payment.failed",
                                 "checkout.session.completed"])
        self.assertEqual([e["sequence"] for e in self.d.events(s["id"])], [1, 2, 3])
        statuses = sorted(p["status"] for p in self.d.ok("payments", "list"))
        self.assertEqual(statuses, ["failed", "failed", "paid"])

    def test_invalid_card_number_is_bad_input_not_a_decline(self):
        s = self.create(PAYMENT_BODY)
        r = self.pay(s["id"], "1234")
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(self.d.events(s["id"]), [])
        self.assertEqual(self.d.ok("payments", "list"), [])

    def test_email_is_asked_when_the_session_has_none(self):
        body = {k: v for k, v in PAYMENT_BODY.items() if k != "customer_email"}
        s = self.create(body)
        r = self.pay(s["id"])
        self.assertEqual(r.rc, 5, r)
        self.assertIn("email", r.err)
        r = self.pay(s["id"], "4242424242424242", "--email", "Buyer@Example.com")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json["customer_email"], "buyer@example.com")


class SubscriptionSessionTest(CheckoutTest):
    def test_reference_subscription_example_with_a_7_day_trial(self):
        s = self.create(SUBSCRIPTION_BODY)
        self.assertEqual(set(s), {"id", "checkout_url", "status", "mode", "expires_at"})
        self.assertEqual((s["status"], s["mode"]), ("pending", "subscription"))
        self.assertEqual(s["expires_at"], "2025-01-10T13:00:00Z")
        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        self.assertEqual(full["plan"], {"id": None, "name": "Pro Monthly", "amount": 1499,
                                        "currency": "eur", "interval": "month",
                                        "interval_count": 1})
        self.assertEqual(full["trial_period_days"], 7)
        self.assertEqual((full["amount_cents"], full["currency"]), (1499, "eur"))
        self.assertNotIn("line_items", full)

        r = self.pay(s["id"])
        self.assertEqual(r.rc, 0, r)
        done = r.json
        self.assertEqual(done["status"], "completed")
        sub = self.d.ok("subscriptions", "get", done["subscription_id"])
        self.assertEqual(sub["status"], "trialing")
        self.assertEqual(sub["customer_email"], "customer@example.com")
        self.assertEqual(sub["plan_name"], "Pro Monthly")
        self.assertEqual(sub["metadata"], {"user_id": "usr_123"})
        self.assertEqual(unix(sub["trial_end"]) - unix("2025-01-10T12:30:00Z"), 7 * 86400)
        self.assertEqual(sub["payment_method"]["last4"], "4242")
        self.assertEqual(self.d.ok("payments", "list"), [])  # not charged until the trial ends
        self.assertEqual(done["plan"]["id"], sub["plan_id"])

        completed = self.d.events(s["id"])
        self.assertEqual([e["type"] for e in completed], ["checkout.session.completed"])
        self.assertEqual(completed[0]["data"]["subscription_id"], sub["id"])
        self.assertEqual(completed[0]["data"]["mode"], "subscription")
        self.assertEqual(completed[0]["data"]["metadata"], {"user_id": "usr_123"})
        self.assertEqual([e["type"] for e in self.d.events(sub["id"])], ["subscription.created"])
        # The trial converts on day 8 through the ordinary engine.
        self.d.advance("7d")
        self.assertEqual(self.d.ok("subscriptions", "get", sub["id"])["status"], "active")

    def test_sessions_for_one_inline_plan_share_the_plan(self):
        ids = []
        for email in ("a@example.com", "b@example.com"):
            s = self.create(dict(SUBSCRIPTION_BODY, customer_email=email))
            ids.append(self.pay(s["id"]).json["subscription_id"])
        plans = {self.d.ok("subscriptions", "get", i)["plan_id"] for i in ids}
        self.assertEqual(len(plans), 1)
        self.assertEqual(len(self.d.ok("plans", "list")), 1)

    def test_an_existing_plan_by_id(self):
        plan = self.d.plan(name="Gold", amount=900, currency="usd", interval="year")
        s = self.create({"mode": "subscription", "plan": plan["id"],
                         "success_url": "https://x.example/ok", "cancel_url": "https://x.example/c",
                         "customer_email": "g@example.com"})
        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        self.assertEqual(full["plan"]["id"], plan["id"])
        self.assertEqual((full["amount_cents"], full["currency"]), (900, "usd"))
        self.assertEqual(full["trial_period_days"], 0)
        done = self.pay(s["id"]).json
        sub = self.d.ok("subscriptions", "get", done["subscription_id"])
        self.assertEqual((sub["plan_id"], sub["status"]), (plan["id"], "active"))
        self.assertEqual(len(self.d.ok("payments", "list")), 1)
        code, body, _ = self.pub.call("POST", API + "/sessions", {
            "mode": "subscription", "plan": "plan_missing", "success_url": "https://x.example",
            "cancel_url": "https://x.example/c"})
        self.assertEqual((code, body["error"]["param"]), (404, "plan"))
        self.d.ok("plans", "archive", plan["id"])
        code, body, _ = self.pub.call("POST", API + "/sessions", {
            "mode": "subscription", "plan": plan["id"], "success_url": "https://x.example",
            "cancel_url": "https://x.example/c"})
        self.assertEqual((code, body["error"]["code"]), (400, "plan_archived"))

    def test_declined_first_charge_leaves_no_subscription(self):
        body = dict(SUBSCRIPTION_BODY)
        del body["trial_period_days"]  # charged at once
        s = self.create(body)
        for card in ("4000000000000002", "4000000000000341"):  # refused / saved-then-declined
            r = self.pay(s["id"], card)
            self.assertEqual(r.rc, 5, r)
        self.assertEqual(self.d.ok("subscriptions", "list"), [])
        self.assertEqual(self.d.ok("payments", "list"), [])
        self.assertEqual([e["type"] for e in self.d.events()],
                         ["checkout.payment.failed", "checkout.payment.failed"])
        r = self.pay(s["id"])
        self.assertEqual(r.rc, 0, r)
        sub = self.d.ok("subscriptions", "get", r.json["subscription_id"])
        self.assertEqual(sub["status"], "active")
        self.assertEqual([p["status"] for p in self.d.ok("payments", "list")], ["paid"])


class LifecycleTest(CheckoutTest):
    def test_expiry_by_the_manual_clock(self):
        s = self.create(PAYMENT_BODY)
        fired = self.d.advance("29m")["fired"]
        self.assertNotIn("sessions_expired", fired)
        self.assertEqual(self.d.ok("sessions", "get", s["id"])["status"], "pending")
        fired = self.d.advance("2m")["fired"]  # 31 minutes after creation
        self.assertEqual(fired["sessions_expired"], 1)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "expired")
        events = self.d.events(s["id"])
        self.assertEqual([e["type"] for e in events], ["checkout.session.expired"])
        self.assertEqual(events[0]["created_at"], "2025-01-10T13:00:00Z")  # at its own time
        self.assertEqual(events[0]["data"]["status"], "expired")
        self.assertEqual(set(events[0]["data"]), SESSION_EVENT_KEYS)
        r = self.pay(s["id"])
        self.assertEqual(r.rc, 5, r)
        self.assertIn("expired", r.err)
        code, body, _ = self.pub.call("POST", f"{API}/sessions/{s['id']}/cancel")
        self.assertEqual((code, body["error"]["code"]), (409, "session_expired"))
        self.assertNotIn("sessions_expired", self.d.advance("1d")["fired"])  # once only

    def test_expiry_counts_in_renew_and_spares_paid_sessions(self):
        paid = self.create(PAYMENT_BODY)
        self.pay(paid["id"])
        later = self.create(dict(PAYMENT_BODY, expires_in=7200))
        soon = self.create(PAYMENT_BODY)
        self.assertEqual(self.d.advance("1h")["fired"]["sessions_expired"], 1)
        listed = {x["id"]: x["status"] for x in self.d.ok("sessions", "list")}
        self.assertEqual(listed, {paid["id"]: "completed", later["id"]: "pending",
                                  soon["id"]: "expired"})
        self.assertEqual([x["id"] for x in self.d.ok("sessions", "list", "--status", "pending")],
                         [later["id"]])
        self.assertEqual(self.d.advance("1h")["fired"]["sessions_expired"], 1)

    def test_cancel_by_the_api(self):
        s = self.create(PAYMENT_BODY)
        answer = self.pub.ok("POST", f"{API}/sessions/{s['id']}/cancel")
        self.assertEqual(answer, {"id": s["id"], "status": "cancelled",
                                  "cancel_url": "https://yoursite.com/cancel"})
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "cancelled")
        code, body, _ = self.pub.call("POST", f"{API}/sessions/{s['id']}/cancel")
        self.assertEqual((code, body["error"]["code"]), (409, "session_not_pending"))
        r = self.pay(s["id"])
        self.assertEqual(r.rc, 5, r)
        self.assertNotIn("sessions_expired", self.d.advance("1h")["fired"])

    def test_jopayctl_sessions_list_get_cancel(self):
        a = self.create(PAYMENT_BODY)
        b = self.create(SUBSCRIPTION_BODY)
        listed = self.d.ok("sessions", "list")
        self.assertEqual([x["id"] for x in listed], [b["id"], a["id"]])
        page = self.d.ok("sessions", "list", "--limit", "1")
        self.assertEqual([x["id"] for x in page], [b["id"]])
        rest = self.d.ok("sessions", "list", "--limit", "1", "--starting-after", b["id"])
        self.assertEqual([x["id"] for x in rest], [a["id"]])
        table = self.d.ok("sessions", "list", output="table")
        self.assertIn("25.00 EUR", table)
        self.assertIn("subscription", table)
        cancelled = self.d.ok("sessions", "cancel", a["id"])
        self.assertEqual(cancelled["status"], "cancelled")
        missing = self.d.ctl("sessions", "get", "cs_missing")
        self.assertEqual(missing.rc, 4, missing)
        self.assertEqual(self.d.ctl("sessions", "pay", "cs_missing", "--card", "4242424242424242").rc, 4)
        self.assertEqual(self.d.ctl("sessions", "list", "--status", "nope").rc, 2)


if __name__ == "__main__":
    unittest.main()
