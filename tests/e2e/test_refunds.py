"""`jopayctl payments refund` through the sandbox (test mode without Stripe): full or partial,
never more than what is left, idempotent by key, and the payment shows what came back."""
import unittest

from harness import DaemonTest


class SandboxRefundTest(DaemonTest):
    def setUp(self):
        super().setUp()
        plan = self.d.plan(amount=1000)
        self.sub = self.d.subscribe(plan["id"], "refund@example.com")
        [self.pay] = self.d.payments(self.sub["id"])

    def refunds(self):
        return [e for e in self.d.events(self.pay["id"]) if e["type"] == "payment.refunded"]

    def test_a_partial_then_the_rest_refunds_the_whole_payment(self):
        r = self.d.ok("payments", "refund", self.pay["id"], "--amount", "300", "--reason",
                      "requested_by_customer")
        self.assertEqual((r["status"], r["amount"], r["reason"]), ("succeeded", 300,
                                                                   "requested_by_customer"))
        got = self.d.ok("payments", "get", self.pay["id"])
        self.assertEqual((got["status"], got["amount_refunded"]), ("paid", 300))
        rest = self.d.ok("payments", "refund", self.pay["id"])  # all that is left
        self.assertEqual(rest["amount"], 700)
        got = self.d.ok("payments", "get", self.pay["id"])
        self.assertEqual((got["status"], got["amount_refunded"]), ("refunded", 1000))
        self.assertEqual([r["amount"] for r in got["refunds"]], [300, 700])
        self.assertEqual([e["data"]["amount_refunded"] for e in self.refunds()], [300, 1000])

    def test_more_than_is_left_and_unpaid_payments_are_refused_and_change_nothing(self):
        before = self.d.ok("payments", "get", self.pay["id"])
        r = self.d.ctl("payments", "refund", self.pay["id"], "--amount", "1001")
        self.assertEqual(r.rc, 5, r)
        self.assertIn("amount must be 1 to 1000", r.err)
        for bad in (["--amount", "ten"], ["--reason", "because"]):  # refused by jopayctl
            self.assertEqual(self.d.ctl("payments", "refund", self.pay["id"], *bad).rc, 2, bad)
        for amount in ("0", "-5"):  # numbers, but none that can be refunded: jopayd says so
            r = self.d.ctl("payments", "refund", self.pay["id"], "--amount", amount)
            self.assertEqual(r.rc, 5, r)
        self.assertEqual(self.d.ctl("payments", "refund", "pay_missing").rc, 4)
        self.assertEqual(self.d.ok("payments", "get", self.pay["id"]), before)
        self.d.ok("payments", "refund", self.pay["id"])
        again = self.d.ctl("payments", "refund", self.pay["id"])
        self.assertEqual(again.rc, 5, again)
        self.assertIn("already refunded", again.err)
        self.assertEqual(len(self.refunds()), 1)

    def test_malformed_refund_bodies_are_refused_and_change_nothing(self):
        before = self.d.ok("payments", "get", self.pay["id"])
        path = f"/v1/payments/{self.pay['id']}/refund"
        for raw in ("{nope", "[]", '{"amount": "100"}', '{"amount": 1.5}', '{"colour": "red"}',
                    '{"reason": 7}', '{"idempotency_key": ""}'):
            status, body = self.d.api("POST", path, raw=raw)
            self.assertEqual(status, 400, (raw, body))
            self.assertIn("error", body)
        self.assertEqual(self.d.ok("payments", "get", self.pay["id"]), before)

    def test_the_same_key_gives_the_same_refund_once(self):
        first = self.d.ok("payments", "refund", self.pay["id"], "--amount", "100", "--key", "k1")
        second = self.d.ok("payments", "refund", self.pay["id"], "--amount", "100", "--key", "k1")
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(self.d.ok("payments", "get", self.pay["id"])["amount_refunded"], 100)
        other = self.d.ctl("payments", "refund", self.pay["id"], "--amount", "200", "--key", "k1")
        self.assertEqual(other.rc, 5, other)

    def test_live_refunds_want_confirm(self):
        r = self.d.ctl("payments", "refund", self.pay["id"], live=True)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("--confirm", r.err)


if __name__ == "__main__":
    unittest.main()
