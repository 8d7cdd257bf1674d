"""jopayctl's output formats, stdout/stderr discipline, exit codes for usage errors and an
unreachable daemon, and how it finds the socket."""
import json
import os
import pty
import re
import subprocess
import unittest

from harness import JOPAYCTL, DaemonTest

ID = re.compile(r"^(plan|cus|sub|pay|evt|key|pm)_[0-9A-Za-z]{24}$")

LISTS = (("plans", "list"), ("customers", "list"), ("subscriptions", "list"),
         ("payments", "list"), ("events", "list"), ("keys", "list"))


def run(args, env=None, cwd=None, stdin=None):
    """jopayctl without the harness's --socket: for socket discovery and usage errors."""
    full_env = dict(os.environ, NO_COLOR="1")
    full_env.pop("JOPAY_SOCKET", None)
    full_env.update(env or {})
    return subprocess.run([JOPAYCTL, *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, input=stdin, timeout=60)


class OutputFormatTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan()
        self.d.plan(name="Yen", amount=1500, currency="jpy")
        self.subs = [self.d.subscribe(self.plan["id"], f"user{i}@example.com") for i in range(3)]
        self.d.ok("keys", "create")
        self.d.ok("keys", "create", "--read-only")

    def test_json_is_an_array_for_lists_and_an_object_for_one(self):
        for noun, verb in LISTS:
            with self.subTest(noun=noun):
                r = self.d.ctl(noun, verb)
                self.assertEqual(r.rc, 0, r)
                self.assertIsInstance(r.json, list, r)
                self.assertTrue(r.json, r)
                for item in r.json:
                    self.assertIsInstance(item, dict)
                    self.assertRegex(item["id"], ID)
        # A one-element list is still an array; an empty one is [].
        one = self.d.ok("subscriptions", "list", "--email", "user0@example.com")
        self.assertEqual([s["id"] for s in one], [self.subs[0]["id"]])
        r = self.d.ctl("subscriptions", "list", "--status", "paused")
        self.assertEqual(r.out.strip(), "[]")
        got = self.d.ok("subscriptions", "get", self.subs[0]["id"])
        self.assertIsInstance(got, dict)
        self.assertEqual(got["id"], self.subs[0]["id"])
        self.assertIsInstance(self.d.ok("status"), dict)

    def test_id_prints_bare_ids_one_a_line(self):
        for noun, verb in LISTS:
            with self.subTest(noun=noun):
                r = self.d.ctl(noun, verb, output="id")
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.err, "")
                self.assertTrue(r.out.endswith("\n"), r)
                lines = r.out.splitlines()
                for line in lines:
                    self.assertRegex(line, ID)  # no quotes, no spaces, nothing else
                self.assertEqual(lines, [o["id"] for o in self.d.ok(noun, verb)])
        r = self.d.ctl("subscriptions", "get", self.subs[1]["id"], output="id")
        self.assertEqual(r.out, self.subs[1]["id"] + "\n")
        r = self.d.ctl("plans", "create", "--name", "New", "--amount", "5", "--currency",
                       "usd", "--interval", "day", output="id")
        self.assertRegex(r.out.rstrip("\n"), ID)
        self.assertEqual(r.out.count("\n"), 1)
        # Reports have no id: nothing.
        self.assertEqual(self.d.ctl("status", output="id").out, "")
        self.assertEqual(self.d.ctl("clock", "show", output="id").out, "")

    def test_id_output_feeds_xargs(self):
        ids = self.d.ok("subscriptions", "list", output="id")
        r = subprocess.run(["xargs", "-n1", JOPAYCTL, "--socket", self.d.socket, "-o", "id",
                            "subscriptions", "cancel"], input=ids, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout, ids)
        self.assertEqual(self.d.ok("status")["subscriptions"]["canceled"], 3)

    def test_ndjson_is_one_object_a_line(self):
        for noun, verb in LISTS:
            with self.subTest(noun=noun):
                r = self.d.ctl(noun, verb, output="ndjson")
                self.assertEqual(r.rc, 0, r)
                lines = r.out.splitlines()
                self.assertTrue(r.out.endswith("\n"))
                objects = [json.loads(line) for line in lines]
                self.assertTrue(all(isinstance(o, dict) for o in objects))
                self.assertEqual(objects, self.d.ok(noun, verb))
                for line in lines:
                    self.assertNotIn("\n", line)
                    self.assertFalse(line.startswith(" "), line)
        r = self.d.ctl("plans", "get", self.plan["id"], output="ndjson")
        self.assertEqual(r.out.count("\n"), 1)
        self.assertEqual(json.loads(r.out), self.plan)
        self.assertEqual(self.d.ctl("subscriptions", "list", "--status", "paused",
                                    output="ndjson").out, "")

    def test_table_has_a_header_row(self):
        headers = {"plans": ["ID", "NAME", "AMOUNT"],
                   "customers": ["ID", "EMAIL"],
                   "subscriptions": ["ID", "STATUS", "EMAIL", "PLAN", "AMOUNT", "PERIOD END"],
                   "payments": ["ID", "STATUS", "AMOUNT"],
                   "events": ["ID", "TYPE"],
                   "keys": ["ID"]}
        for noun, verb in LISTS:
            with self.subTest(noun=noun):
                r = self.d.ctl(noun, verb, output="table")
                self.assertEqual(r.rc, 0, r)
                lines = r.out.splitlines()
                header = lines[0].split()
                for word in headers[noun]:
                    self.assertIn(word.split()[0], header, lines[0])
                self.assertEqual(len(lines), 1 + len(self.d.ok(noun, verb)), r.out)
                self.assertNotIn("\x1b[", r.out)  # not a terminal: no colour
        r = self.d.ctl("subscriptions", "list", output="table")
        self.assertRegex(r.out.splitlines()[0], r"^ID\s+STATUS\s+EMAIL\s+PLAN\s+AMOUNT\s+PERIOD END")
        self.assertIn("14.99 EUR", r.out)
        self.assertIn("1500 JPY", self.d.ctl("plans", "list", output="table").out)
        # An empty list still has its header.
        r = self.d.ctl("subscriptions", "list", "--status", "paused", output="table")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(r.out.splitlines()), 1)
        self.assertTrue(r.out.startswith("ID"), r)

    def test_table_for_one_object_is_field_per_line(self):
        r = self.d.ctl("plans", "get", self.plan["id"], output="table")
        self.assertEqual(r.rc, 0, r)
        rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in r.out.splitlines()
                    if re.search(r"\s{2,}", line))
        self.assertEqual(rows["id"], self.plan["id"])
        self.assertEqual(rows["name"], "Pro Monthly")
        self.assertEqual(rows["amount"], "14.99 EUR")
        # A customer's subscriptions follow as a table.
        r = self.d.ctl("customers", "get", "user0@example.com", output="table")
        self.assertIn("subscriptions:", r.out)
        self.assertIn(self.subs[0]["id"], r.out)

    def test_default_output_is_table(self):
        r = self.d.ctl("plans", "list", output=None)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith("ID"), r)

    def test_colour_only_on_a_terminal_without_no_color(self):
        def on_terminal(no_color):
            master, slave = pty.openpty()
            env = dict(os.environ)
            env.pop("NO_COLOR", None)
            if no_color:
                env["NO_COLOR"] = "1"
            proc = subprocess.run([JOPAYCTL, "--socket", self.d.socket, "subscriptions", "list"],
                                  stdout=slave, stderr=subprocess.PIPE, env=env, timeout=60)
            os.close(slave)
            text = b""
            try:
                while True:
                    chunk = os.read(master, 65536)
                    if not chunk:
                        break
                    text += chunk
            except OSError:
                pass
            os.close(master)
            self.assertEqual(proc.returncode, 0, proc)
            return text.decode()
        self.assertIn("\x1b[", on_terminal(no_color=False))
        plain = on_terminal(no_color=True)
        self.assertNotIn("\x1b[", plain)
        self.assertIn("active", plain)

    def test_pagination_note_goes_to_stderr(self):
        r = self.d.ctl("subscriptions", "list", "--limit", "2", output="id")
        self.assertEqual(len(r.out.splitlines()), 2)
        for line in r.out.splitlines():
            self.assertRegex(line, ID)
        self.assertIn("--starting-after", r.err)

    def test_errors_go_to_stderr_only(self):
        r = self.d.ctl("plans", "get", "plan_doesnotexist000000000000")
        self.assertEqual(r.rc, 4)
        self.assertEqual(r.out, "")
        self.assertRegex(r.err, r"^jopayctl: error: .+\n$")


