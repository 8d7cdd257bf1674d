"""Bad input, through jopayctl and raw HTTP on the admin socket: every case gives a clear error
with the right exit code / HTTP status and the documented error shape, and changes nothing."""
import json
import sqlite3
import unittest

from harness import GOOD_CARD, DaemonTest, UnixHTTPConnection



def snapshot(d):
    """Everything the admin API can list, as full objects, plus the status counts."""
    def items(path):
        status, body = d.api("GET", path)
        assert status == 200, (path, status, body)
        return body["data"]
    status = d.ok("status")
    return {
        "plans": items("/v1/plans?active=all&limit=1000"),
        "subscriptions": items("/v1/subscriptions?limit=1000"),
        "customers": items("/v1/customers?limit=1000"),
        "payments": items("/v1/payments?limit=1000"),
        "events": items("/v1/events?limit=1000"),
        "keys": items("/v1/keys?limit=1000"),
        "status": {k: status[k] for k in ("subscriptions", "customers", "plans", "next_action",
                                          "clock")},
    }


class BadInputTest(DaemonTest):
    def setUp(self):
        super().setUp()
        # Some state for bad input to leave alone.
        self.plan = self.d.plan()
        self.sub = self.d.subscribe(self.plan["id"], "existing@example.com")
        self.before = snapshot(self.d)

    def assertUnchanged(self):
        self.assertEqual(snapshot(self.d), self.before, "bad input changed the store")

    def assertCtlError(self, result, exit_code, *parts):
        """A failed jopayctl: the exit code, nothing on stdout, `jopayctl: error:` on stderr
        naming each part."""
        self.assertEqual(result.rc, exit_code, result)
        self.assertEqual(result.out, "", result)
        self.assertTrue(result.err.startswith("jopayctl: error: "), result)
        for part in parts:
            self.assertIn(part, result.err, result)

    def assertHttpError(self, answer, status, param=None, code=None, message_part=None):
        got_status, body = answer
        self.assertEqual(got_status, status, body)
        self.assertIsInstance(body, dict, body)
        self.assertEqual(set(body), {"error"}, body)
        error = body["error"]
        self.assertEqual(set(error), {"code", "message", "param"}, body)
        self.assertIsInstance(error["code"], str)
        self.assertTrue(error["code"], body)
        self.assertIsInstance(error["message"], str)
        self.assertTrue(error["message"], body)
        if param is not None:
            self.assertEqual(error["param"], param, body)
        if code is not None:
            self.assertEqual(error["code"], code, body)
        if message_part is not None:
            self.assertIn(message_part, error["message"], body)
        return error

    def plan_body(self, **changes):
        body = {"name": "X", "amount": 100, "currency": "eur", "interval": "month"}
        body.update(changes)
        return body

    def create_plan(self, *extra, amount="100", currency="eur", interval="month"):
        args = ["plans", "create", "--name", "X", "--currency", currency, "--interval", interval]
        if amount is not None:
            args += [f"--amount={amount}"]
        return self.d.ctl(*args, *extra)

    def create_sub(self, *extra, email="new@example.com", card=GOOD_CARD, plan=None):
        args = ["subscriptions", "create", "--plan", plan or self.plan["id"], "--email", email]
        if card is not None:
            args += ["--card", card]
        return self.d.ctl(*args, *extra)


class AmountTest(BadInputTest):
    def test_out_of_range_amounts_are_invalid_input(self):
        for amount in ("0", "-5", "1000000000000"):
            with self.subTest(amount=amount):
                self.assertCtlError(self.create_plan(amount=amount), 5, "(param: amount)",
                                    "999999999999")
        self.assertUnchanged()

    def test_malformed_amounts_are_refused_by_jopayctl(self):
        # Not a whole number, or not an int64 at all: jopayctl refuses before asking jopayd.
        # jopayctl(1): "2 Usage: ... a missing or malformed argument".
        for amount in ("1.5", "abc", "99999999999999999999", ""):
            with self.subTest(amount=amount):
                self.assertCtlError(self.create_plan(amount=amount), 2, "--amount")
        self.assertUnchanged()

    def test_bad_amounts_over_http(self):
        for amount in (0, -5, 1.5, "abc", "1499", 99999999999999999999, 1000000000000, True,
                       [1499], {"value": 1499}):
            with self.subTest(amount=amount):
                self.assertHttpError(self.d.api("POST", "/v1/plans", self.plan_body(amount=amount)),
                                     400, param="amount")
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw='{"name":"X","amount":1e3,'
                                        '"currency":"eur","interval":"month"}'),
                             400, param="amount")
        self.assertUnchanged()

    def test_largest_amount_is_accepted(self):
        r = self.create_plan(amount="999999999999")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json["amount"], 999999999999)

    def test_bad_amount_on_update(self):
        for amount in ("0", "-5", "1000000000000"):
            r = self.d.ctl("plans", "update", self.plan["id"], f"--amount={amount}")
            self.assertCtlError(r, 5, "(param: amount)")
        self.assertHttpError(self.d.api("POST", f"/v1/plans/{self.plan['id']}", {"amount": 1.5}),
                             400, param="amount")
        self.assertUnchanged()


