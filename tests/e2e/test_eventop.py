"""/eventop/checkout: the Eventop reference's create, get and cancel examples against jopayd
(camelCase, field for field), over the same checkout sessions."""
import unittest

from checkout_client import Public
from harness import DaemonTest, LIVE_CARDS_ARGS, LIVE_CARDS_ENV
from lnbits_client import LnbitsTest

EO = "/eventop/checkout"
CREATE_KEYS = {"sessionId", "url", "expiresAt"}
GET_KEYS = {"sessionId", "status", "merchant", "plan", "customerEmail", "customerId", "successUrl",
            "cancelUrl", "metadata", "url", "expiresAt", "completedAt", "subscriptionPda"}


class EventopTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Premium Plan", amount=999, description="Premium features")
        self.body = {"planId": self.plan["id"], "customerEmail": "user@example.com",
                     "customerId": "user_123", "successUrl": "https://yourdomain.com/success",
                     "cancelUrl": "https://yourdomain.com/pricing",
                     "metadata": {"userId": "123", "source": "pricing_page"}}

    def test_reference_create_get_pay_and_cancel(self):
        made = self.pub.ok("POST", EO + "/create", self.body)
        self.assertEqual(set(made), CREATE_KEYS)
        self.assertRegex(made["sessionId"], r"^cs_[0-9A-Za-z]{24}$")
        self.assertEqual(made["url"], f"http://127.0.0.1:{self.pub.port}/checkout/{made['sessionId']}")
        self.assertEqual(made["expiresAt"], "2025-01-10T13:00:00Z")  # 30 minutes
        got = self.pub.ok("GET", f"{EO}/{made['sessionId']}")
        self.assertEqual(set(got), GET_KEYS)
        # No merchant-name / merchant-logo-url configured here (test_pages_checkout sets them).
        self.assertEqual(got["merchant"], {"walletAddress": None, "companyName": None,
                                           "logoUrl": None})
        self.assertEqual(got["plan"], {"planId": self.plan["id"], "planName": "Premium Plan",
                                       "feeAmount": "999", "currency": "eur",
                                       "paymentInterval": "2592000",
                                       "description": "Premium features"})
        self.assertEqual({k: got[k] for k in ("sessionId", "status", "customerEmail",
                                              "customerId", "successUrl", "cancelUrl",
                                              "metadata", "expiresAt", "completedAt")},
                         {"sessionId": made["sessionId"], "status": "pending",
                          "customerEmail": "user@example.com", "customerId": "user_123",
                          "successUrl": "https://yourdomain.com/success",
                          "cancelUrl": "https://yourdomain.com/pricing",
                          "metadata": {"userId": "123", "source": "pricing_page"},
                          "expiresAt": "2025-01-10T13:00:00Z", "completedAt": None})
        self.assertIsNone(got["subscriptionPda"])  # set once a wallet completes it on chain
        # The same session through the checkout API: client_reference_id is customerId.
        same = self.pub.ok("GET", f"/api/checkout/v1/sessions/{made['sessionId']}")
        self.assertEqual((same["client_reference_id"], same["mode"]), ("user_123", "subscription"))
        self.d.advance("5m")
        self.assertEqual(self.pay(made["sessionId"]).rc, 0)
        done = self.pub.ok("GET", f"{EO}/{made['sessionId']}")
        self.assertEqual((done["status"], done["completedAt"]), ("completed", "2025-01-10T12:35:00Z"))
        sub = self.d.ok("subscriptions", "get", done["subscriptionId"])
        self.assertEqual((sub["status"], sub["metadata"]["userId"]), ("active", "123"))
        # Cancel: a second session; cancelUrl defaults to successUrl.
        body = {k: v for k, v in self.body.items() if k not in ("cancelUrl", "metadata", "customerId")}
        other = self.pub.ok("POST", EO + "/create", body)
        cancelled = self.pub.ok("POST", f"{EO}/{other['sessionId']}/cancel")
        self.assertEqual(cancelled, {"sessionId": other["sessionId"], "status": "cancelled",
                                     "cancelUrl": "https://yourdomain.com/success"})
        got = self.pub.ok("GET", f"{EO}/{other['sessionId']}")
        self.assertEqual((got["status"], got["customerId"], got["metadata"]), ("cancelled", None, {}))
        self.error("POST", f"{EO}/{other['sessionId']}/cancel", status=409)
        self.error("POST", f"{EO}/{made['sessionId']}/cancel", status=409)

    def test_payment_intervals_in_seconds(self):
        for interval, count, seconds in (("day", 1, "86400"), ("week", 1, "604800"),
                                         ("week", 2, "1209600"), ("year", 1, "31536000")):
            plan = self.d.plan(name=interval, interval=interval, interval_count=count)
            made = self.pub.ok("POST", EO + "/create", dict(self.body, planId=plan["id"]))
            got = self.pub.ok("GET", f"{EO}/{made['sessionId']}")
            self.assertEqual(got["plan"]["paymentInterval"], seconds)

    def test_bad_input_changes_nothing(self):
        before = self.snapshot()
        for missing in ("planId", "customerEmail", "successUrl"):
            body = {k: v for k, v in self.body.items() if k != missing}
            self.error("POST", EO + "/create", body, param=missing, code="parameter_missing")
        for fields, param in (({"colour": "red"}, "colour"), ({"planId": 5}, "planId"),
                              ({"customerEmail": "nope"}, "customerEmail"),
                              ({"customerId": 7}, "customerId"),
                              ({"successUrl": "/relative"}, "successUrl"),
                              ({"cancelUrl": "ftp://x.example/a"}, "cancelUrl"),
                              ({"metadata": {str(i): "v" for i in range(51)}}, "metadata"),
                              ({"metadata": ["x"]}, "metadata")):
            self.error("POST", EO + "/create", dict(self.body, **fields), param=param)
        self.error("POST", EO + "/create", raw="{nope")
        self.error("POST", EO + "/create", dict(self.body, planId="plan_missing"), status=404,
                   param="planId")
        self.assertEqual(self.snapshot(), before)
        archived = self.d.plan(name="Old")
        self.d.ok("plans", "archive", archived["id"])
        before = self.snapshot()
        self.error("POST", EO + "/create", dict(self.body, planId=archived["id"]),
                   param="planId", code="plan_archived")
        self.error("GET", f"{EO}/cs_missing", status=404, param="sessionId")
        self.error("POST", f"{EO}/cs_missing/cancel", status=404, param="sessionId")
        self.assertEqual(self.snapshot(), before)
        made = self.pub.ok("POST", EO + "/create", self.body)
        before = self.snapshot()
        self.error("POST", f"{EO}/{made['sessionId']}/cancel", {"why": "x"}, param="why")
        self.error("PUT", f"{EO}/{made['sessionId']}", status=405)
        self.error("DELETE", f"{EO}/create", status=405)
        ro = self.d.ok("keys", "create", "--read-only")["secret"]
        self.pub.ok("GET", f"{EO}/{made['sessionId']}", key=ro)
        self.error("POST", EO + "/create", self.body, status=403, key=ro)
        self.error("POST", f"{EO}/{made['sessionId']}/cancel", status=403, key=ro)
        self.error("POST", EO + "/create", self.body, status=401, key=None)
        self.error("GET", f"{EO}/{made['sessionId']}", status=401, key=None)
        self.assertEqual(self.snapshot(), before)