class UsageErrorTest(DaemonTest):
    def assertUsage(self, r, *parts):
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(r.out, "", r)
        self.assertTrue(r.err.startswith("jopayctl: error: "), r)
        for part in parts:
            self.assertIn(part, r.err, r)

    def test_usage_errors_exit_2(self):
        cases = [
            (("plans", "frobnicate"), "frobnicate"),
            (("plans",), "create"),  # a noun without a verb names the verbs
            (("plans", "create", "--name", "X", "--currency", "eur", "--interval", "month"),
             "--amount"),
            (("subscriptions", "create", "--email", "a@example.com"), "--plan"),
            (("plans", "get"), "ID"),
            (("backup",), "FILE"),
            (("plans", "list", "--colour"), "--colour"),
            (("subscriptions", "list", "--status", "happy"), "happy"),
            (("plans", "list", "--limit", "ten"), "--limit"),
            ((), "command"),
        ]
        for args, part in cases:
            with self.subTest(args=args):
                self.assertUsage(self.d.ctl(*args), part)
        self.assertUsage(self.d.ctl("status", output="xml"), "xml")
        self.assertEqual(self.d.ok("status")["plans"], 0)

    def test_unknown_command_is_named(self):
        self.assertUsage(self.d.ctl("frobnicate"), "frobnicate")

    def test_help_is_not_an_error(self):
        for args in (("--help",), ("plans", "--help"), ("subscriptions", "create", "--help")):
            with self.subTest(args=args):
                r = self.d.ctl(*args, output=None)
                self.assertEqual(r.rc, 0, r)
                self.assertIn("Usage:", r.out)
                self.assertEqual(r.err, "")