class PlanFieldTest(BadInputTest):
    def test_unknown_currency(self):
        self.assertCtlError(self.create_plan(currency="xyz"), 5, "unknown currency",
                            "(param: currency)")
        self.assertHttpError(self.d.api("POST", "/v1/plans", self.plan_body(currency="xyz")),
                             400, param="currency", message_part="xyz")
        self.assertHttpError(self.d.api("POST", "/v1/plans", self.plan_body(currency="")),
                             400, param="currency")
        self.assertUnchanged()

    def test_unknown_interval(self):
        # jopayctl knows the intervals and refuses at parse time (usage).
        self.assertCtlError(self.create_plan(interval="fortnight"), 2, "--interval",
                            "fortnight")
        self.assertHttpError(self.d.api("POST", "/v1/plans", self.plan_body(interval="fortnight")),
                             400, param="interval", message_part="fortnight")
        self.assertUnchanged()

    def test_bad_schedule_numbers(self):
        for flag, field, value in (("--interval-count", "interval_count", "0"),
                                   ("--trial-days", "trial_days", "-1"),
                                   ("--grace-days", "grace_period_days", "-1")):
            with self.subTest(field=field):
                self.assertCtlError(self.create_plan(f"{flag}={value}"), 5, f"(param: {field})")
                self.assertHttpError(self.d.api("POST", "/v1/plans",
                                                self.plan_body(**{field: int(value)})),
                                     400, param=field)
        self.assertUnchanged()

    def test_missing_required_fields_over_http(self):
        for field in ("name", "amount", "currency", "interval"):
            body = self.plan_body()
            del body[field]
            with self.subTest(field=field):
                self.assertHttpError(self.d.api("POST", "/v1/plans", body), 400, param=field,
                                     code="parameter_missing")
        self.assertUnchanged()