class EventopModesTest(DaemonTest):
    clock = "system"
    daemon_args = LIVE_CARDS_ARGS
    daemon_env = LIVE_CARDS_ENV

    def test_keys_see_their_own_mode_only(self):
        test_pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        live_pub = Public(self.d, self.d.ok("keys", "create", live=True)["secret"])
        plan = self.d.plan()
        body = {"planId": plan["id"], "customerEmail": "u@example.com",
                "successUrl": "https://a.example/ok"}
        code, answer, _ = live_pub.call("POST", EO + "/create", body)
        self.assertEqual((code, answer["error"]["param"]), (404, "planId"))
        made = test_pub.ok("POST", EO + "/create", body)
        for method, path in (("GET", f"{EO}/{made['sessionId']}"),
                             ("POST", f"{EO}/{made['sessionId']}/cancel")):
            code, _, _ = live_pub.call(method, path)
            self.assertEqual(code, 404)
        self.assertEqual(test_pub.ok("GET", f"{EO}/{made['sessionId']}")["status"], "pending")
        code, answer, _ = live_pub.call("POST", EO + "/create",
                                        dict(body, successUrl="http://a.example/ok"))
        self.assertEqual((code, answer["error"]["param"]), (400, "successUrl"))


if __name__ == "__main__":
    unittest.main()
