"""/api/v1 keys and modes: the invoice key (rk_) only reads, the admin key (sk_) writes, X-Api-Key
works, and test and live keys never see each other's plans, subscriptions, subscribers or
payments."""
import unittest

from checkout_client import Public
from harness import DaemonTest
from lnbits_client import REFERENCE_PLAN, V1, LnbitsTest

WRITES = (("POST", "/plans", REFERENCE_PLAN), ("PUT", "/plans/{plan}", {"name": "x"}),
          ("DELETE", "/plans/{plan}", None), ("PUT", "/subscriptions/{sub}", {"metadata": {}}),
          ("POST", "/subscriptions/{sub}/cancel", None), ("POST", "/subscriptions/{sub}/pause", None),
          ("POST", "/subscriptions/{sub}/resume", None))
READS = ("/plans", "/plans/{plan}", "/subscriptions", "/subscriptions/{sub}", "/subscribers",
         "/subscribers/{cus}", "/payments", "/payments/{pay}")


class KeysTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        self.plan = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)
        self.sub = self.d.subscribe(self.plan["id"], "k@example.com")
        pay = self.v1("GET", "/payments")
        self.ids = {"plan": self.plan["id"], "sub": self.sub["id"],
                    "cus": self.sub["customer_id"], "pay": pay[0]["id"]}

    def test_invoice_key_reads_and_cannot_write(self):
        ro = self.d.ok("keys", "create", "--read-only")["secret"]
        for path in READS:
            self.pub.ok("GET", V1 + path.format(**self.ids), key=ro)
        before = self.full_snapshot()
        for method, path, body in WRITES:
            self.error(method, V1 + path.format(**self.ids), body, status=403,
                       code="api_key_read_only", key=ro)
        self.assertEqual(self.full_snapshot(), before)

    def test_missing_and_bad_keys_get_401_and_x_api_key_works(self):
        for key in (None, "sk_test_" + "x" * 32, "nope"):
            for path in READS[:2]:
                self.error("GET", V1 + path.format(**self.ids), status=401, key=key)
            self.error("POST", V1 + "/plans", REFERENCE_PLAN, status=401, key=key)
        got = self.pub.ok("GET", V1 + "/plans", key=None, headers={"X-Api-Key": self.key})
        self.assertEqual([p["id"] for p in got], [self.plan["id"]])
        made = self.pub.ok("POST", V1 + "/plans", dict(REFERENCE_PLAN, name="Via header"),
                           status=201, key=None, headers={"X-Api-Key": self.key})
        self.assertEqual(made["name"], "Via header")

    def test_idempotency_key_on_posts(self):
        h = {"Idempotency-Key": "plan-1"}
        first = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="Once"), status=201, headers=h)
        again = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="Once"), status=201, headers=h)
        self.assertEqual(first, again)
        self.assertEqual(len(self.v1("GET", "/plans")), 2)
        self.error("POST", V1 + "/plans", dict(REFERENCE_PLAN, name="Other"), status=409,
                   code="idempotency_key_reused", headers=h)


class ModesTest(DaemonTest):
    clock = "system"

    def test_test_and_live_keys_never_see_each_others_rows(self):
        test_pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        live_pub = Public(self.d, self.d.ok("keys", "create", live=True)["secret"])
        t = test_pub.ok("POST", V1 + "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)
        live = live_pub.ok("POST", V1 + "/plans", dict(REFERENCE_PLAN, name="Live"), status=201)
        self.assertEqual((t["livemode"], live["livemode"]), (False, True))
        self.assertEqual([p["id"] for p in test_pub.ok("GET", V1 + "/plans")], [t["id"]])
        self.assertEqual([p["id"] for p in live_pub.ok("GET", V1 + "/plans")], [live["id"]])
        sub = self.d.subscribe(t["id"], "t@example.com")
        pay = test_pub.ok("GET", V1 + "/payments")[0]["id"]
        for path in (f"/plans/{t['id']}", f"/subscriptions/{sub['id']}",
                     f"/subscribers/{sub['customer_id']}", f"/payments/{pay}"):
            code, body, _ = live_pub.call("GET", V1 + path)
            self.assertEqual(code, 404, (path, body))
            test_pub.ok("GET", V1 + path)
        for method, path, body in (("PUT", f"/plans/{t['id']}", {"name": "x"}),
                                   ("DELETE", f"/plans/{t['id']}", None),
                                   ("POST", f"/subscriptions/{sub['id']}/cancel", None),
                                   ("PUT", f"/subscriptions/{sub['id']}", {"metadata": {}})):
            code, answer, _ = live_pub.call(method, V1 + path, body)
            self.assertEqual(code, 404, (path, answer))
        for path in ("/subscriptions", "/subscribers", "/payments"):
            self.assertEqual(live_pub.ok("GET", V1 + path), [])
            self.assertEqual(len(test_pub.ok("GET", V1 + path)), 1)
        self.assertEqual(self.d.ok("plans", "get", t["id"])["name"], "Pro Plan")  # untouched


if __name__ == "__main__":
    unittest.main()
