"""/api/v1 bad input: malformed JSON, wrong types, unknown fields (named), missing fields,
bad amounts and intervals, bad queries, unknown ids (404), wrong methods (405): a JSON error
with the right status, and nothing changes."""
import unittest

from lnbits_client import REFERENCE_PLAN, V1, LnbitsTest


class BadInputTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        self.plan = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)
        self.sub = self.d.subscribe(self.plan["id"], "b@example.com")
        self.before = self.full_snapshot()

    def tearDown(self):
        self.assertEqual(self.full_snapshot(), self.before)

    def test_plan_bodies(self):
        plans, one = V1 + "/plans", f"{V1}/plans/{self.plan['id']}"
        def body(method, fields):
            """POST bodies carry the other required fields, so the one under test fails."""
            if method == "PUT":
                return fields
            base = {"name": "X", "interval": "monthly"}
            if not {"amount", "amount_sats", "currency"} & set(fields):
                base["amount_sats"] = 1
            return dict(base, **fields)

        for method, path in (("POST", plans), ("PUT", one)):
            self.error(method, path, raw="{not json", param=None)
            self.error(method, path, raw="[1, 2]")
            self.error(method, path, body(method, {"colour": "red"}), param="colour",
                       code="parameter_unknown")
            for fields, param in (({"name": 5}, "name"), ({"name": " "}, "name"),
                                  ({"allow_paypal": "yes"}, "allow_paypal"),
                                  ({"amount_sats": "10"}, "amount_sats"),
                                  ({"amount_sats": 0}, "amount_sats"),
                                  ({"amount_sats": -5}, "amount_sats"),
                                  ({"amount_sats": 1.5}, "amount_sats"),
                                  ({"amount_sats": 10, "amount": 10}, "amount"),
                                  ({"amount": 10, "currency": "xyz"}, "currency"),
                                  ({"amount": 0, "currency": "eur"}, "amount"),
                                  ({"trial_days": -1}, "trial_days"),
                                  ({"grace_period_days": "3"}, "grace_period_days"),
                                  ({"interval": "fortnightly"}, "interval"),
                                  ({"interval": 7}, "interval")):
                self.error(method, path, body(method, fields), param=param)
        for missing in ("name", "interval"):
            body = {k: v for k, v in REFERENCE_PLAN.items() if k != missing}
            self.error("POST", plans, body, param=missing, code="parameter_missing")
        no_price = {k: v for k, v in REFERENCE_PLAN.items() if k != "amount_sats"}
        self.error("POST", plans, no_price, param="amount", code="parameter_missing")
        self.error("POST", plans, dict(no_price, amount=5), param="currency",
                   code="parameter_missing")
        self.error("DELETE", one, {"now": True}, param="now")

    def test_subscription_bodies(self):
        sub = f"{V1}/subscriptions/{self.sub['id']}"
        self.error("PUT", sub, raw="{", param=None)
        self.error("PUT", sub, {}, param="metadata", code="parameter_missing")
        self.error("PUT", sub, {"metadata": "x"}, param="metadata")
        self.error("PUT", sub, {"metadata": {str(i): "v" for i in range(51)}}, param="metadata")
        self.error("PUT", sub, {"metadata": {}, "card": "4242424242424242"}, param="card")
        self.error("POST", sub + "/cancel", {"immediate": "yes"}, param="immediate")
        self.error("POST", sub + "/cancel", {"reason": 5}, param="reason")
        self.error("POST", sub + "/cancel", {"why": "x"}, param="why")
        self.error("POST", sub + "/cancel", raw="nope")
        self.error("POST", sub + "/pause", {"until": 5}, param="until")
        self.error("POST", sub + "/resume", {"x": 1}, param="x")

    def test_queries(self):
        for path, param in (("/plans?active=maybe", "active"), ("/plans?limit=0", "limit"),
                            ("/plans?limit=1001", "limit"), ("/plans?offset=-1", "offset"),
                            ("/plans?colour=red", "colour"),
                            ("/subscriptions?status=gone", "status"),
                            ("/subscriptions?email=x", "email"),
                            ("/subscribers?limit=x", "limit"), ("/subscribers?q=x", "q"),
                            ("/payments?status=late", "status"),
                            ("/payments?payment_method=cash", "payment_method"),
                            ("/payments?offset=1.5", "offset")):
            self.error("GET", V1 + path, param=param)

    def test_unknown_ids_and_methods(self):
        for method, path, body in (("GET", "/plans/plan_missing", None),
                                   ("PUT", "/plans/plan_missing", {"name": "x"}),
                                   ("DELETE", "/plans/plan_missing", None),
                                   ("GET", "/subscriptions/sub_missing", None),
                                   ("PUT", "/subscriptions/sub_missing", {"metadata": {}}),
                                   ("POST", "/subscriptions/sub_missing/cancel", None),
                                   ("POST", "/subscriptions/sub_missing/pause", None),
                                   ("POST", "/subscriptions/sub_missing/resume", None),
                                   ("GET", "/subscribers/cus_missing", None),
                                   ("GET", "/payments/pay_missing", None)):
            self.error(method, V1 + path, body, status=404, code="resource_missing")
        for method, path in (("PATCH", "/plans"), ("DELETE", "/plans"),
                             ("POST", f"/plans/{self.plan['id']}"),
                             ("DELETE", f"/subscriptions/{self.sub['id']}"),
                             ("GET", f"/subscriptions/{self.sub['id']}/cancel"),
                             ("POST", "/subscribers"), ("DELETE", "/payments/pay_x")):
            self.error(method, V1 + path, status=405, code="method_not_allowed")
        self.error("GET", V1 + "/nothing", status=404)


if __name__ == "__main__":
    unittest.main()
