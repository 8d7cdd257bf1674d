"""API keys (secret shown once, read-only keys, revocation) and test/live mode: isolation, the
manual clock's refusal of live mode, and --confirm for live destructive commands."""
import json
import os
import pty
import select
import subprocess
import unittest

from harness import JOPAYCTL, DaemonTest

MODES = (False, True)


def snapshot(d):
    """Every mode's rows (live only where the clock allows it), as full objects."""
    out = {}
    manual = d.ok("clock", "show")["mode"] == "manual"
    for live in ((False,) if manual else MODES):
        for path in ("/v1/plans?active=all&limit=1000", "/v1/subscriptions?limit=1000",
                     "/v1/customers?limit=1000", "/v1/payments?limit=1000",
                     "/v1/events?limit=1000", "/v1/keys?limit=1000"):
            status, body = d.api("GET", path, live=live)
            assert status == 200, (path, live, status, body)
            out[(live, path)] = body["data"]
    return out


class KeysTest(DaemonTest):
    def test_create_prints_the_secret_once(self):
        r = self.d.ctl("keys", "create")
        self.assertEqual(r.rc, 0, r)
        key = r.json
        self.assertTrue(key["id"].startswith("key_"), key)
        self.assertEqual(key["object"], "api_key")
        self.assertIs(key["livemode"], False)
        self.assertIs(key["read_only"], False)
        self.assertEqual(key["prefix"], "sk_test_")
        secret = key["secret"]
        self.assertRegex(secret, r"^sk_test_[0-9A-Za-z]{24,}$")
        self.assertEqual(key["last4"], secret[-4:])
        self.assertIsNone(key["revoked_at"])
        self.assertIsNone(key["last_used_at"])
        self.assertEqual(key["created_at"], "2025-01-31T10:00:00Z")
        self.assertIn("only time", r.err)  # the note goes to stderr, not into the data

        listed = self.d.ok("keys", "list")
        self.assertEqual(len(listed), 1)
        self.assertNotIn("secret", listed[0])
        self.assertEqual({k: v for k, v in key.items() if k != "secret"}, listed[0])
        # The secret appears nowhere again: no format, no raw answer.
        for output in ("json", "ndjson", "table", "id"):
            self.assertNotIn(secret, self.d.ok("keys", "list", output=output))
        self.assertNotIn(secret, json.dumps(self.d.api("GET", "/v1/keys")[1]))
        self.assertNotIn(secret[8:], json.dumps(self.d.api("GET", "/v1/keys")[1]))

    def test_table_output_is_just_the_secret(self):
        r = self.d.ctl("keys", "create", output="table")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"^sk_test_[0-9A-Za-z]+\n$")
        r = self.d.ctl("keys", "create", output="id")
        self.assertRegex(r.out, r"^key_[0-9A-Za-z]{24}\n$")

    def test_secrets_are_unique(self):
        secrets = {self.d.ok("keys", "create")["secret"] for _ in range(5)}
        self.assertEqual(len(secrets), 5)
        self.assertEqual(len(self.d.ok("keys", "list")), 5)

    def test_read_only_key(self):
        key = self.d.ok("keys", "create", "--read-only")
        self.assertIs(key["read_only"], True)
        self.assertEqual(key["prefix"], "rk_test_")
        self.assertRegex(key["secret"], r"^rk_test_[0-9A-Za-z]{24,}$")
        self.assertEqual(key["last4"], key["secret"][-4:])
        self.assertIs(self.d.ok("keys", "list")[0]["read_only"], True)

    def test_revoke_sets_revoked_at_once(self):
        key = self.d.ok("keys", "create")
        other = self.d.ok("keys", "create")
        self.d.advance("2d")
        revoked = self.d.ok("keys", "revoke", key["id"])
        self.assertEqual(revoked["id"], key["id"])
        self.assertEqual(revoked["revoked_at"], "2025-02-02T10:00:00Z")
        self.assertNotIn("secret", revoked)
        listed = {k["id"]: k for k in self.d.ok("keys", "list")}
        self.assertEqual(listed[key["id"]]["revoked_at"], "2025-02-02T10:00:00Z")
        self.assertIsNone(listed[other["id"]]["revoked_at"])

        self.d.advance("1d")
        before = snapshot(self.d)
        r = self.d.ctl("keys", "revoke", key["id"])
        self.assertFails(r, 5, "already revoked")
        self.assertEqual(r.out, "")
        self.assertEqual(snapshot(self.d), before)  # revoked_at did not move

    def test_revoke_unknown_key(self):
        before = snapshot(self.d)
        self.assertFails(self.d.ctl("keys", "revoke", "key_doesnotexist000000000000"), 4,
                         "No such API key")
        self.assertEqual(snapshot(self.d), before)

    def test_bad_key_request_over_http(self):
        before = snapshot(self.d)
        for body in ({"read_only": "yes"}, {"read_only": 1}, {"scope": "all"}):
            status, answer = self.d.api("POST", "/v1/keys", body)
            self.assertEqual(status, 400, answer)
        self.assertEqual(snapshot(self.d), before)