class SubscriptionInputTest(BadInputTest):
    def test_bad_emails(self):
        for email in ("nope", "a@b", "a b@c.com", "@example.com", "a@@example.com"):
            with self.subTest(email=email):
                self.assertCtlError(self.create_sub(email=email), 5, "(param: email)",
                                    "not a valid email")
                self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                                {"plan": self.plan["id"], "email": email,
                                                 "card": GOOD_CARD}),
                                     400, param="email")
        self.assertUnchanged()

    def test_unknown_plan_is_not_found(self):
        self.assertCtlError(self.create_sub(plan="plan_doesnotexist000000000000"), 4,
                            "No such plan")
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                        {"plan": "plan_doesnotexist000000000000",
                                         "email": "new@example.com", "card": GOOD_CARD}),
                             404, param="plan")
        self.assertUnchanged()

    def test_metadata_limits(self):
        too_many = []
        for i in range(51):
            too_many += ["--metadata", f"k{i}=v"]
        self.assertCtlError(self.create_sub(*too_many), 5, "(param: metadata)", "50")
        self.assertCtlError(self.create_sub("--metadata", "k" * 41 + "=v"), 5,
                            "(param: metadata)", "40")
        self.assertCtlError(self.create_sub("--metadata", "k=" + "v" * 501), 5,
                            "(param: metadata)", "500")
        for metadata in ({f"k{i}": "v" for i in range(51)}, {"k" * 41: "v"}, {"k": "v" * 501},
                         {"k": 1}, {"k": {"nested": "x"}}, ["k", "v"], "k=v", {"": "v"}):
            with self.subTest(metadata=str(metadata)[:60]):
                self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                                {"plan": self.plan["id"],
                                                 "email": "new@example.com", "card": GOOD_CARD,
                                                 "metadata": metadata}),
                                     400, param="metadata")
        self.assertUnchanged()

    def test_malformed_metadata_option_is_a_usage_error(self):
        self.assertCtlError(self.create_sub("--metadata", "novalue"), 2, "--metadata")
        self.assertCtlError(self.create_sub("--metadata", "=v"), 2, "--metadata")
        self.assertCtlError(self.create_sub("--metadata", "k=a", "--metadata", "k=b"), 5,
                            "given twice")
        self.assertUnchanged()

    def test_metadata_at_the_limits_is_accepted(self):
        args = []
        for i in range(49):
            args += ["--metadata", f"k{i}=v"]
        args += ["--metadata", "x" * 40 + "=" + "é" * 500]  # characters, not bytes
        r = self.create_sub(*args)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.json["metadata"]), 50)
        self.assertEqual(r.json["metadata"]["x" * 40], "é" * 500)

    def test_declined_cards_create_nothing(self):
        for card, words in (("4000000000000002", "declined"),
                            ("4000000000009995", "insufficient"),
                            ("4000000000000069", "expired")):
            with self.subTest(card=card):
                r = self.create_sub(card=card, email="declined@example.com")
                self.assertCtlError(r, 5)
                self.assertIn(words, r.err.lower(), r)
                status, body = self.d.api("POST", "/v1/subscriptions",
                                          {"plan": self.plan["id"],
                                           "email": "declined@example.com", "card": card})
                self.assertHttpError((status, body), 402)
        self.assertFails(self.d.ctl("customers", "get", "declined@example.com"), 4)
        self.assertEqual(self.d.ok("subscriptions", "list", "--email", "declined@example.com"), [])
        self.assertUnchanged()
        # Not even a saved card or a failed payment row behind the API's back.
        db = sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro", uri=True)
        try:
            for table, count in (("customers", 1), ("payment_methods", 1), ("subscriptions", 1),
                                 ("payments", 1)):
                self.assertEqual(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
                                 count, table)
        finally:
            db.close()

    def test_invalid_card_numbers(self):
        for card in ("4242424242424241", "abc", "4242", "42424242424242424242424242"):
            with self.subTest(card=card):
                self.assertCtlError(self.create_sub(card=card), 5, "(param: card)")
        self.assertUnchanged()

    def test_no_card_and_no_trial(self):
        self.assertCtlError(self.create_sub(card=None), 5, "(param: card)", "card is required")
        self.assertCtlError(self.create_sub("--trial-days", "0", card=None), 5, "(param: card)")
        self.assertUnchanged()

    def test_bad_trial_days(self):
        self.assertCtlError(self.create_sub("--trial-days=-1", card=None), 5,
                            "(param: trial_days)")
        self.assertCtlError(self.create_sub("--trial-days", "seven", card=None), 2,
                            "--trial-days")
        self.assertUnchanged()


class NotFoundTest(BadInputTest):
    def test_unknown_ids_are_exit_4(self):
        for noun, bad_id in (("subscriptions", "sub_doesnotexist000000000000"),
                             ("customers", "cus_doesnotexist000000000000"),
                             ("customers", "nobody@example.com"),
                             ("payments", "pay_doesnotexist000000000000"),
                             ("events", "evt_doesnotexist000000000000"),
                             ("plans", "plan_doesnotexist000000000000")):
            with self.subTest(noun=noun, id=bad_id):
                self.assertCtlError(self.d.ctl(noun, "get", bad_id), 4, "No such", bad_id)
        self.assertUnchanged()

    def test_unknown_subscription_for_each_verb(self):
        bad = "sub_doesnotexist000000000000"
        for verb in ("cancel", "pause", "resume"):
            with self.subTest(verb=verb):
                self.assertCtlError(self.d.ctl("subscriptions", verb, bad), 4, "No such", bad)
        self.assertCtlError(self.d.ctl("keys", "revoke", "key_doesnotexist000000000000"), 4,
                            "No such")
        self.assertUnchanged()

    def test_unknown_ids_over_http(self):
        for path in ("/v1/subscriptions/sub_x", "/v1/customers/cus_x", "/v1/payments/pay_x",
                     "/v1/events/evt_x", "/v1/plans/plan_x"):
            with self.subTest(path=path):
                self.assertHttpError(self.d.api("GET", path), 404, code="resource_missing")
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions/sub_x/cancel", {}), 404)
        self.assertUnchanged()


