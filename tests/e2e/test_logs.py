"""--log-format json: one object a line (time, level, pid, message, the request id answered in
Request-Id, the ids the message names); no secret, card number or API key reaches the log in
either format, whatever went through jopayd."""
import json
import re
import urllib.error
import urllib.request

from harness import Daemon, DaemonTest, FAILING_CARD, LIVE_CARDS_ARGS

STRIPE_KEY = "sk_live_logtest0123456789abcdef"
STRIPE_HOOK = "whsec_logtest0123456789abcdef"
SECRET_ENV = {"JOPAY_STRIPE_LIVE_SECRET_KEY": STRIPE_KEY,
              "JOPAY_STRIPE_LIVE_WEBHOOK_SECRET": STRIPE_HOOK}


class LogTest:
    """Drives a daemon through what handles secrets and card numbers (a mixin)."""

    def busy_run(self):
        """Returns the secrets that went through jopayd and the Request-Ids it answered."""
        d = self.d
        key = d.ok("keys", "create")["secret"]
        hook = d.ok("webhooks", "add", "http://127.0.0.1:9/hooks")
        plan = d.plan()
        sub = d.subscribe(plan["id"], "logs@example.com")
        d.ctl("subscriptions", "create", "--plan", plan["id"], "--email", "no@example.com",
              "--card", FAILING_CARD)
        d.ok("clock", "advance", "1mo")
        d.ok("subscriptions", "get", sub["id"])
        public = "http://" + d.ok("status")["listen"]
        request_ids = []
        for path, auth in (("/api/checkout/v1/sessions", key), ("/api/checkout/v1/sessions",
                                                                 "sk_test_wrongkey123")):
            body = json.dumps({"plan_id": plan["id"], "success_url": "https://shop.example/ok",
                               "cancel_url": "https://shop.example/no",
                               "card_number": "4242424242424242"}).encode()
            req = urllib.request.Request(public + path, data=body, method="POST", headers={
                "Authorization": "Bearer " + auth, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    request_ids.append(r.headers["Request-Id"])
            except urllib.error.HTTPError as e:
                request_ids.append(e.headers["Request-Id"])
        secrets = [key, hook.get("secret", ""), STRIPE_KEY, STRIPE_HOOK, "4242424242424242",
                   FAILING_CARD, "sk_test_wrongkey123"]
        return [s for s in secrets if s], request_ids

    def assert_no_secret(self, log, secrets):
        for s in secrets:
            self.assertNotIn(s, log)
            self.assertNotIn(s[-12:], log, "not even the end of a secret")


class JsonLogTest(DaemonTest, LogTest):
    daemon_args = ("--log-format", "json", "--log-level", "debug") + LIVE_CARDS_ARGS
    daemon_env = SECRET_ENV

    def test_every_record_is_one_json_object_with_request_and_object_ids(self):
        secrets, request_ids = self.busy_run()
        self.d.stop()
        log = self.d.log()
        records = [json.loads(line) for line in log.splitlines()]
        self.assertGreater(len(records), 10)
        for r in records:
            self.assertLessEqual({"time", "level", "pid", "message"}, r.keys(), r)
            self.assertRegex(r["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertIn(r["level"], ("debug", "info", "warn", "error"))
        for rid in request_ids:
            self.assertRegex(rid, r"^req_[0-9A-Za-z]{24}$")
            mine = [r for r in records if r.get("request_id") == rid]
            self.assertTrue(mine, f"no record names request {rid}")
            self.assertTrue(any("/api/checkout/v1/sessions" in r["message"] for r in mine))
        named = [r for r in records if "subscription_id" in r]
        self.assertTrue(named, "a record about a subscription names it")
        for r in named:
            self.assertIn(r["subscription_id"], r["message"])
        self.assert_no_secret(log, secrets)

    def test_request_ids_differ_per_request(self):
        public = "http://" + self.d.ok("status")["listen"]
        ids = set()
        for _ in range(5):
            with urllib.request.urlopen(public + "/healthz", timeout=10) as r:
                ids.add(r.headers["Request-Id"])
        self.assertEqual(len(ids), 5)


class TextLogTest(DaemonTest, LogTest):
    daemon_args = ("--log-level", "debug") + LIVE_CARDS_ARGS
    daemon_env = SECRET_ENV

    def test_text_records_hold_no_secret_either(self):
        secrets, request_ids = self.busy_run()
        self.d.stop()
        log = self.d.log()
        line = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ jopayd\[\d+\] (debug|info|warn|error): ")
        for l in log.splitlines():
            self.assertRegex(l, line)
        self.assertIn("request_id=" + request_ids[0], log)
        self.assert_no_secret(log, secrets)

    def test_a_bad_log_format_stops_jopayd_with_a_clear_error(self):
        d = Daemon(extra_args=("--log-format", "xml"))
        self.addCleanup(d.cleanup)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(timeout=15), 2)
        self.assertIn("--log-format", d.log())


if __name__ == "__main__":
    import unittest
    unittest.main()
