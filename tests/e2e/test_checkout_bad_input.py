"""Bad input to the public checkout API: each gets {"error": {code, message, param}} with the
right status, names the field, and changes nothing."""
import json
import unittest

from checkout_client import API, PAYMENT_BODY, SUBSCRIPTION_BODY, CheckoutTest


def with_(base, **changes):
    body = json.loads(json.dumps(base))
    for k, v in changes.items():
        if v is ...:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def item(**changes):
    return with_(PAYMENT_BODY["line_items"][0], **changes)


def plan(**changes):
    return with_(SUBSCRIPTION_BODY["plan"], **changes)


CASES = [
    # (what, body, status, code, param)
    ("unknown field", with_(PAYMENT_BODY, colour="red"), 400, "parameter_unknown", "colour"),
    ("unknown item field", with_(PAYMENT_BODY, line_items=[item(sku="x")]), 400,
     "parameter_unknown", "line_items[0].sku"),
    ("unknown plan field", with_(SUBSCRIPTION_BODY, plan=plan(price=1)), 400,
     "parameter_unknown", "plan.price"),
    ("missing success_url", with_(PAYMENT_BODY, success_url=...), 400, "parameter_missing",
     "success_url"),
    ("missing cancel_url (required by the reference)", with_(PAYMENT_BODY, cancel_url=...), 400,
     "parameter_missing", "cancel_url"),
    ("missing line_items", with_(PAYMENT_BODY, line_items=...), 400, "parameter_missing",
     "line_items"),
    ("empty line_items", with_(PAYMENT_BODY, line_items=[]), 400, "parameter_invalid",
     "line_items"),
    ("missing plan", with_(SUBSCRIPTION_BODY, plan=...), 400, "parameter_missing", "plan"),
    ("missing item name", with_(PAYMENT_BODY, line_items=[item(name=...)]), 400,
     "parameter_missing", "line_items[0].name"),
    ("missing plan amount", with_(SUBSCRIPTION_BODY, plan=plan(amount=...)), 400,
     "parameter_missing", "plan.amount"),
    ("line_items not an array", with_(PAYMENT_BODY, line_items={"a": 1}), 400,
     "parameter_invalid", "line_items"),
    ("amount as string", with_(PAYMENT_BODY, line_items=[item(amount="2500")]), 400,
     "parameter_invalid", "line_items[0].amount"),
    ("amount fractional", with_(PAYMENT_BODY, line_items=[item(amount=25.5)]), 400,
     "parameter_invalid", "line_items[0].amount"),
    ("amount zero", with_(PAYMENT_BODY, line_items=[item(amount=0)]), 400,
     "parameter_invalid", "line_items[0].amount"),
    ("amount negative", with_(PAYMENT_BODY, line_items=[item(amount=-5)]), 400,
     "parameter_invalid", "line_items[0].amount"),
    ("amount huge", with_(PAYMENT_BODY, line_items=[item(amount=10**13)]), 400,
     "parameter_invalid", "line_items[0].amount"),
    ("quantity zero", with_(PAYMENT_BODY, line_items=[item(quantity=0)]), 400,
     "parameter_invalid", "line_items[0].quantity"),
    ("quantity bool", with_(PAYMENT_BODY, line_items=[item(quantity=True)]), 400,
     "parameter_invalid", "line_items[0].quantity"),
    ("unknown currency", with_(PAYMENT_BODY, line_items=[item(currency="xyz")]), 400,
     "parameter_invalid", "line_items[0].currency"),
    ("mixed currencies", with_(PAYMENT_BODY, line_items=[item(), item(currency="usd")]), 400,
     "currency_mismatch", "line_items[1].currency"),
    ("bad interval", with_(SUBSCRIPTION_BODY, plan=plan(interval="fortnight")), 400,
     "parameter_invalid", "plan.interval"),
    ("bad interval_count", with_(SUBSCRIPTION_BODY, plan=plan(interval_count=0)), 400,
     "parameter_invalid", "plan.interval_count"),
    ("bad plan currency", with_(SUBSCRIPTION_BODY, plan=plan(currency="eu")), 400,
     "parameter_invalid", "plan.currency"),
    ("plan as number", with_(SUBSCRIPTION_BODY, plan=42), 400, "parameter_invalid", "plan"),
    ("bad trial", with_(SUBSCRIPTION_BODY, trial_period_days=-1), 400, "parameter_invalid",
     "trial_period_days"),
    ("trial in payment mode", with_(PAYMENT_BODY, trial_period_days=7), 400,
     "parameter_invalid", "trial_period_days"),
    ("bad mode", with_(PAYMENT_BODY, mode="donation"), 400, "parameter_invalid", "mode"),
    ("relative success_url", with_(PAYMENT_BODY, success_url="/success"), 400, "url_invalid",
     "success_url"),
    ("ftp cancel_url", with_(PAYMENT_BODY, cancel_url="ftp://yoursite.com/x"), 400,
     "url_invalid", "cancel_url"),
    ("javascript url", with_(PAYMENT_BODY, success_url="javascript:alert(1)"), 400,
     "url_invalid", "success_url"),
    ("url as number", with_(PAYMENT_BODY, success_url=5), 400, "parameter_invalid",
     "success_url"),
    ("bad email", with_(PAYMENT_BODY, customer_email="not-an-email"), 400, "parameter_invalid",
     "customer_email"),
    ("metadata not an object", with_(PAYMENT_BODY, metadata=["a"]), 400, "parameter_invalid",
     "metadata"),
    ("metadata value not a string", with_(PAYMENT_BODY, metadata={"n": 1}), 400,
     "parameter_invalid", "metadata"),
    ("51 metadata keys", with_(PAYMENT_BODY, metadata={f"k{i}": "v" for i in range(51)}), 400,
     "parameter_invalid", "metadata"),
    ("expires_in too short", with_(PAYMENT_BODY, expires_in=1799), 400, "parameter_invalid",
     "expires_in"),
    ("expires_in too long", with_(PAYMENT_BODY, expires_in=86401), 400, "parameter_invalid",
     "expires_in"),
]