class SocketTest(DaemonTest):
    def test_missing_socket_is_exit_8(self):
        missing = os.path.join(self.d.root, "nope", "jopayd.sock")
        for output in ("json", "table"):
            r = run(["--socket", missing, "-o", output, "status"])
            self.assertEqual(r.returncode, 8, r)
            self.assertEqual(r.stdout, "")
            self.assertIn("jopayctl: error:", r.stderr)
            self.assertIn("cannot reach jopayd", r.stderr)
            self.assertIn(missing, r.stderr)
        r = run(["--socket", missing, "plans", "create", "--name", "X", "--amount", "1",
                 "--currency", "eur", "--interval", "day"])
        self.assertEqual(r.returncode, 8, r)

    def test_socket_nobody_listens_on_is_exit_8(self):
        path = os.path.join(self.d.root, "plain-file")
        with open(path, "w"):
            pass
        r = run(["--socket", path, "status"])
        self.assertEqual(r.returncode, 8, r)
        self.assertIn("cannot reach jopayd", r.stderr)

    def test_socket_flag(self):
        r = run(["--socket", self.d.socket, "-o", "json", "status"])
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["socket"], self.d.socket)

    def test_global_options_after_the_command(self):
        r = run(["status", "-o", "json", "--socket", self.d.socket])
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["pid"], self.d.proc.pid)

    def test_environment_variable(self):
        r = run(["-o", "json", "status"], env={"JOPAY_SOCKET": self.d.socket}, cwd="/")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["pid"], self.d.proc.pid)
        # --socket wins over the environment.
        r = run(["--socket", self.d.socket, "-o", "json", "status"],
                env={"JOPAY_SOCKET": "/nonexistent/jopayd.sock"})
        self.assertEqual(r.returncode, 0, r)
        r = run(["--socket", "/nonexistent/jopayd.sock", "status"],
                env={"JOPAY_SOCKET": self.d.socket})
        self.assertEqual(r.returncode, 8, r)

    def test_default_is_var_jopayd_sock_in_the_current_directory(self):
        # The harness's socket is ROOT/var/jopayd.sock: from ROOT the default finds it.
        r = run(["-o", "json", "status"], cwd=self.d.root)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["pid"], self.d.proc.pid)
        r = run(["status"], cwd="/")
        self.assertEqual(r.returncode, 8, r)
        self.assertIn("./var/jopayd.sock", r.stderr)


if __name__ == "__main__":
    unittest.main()