class RawHttpTest(BadInputTest):
    def test_malformed_json(self):
        for raw in ("{bad json", '{"name": "X",}', "{\"name\": \"X\"} trailing", "\x00"):
            with self.subTest(raw=raw):
                self.assertHttpError(self.d.api("POST", "/v1/plans", raw=raw), 400,
                                     code="invalid_json")
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions", raw="{"), 400,
                             code="invalid_json")
        self.assertUnchanged()

    def test_body_that_is_not_an_object(self):
        for raw in ("[1, 2]", json.dumps([self.plan_body()]), "null", '"text"', "42"):
            with self.subTest(raw=raw):
                self.assertHttpError(self.d.api("POST", "/v1/plans", raw=raw), 400,
                                     message_part="object")
        self.assertUnchanged()

    def test_unknown_field_is_named(self):
        self.assertHttpError(self.d.api("POST", "/v1/plans", self.plan_body(colour="red")), 400,
                             param="colour", message_part="colour")
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                        {"plan": self.plan["id"], "email": "n@example.com",
                                         "card": GOOD_CARD, "coupon": "FREE"}),
                             400, param="coupon")
        self.assertHttpError(self.d.api("POST", f"/v1/plans/{self.plan['id']}",
                                        {"name": "Y", "price": 5}), 400, param="price")
        self.assertHttpError(self.d.api("POST", f"/v1/subscriptions/{self.sub['id']}/cancel",
                                        {"immediately": True}), 400, param="immediately")
        self.assertUnchanged()

    def test_wrong_types(self):
        for field, value in (("name", 5), ("currency", 978), ("interval", ["month"]),
                             ("interval_count", "1"), ("description", {"a": "b"})):
            with self.subTest(field=field):
                self.assertHttpError(self.d.api("POST", "/v1/plans",
                                                self.plan_body(**{field: value})),
                                     400, param=field)
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                        {"plan": self.plan["id"], "email": "n@example.com",
                                         "card": 4242424242424242}), 400, param="card")
        self.assertHttpError(self.d.api("POST", f"/v1/subscriptions/{self.sub['id']}/cancel",
                                        {"immediate": "yes"}), 400, param="immediate")
        self.assertUnchanged()

    def test_body_over_one_mebibyte(self):
        raw = json.dumps(self.plan_body(description="x" * (2 * 1024 * 1024)))
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw=raw), 413)
        self.assertHttpError(self.d.api("POST", "/v1/subscriptions",
                                        raw=json.dumps({"plan": self.plan["id"],
                                                        "email": "big@example.com",
                                                        "card": GOOD_CARD,
                                                        "pad": "x" * (2 * 1024 * 1024)})), 413)
        # The daemon is still fine afterwards.
        self.assertEqual(self.d.ok("plans", "get", self.plan["id"]), self.plan)
        self.assertUnchanged()

    def test_nesting_deeper_than_32(self):
        def nested(levels):  # the outer object is level 1
            inner = levels - 1
            return ('{"name":"X","amount":100,"currency":"eur","interval":"month",'
                    '"description":' + "[" * inner + "]" * inner + "}")
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw=nested(33)), 400,
                             code="invalid_json")
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw=nested(200)), 400,
                             code="invalid_json")
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw="[" * 100000), 400,
                             code="invalid_json")
        # 32 levels parse; the field is then just the wrong type.
        self.assertHttpError(self.d.api("POST", "/v1/plans", raw=nested(32)), 400,
                             param="description")
        self.assertUnchanged()

    def test_unknown_route(self):
        for method, path in (("GET", "/v1/nothing"), ("GET", "/"), ("POST", "/v1/plans/x/y/z"),
                             ("GET", "/v2/plans")):
            with self.subTest(path=path):
                self.assertHttpError(self.d.api(method, path), 404)
        self.assertUnchanged()

    def test_wrong_method(self):
        for method, path in (("DELETE", "/v1/plans"), ("PUT", f"/v1/plans/{self.plan['id']}"),
                             ("POST", "/v1/status"), ("GET", "/v1/renew"),
                             ("DELETE", f"/v1/subscriptions/{self.sub['id']}")):
            with self.subTest(method=method, path=path):
                error = self.assertHttpError(self.d.api(method, path), 405)
                self.assertIn(method, error["message"])
        self.assertUnchanged()

    def test_bad_query_parameters(self):
        for path, param in (("/v1/plans?limit=0", "limit"), ("/v1/plans?limit=1001", "limit"),
                            ("/v1/plans?limit=abc", "limit"), ("/v1/plans?active=maybe", "active"),
                            ("/v1/subscriptions?status=bogus", "status")):
            with self.subTest(path=path):
                self.assertHttpError(self.d.api("GET", path), 400, param=param)

    def test_errors_are_json_with_a_json_content_type(self):
        conn = UnixHTTPConnection(self.d.socket)
        conn.request("POST", "/v1/plans", body="{bad", headers={"Content-Type":
                                                                   "application/json"})
        resp = conn.getresponse()
        text = resp.read().decode()
        conn.close()
        self.assertEqual(resp.status, 400)
        self.assertTrue(resp.getheader("Content-Type", "").startswith("application/json"),
                        resp.getheaders())
        self.assertIn("error", json.loads(text))
        self.assertUnchanged()


if __name__ == "__main__":
    unittest.main()