class BadInputTest(CheckoutTest):
    def assert_error(self, answer, status, code=None, param=None):
        got, body, _ = answer
        self.assertEqual(got, status, body)
        self.assertEqual(set(body), {"error"}, body)
        self.assertEqual(set(body["error"]), {"code", "message", "param"}, body)
        self.assertTrue(body["error"]["message"])
        if code:
            self.assertEqual(body["error"]["code"], code, body)
        if param is not ...:
            self.assertEqual(body["error"]["param"], param, body)

    def test_each_bad_field_is_named_and_nothing_changes(self):
        before = self.snapshot()
        for what, body, status, code, param in CASES:
            with self.subTest(what):
                self.assert_error(self.pub.call("POST", API + "/sessions", body), status, code,
                                  param)
        self.assertEqual(self.snapshot(), before)
        # The good bodies the cases were made from do pass.
        self.create(PAYMENT_BODY)
        self.create(SUBSCRIPTION_BODY)

    def test_exactly_50_metadata_keys_pass(self):
        self.create(with_(PAYMENT_BODY, metadata={f"k{i}": "v" for i in range(50)}))

    def test_malformed_bodies(self):
        before = self.snapshot()
        for raw in ("{", '{"line_items": [}', "[1, 2]", '"text"', "null", "nul"):
            with self.subTest(raw):
                self.assert_error(self.pub.call("POST", API + "/sessions", raw=raw), 400,
                                  "invalid_json", None)
        deep = '{"metadata": ' + '{"a": ' * 32 + '"x"' + "}" * 32 + "}"
        self.assert_error(self.pub.call("POST", API + "/sessions", raw=deep), 400, "invalid_json",
                          None)
        big = json.dumps(with_(PAYMENT_BODY, metadata={"k": "x" * (1 << 20)}))
        self.assert_error(self.pub.call("POST", API + "/sessions", raw=big), 413, None, ...)
        self.assertEqual(self.snapshot(), before)

    def test_cancel_bodies(self):
        s = self.create(PAYMENT_BODY)
        self.assert_error(self.pub.call("POST", f"{API}/sessions/{s['id']}/cancel",
                                        {"reason": "x"}), 400, "parameter_unknown", "reason")
        self.assert_error(self.pub.call("POST", f"{API}/sessions/{s['id']}/cancel", raw="{"),
                          400, "invalid_json", None)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "pending")

    def test_unknown_ids_are_404(self):
        before = self.snapshot()
        for method, path in (("GET", "/sessions/cs_missing"),
                             ("POST", "/sessions/cs_missing/cancel"),
                             ("GET", "/subscriptions/sub_missing"),
                             ("POST", "/subscriptions/sub_missing/cancel"),
                             ("GET", "/subscriptions/sub_missing/portal?return_url=https%3A%2F%2Fa.b")):
            with self.subTest(path):
                self.assert_error(self.pub.call(method, API + path), 404, "resource_missing", ...)
        self.assert_error(self.pub.call("GET", API + "/nothing-here"), 404, "route_missing", None)
        self.assertEqual(self.snapshot(), before)

    def test_wrong_methods_are_405_with_allow(self):
        s = self.create(PAYMENT_BODY)
        for method, path, allow in (("GET", "/sessions", "POST"),
                                    ("DELETE", f"/sessions/{s['id']}", "GET, HEAD"),
                                    ("GET", f"/sessions/{s['id']}/cancel", "POST"),
                                    ("PUT", "/subscriptions", "GET, HEAD"),
                                    ("POST", "/subscriptions/sub_x/portal", "GET, HEAD")):
            with self.subTest(f"{method} {path}"):
                answer = self.pub.call(method, API + path)
                self.assert_error(answer, 405, "method_not_allowed", None)
                self.assertEqual(answer[2]["allow"], allow)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}")["status"], "pending")

    def test_head_is_get_without_the_body(self):
        s = self.create(PAYMENT_BODY)
        status, body, headers = self.pub.call("GET", f"{API}/sessions/{s['id']}")
        head_status, head_body, head_headers = self.pub.call("HEAD", f"{API}/sessions/{s['id']}")
        self.assertEqual((head_status, head_body), (200, ""))
        self.assertEqual(head_headers["content-length"], str(len(json.dumps(body, separators=(
            ",", ":"), ensure_ascii=False).encode())))
        self.assertEqual(head_headers["content-type"], headers["content-type"])
        self.assertEqual(self.pub.call("HEAD", f"{API}/sessions/cs_nope")[0], 404)
        self.assertEqual(self.pub.call("HEAD", f"{API}/sessions/{s['id']}", key=None)[0], 401)
        status, _, headers = self.pub.call("HEAD", "/healthz", key=None)
        self.assertEqual((status, headers["content-length"]), (200, "11"))

    def test_bad_list_queries(self):
        for query, param in (("status=nope", "status"), ("limit=0", "limit"),
                             ("limit=101", "limit"), ("limit=x", "limit"),
                             ("colour=red", "colour")):
            with self.subTest(query):
                self.assert_error(self.pub.call("GET", f"{API}/subscriptions?{query}"), 400, None,
                                  param)


if __name__ == "__main__":
    unittest.main()