class ManualClockRefusesLiveTest(DaemonTest):
    def test_live_mode_is_refused_while_the_clock_is_manual(self):
        self.d.plan()
        before = snapshot_test_mode(self.d)
        for args in (("plans", "list"), ("status",), ("keys", "create"),
                     ("plans", "create", "--name", "L", "--amount", "100", "--currency", "eur",
                      "--interval", "month")):
            with self.subTest(args=args):
                r = self.d.ctl(*args, live=True)
                self.assertEqual(r.rc, 5, r)
                self.assertEqual(r.out, "", r)
                self.assertIn("jopayctl: error:", r.err)
                self.assertIn("Live mode is unavailable while the clock is manual", r.err)
        status, body = self.d.api("GET", "/v1/plans", live=True)
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["code"], "livemode_unavailable")
        status, body = self.d.api("POST", "/v1/plans", {"name": "L", "amount": 1,
                                                        "currency": "eur", "interval": "day"},
                                  live=True)
        self.assertEqual(status, 409, body)
        self.assertEqual(snapshot_test_mode(self.d), before)


def snapshot_test_mode(d):
    out = {}
    for path in ("/v1/plans?active=all", "/v1/subscriptions", "/v1/customers", "/v1/keys",
                 "/v1/events"):
        status, body = d.api("GET", path)
        assert status == 200, (path, status, body)
        out[path] = body["data"]
    return out


class LiveModeTest(DaemonTest):
    clock = "system"  # live mode needs the real clock

    def create_plan(self, name, live):
        return self.d.ok("plans", "create", "--name", name, "--amount", "1000", "--currency",
                         "eur", "--interval", "month", live=live)

    def trial(self, plan_id, email, live):
        return self.d.ok("subscriptions", "create", "--plan", plan_id, "--email", email,
                         "--trial-days", "14", live=live)

    def test_test_and_live_rows_never_mix(self):
        test_plan = self.create_plan("Test plan", live=False)
        live_plan = self.create_plan("Live plan", live=True)
        self.assertIs(test_plan["livemode"], False)
        self.assertIs(live_plan["livemode"], True)
        self.assertEqual(self.d.ok("plans", "list", output="id"), test_plan["id"] + "\n")
        self.assertEqual(self.d.ok("plans", "list", output="id", live=True),
                         live_plan["id"] + "\n")
        self.assertFails(self.d.ctl("plans", "get", test_plan["id"], live=True), 4)
        self.assertFails(self.d.ctl("plans", "get", live_plan["id"]), 4)
        self.assertFails(self.d.ctl("plans", "update", live_plan["id"], "--name", "x"), 4)
        self.assertFails(self.d.ctl("plans", "archive", test_plan["id"], "--confirm",
                                    live=True), 4)
        # A subscription can only use a plan of its own mode.
        self.assertFails(self.d.ctl("subscriptions", "create", "--plan", live_plan["id"],
                                    "--email", "x@example.com", "--trial-days", "7"), 4)
        self.assertFails(self.d.ctl("subscriptions", "create", "--plan", test_plan["id"],
                                    "--email", "x@example.com", "--trial-days", "7", live=True),
                         4)

        test_sub = self.trial(test_plan["id"], "same@example.com", live=False)
        live_sub = self.trial(live_plan["id"], "same@example.com", live=True)
        self.assertIs(live_sub["livemode"], True)
        self.assertNotEqual(test_sub["customer_id"], live_sub["customer_id"])
        self.assertEqual([s["id"] for s in self.d.ok("subscriptions", "list")], [test_sub["id"]])
        self.assertEqual([s["id"] for s in self.d.ok("subscriptions", "list", live=True)],
                         [live_sub["id"]])
        self.assertFails(self.d.ctl("subscriptions", "get", live_sub["id"]), 4)
        self.assertFails(self.d.ctl("subscriptions", "get", test_sub["id"], live=True), 4)
        test_customer = self.d.ok("customers", "get", "same@example.com")
        live_customer = self.d.ok("customers", "get", "same@example.com", live=True)
        self.assertEqual([s["id"] for s in test_customer["subscriptions"]], [test_sub["id"]])
        self.assertEqual([s["id"] for s in live_customer["subscriptions"]], [live_sub["id"]])
        self.assertEqual([e["object_id"] for e in self.d.ok("events", "list", live=True)],
                         [live_sub["id"]])
        self.assertEqual([e["object_id"] for e in self.d.ok("events", "list")], [test_sub["id"]])

        test_key = self.d.ok("keys", "create")
        live_key = self.d.ok("keys", "create", live=True)
        live_ro = self.d.ok("keys", "create", "--read-only", live=True)
        self.assertTrue(live_key["secret"].startswith("sk_live_"), live_key)
        self.assertTrue(live_ro["secret"].startswith("rk_live_"), live_ro)
        self.assertEqual([k["id"] for k in self.d.ok("keys", "list")], [test_key["id"]])
        self.assertEqual([k["id"] for k in self.d.ok("keys", "list", live=True)],
                         [live_ro["id"], live_key["id"]])
        self.assertFails(self.d.ctl("keys", "revoke", live_key["id"]), 4)

        test_status = self.d.ok("status")
        live_status = self.d.ok("status", live=True)
        self.assertEqual((test_status["plans"], test_status["customers"],
                          test_status["subscriptions"]["trialing"]), (1, 1, 1))
        self.assertEqual((live_status["plans"], live_status["customers"],
                          live_status["subscriptions"]["trialing"]), (1, 1, 1))

    def test_only_the_exact_live_header_selects_live_mode(self):
        live_plan = self.create_plan("Live plan", live=True)
        for value in ("test", "LIVE ", "yes", ""):
            with self.subTest(value=value):
                status, body = self.d.api("GET", "/v1/plans", headers={"JoPay-Mode": value})
                self.assertEqual(status, 200, body)
                self.assertEqual(body["data"], [])
        status, body = self.d.api("GET", "/v1/plans", live=True)
        self.assertEqual([p["id"] for p in body["data"]], [live_plan["id"]])

    def live_fixtures(self):
        plan = self.create_plan("Live plan", live=True)
        sub = self.trial(plan["id"], "live@example.com", live=True)
        key = self.d.ok("keys", "create", live=True)
        return plan, sub, key

    def destructive(self, plan, sub, key, import_file):
        return [("subscriptions", "cancel", sub["id"]),
                ("subscriptions", "pause", sub["id"]),
                ("plans", "archive", plan["id"]),
                ("keys", "revoke", key["id"]),
                ("subscriptions", "import", import_file)]

    def import_file(self, plan):
        path = os.path.join(self.d.root, "live.ndjson")
        with open(path, "w") as f:
            f.write(json.dumps({"email": "imported@example.com", "plan": plan["id"],
                                "current_period_end": "2099-01-01T00:00:00Z"}) + "\n")
        return path

    def test_live_destructive_commands_need_confirm_without_a_terminal(self):
        plan, sub, key = self.live_fixtures()
        before = snapshot(self.d)
        for args in self.destructive(plan, sub, key, self.import_file(plan)):
            with self.subTest(args=args[:2]):
                for stdin in (None, "yes\n"):  # piped "yes" is not a terminal's answer
                    r = self.d.ctl(*args, live=True, stdin=stdin)
                    self.assertEqual(r.rc, 2, r)
                    self.assertEqual(r.out, "", r)
                    self.assertIn("jopayctl: error:", r.err)
                    self.assertIn("--confirm", r.err)
        # Import from stdin can never be confirmed on stdin.
        r = self.d.ctl("subscriptions", "import", "-", live=True,
                       stdin=json.dumps({"email": "i@example.com", "plan": plan["id"],
                                         "current_period_end": "2099-01-01T00:00:00Z"}) + "\n")
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(snapshot(self.d), before)

    def test_live_destructive_commands_run_with_confirm(self):
        plan, sub, key = self.live_fixtures()
        paused = self.d.ok("subscriptions", "pause", sub["id"], "--confirm", live=True)
        self.assertEqual(paused["status"], "paused")
        self.d.ok("subscriptions", "resume", sub["id"], live=True)  # not destructive
        canceled = self.d.ok("subscriptions", "cancel", sub["id"], "--confirm", live=True)
        self.assertIn(canceled["status"], ("canceled", "expired"))
        self.assertIs(canceled["livemode"], True)
        revoked = self.d.ok("keys", "revoke", key["id"], "--confirm", live=True)
        self.assertIsNotNone(revoked["revoked_at"])
        imported = self.d.ok("subscriptions", "import", self.import_file(plan), "--confirm",
                             live=True)
        self.assertEqual(imported, {"imported": 1})
        archived = self.d.ok("plans", "archive", plan["id"], "--confirm", live=True)
        self.assertIs(archived["plan"]["active"], False)
        self.assertEqual(archived["subscriptions_canceled"], 1)  # the imported one
        # Test mode saw none of it.
        self.assertEqual(self.d.ok("subscriptions", "list"), [])
        self.assertEqual(self.d.ok("keys", "list"), [])

    def test_test_mode_destructive_commands_need_no_confirm(self):
        plan = self.create_plan("Test plan", live=False)
        sub = self.trial(plan["id"], "t@example.com", live=False)
        self.assertEqual(self.d.ok("subscriptions", "cancel", sub["id"])["status"], "canceled")
        self.assertIs(self.d.ok("plans", "archive", plan["id"])["plan"]["active"], False)

    def run_on_terminal(self, args, answer):
        """jopayctl --live ARGS with stdin and stderr on a pseudo-terminal; types ANSWER at the
        prompt. Returns (rc, stdout, terminal text)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([JOPAYCTL, "--socket", self.d.socket, "--live", "-o", "json",
                                 *args], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                                env=dict(os.environ, NO_COLOR="1"))
        os.close(slave)
        seen = b""
        try:
            while b"yes" not in seen:
                ready, _, _ = select.select([master], [], [], 10)
                if not ready:
                    break
                seen += os.read(master, 4096)
            os.write(master, answer)
            out = proc.stdout.read()
            rc = proc.wait(timeout=30)
            while True:
                ready, _, _ = select.select([master], [], [], 0.2)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return rc, out.decode(), seen.decode(errors="replace")

    def test_live_destructive_command_asks_on_a_terminal(self):
        plan, sub, key = self.live_fixtures()
        before = snapshot(self.d)
        rc, out, tty = self.run_on_terminal(["keys", "revoke", key["id"]], b"no\n")
        self.assertEqual(rc, 2, tty)
        self.assertEqual(out, "")
        self.assertIn("LIVE", tty)
        self.assertIn("nothing was changed", tty)
        self.assertEqual(snapshot(self.d), before)
        rc, out, tty = self.run_on_terminal(["keys", "revoke", key["id"]], b"yes\n")
        self.assertEqual(rc, 0, tty)
        self.assertIsNotNone(json.loads(out)["revoked_at"])


if __name__ == "__main__":
    unittest.main()
