"""jopayd as a process: one per data dir, clean shutdown, crash recovery, status, backup, the
clock modes, its config file and flags."""
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from harness import JOPAYCTL, JOPAYD, Daemon, DaemonTest

TABLES = ("plans", "customers", "payment_methods", "subscriptions", "payments", "events",
          "api_keys")


def row_counts(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        db.close()


class DaemonProcessTest(unittest.TestCase):
    def daemon(self, **kw):
        d = Daemon(**kw)
        self.addCleanup(d.cleanup)
        return d

    def term(self, d, timeout=10):
        """SIGTERM; returns the exit code, or None (after a SIGKILL) if jopayd hung."""
        d.proc.send_signal(signal.SIGTERM)
        try:
            return d.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            d.proc.kill()
            d.proc.wait()
            return None

    def some_data(self, d):
        plan = d.plan()
        subs = [d.subscribe(plan["id"], f"user{i}@example.com") for i in range(3)]
        d.ok("subscriptions", "create", "--plan", plan["id"], "--email", "trial@example.com",
             "--trial-days", "14")
        d.ok("keys", "create")
        return plan, subs


class SingleInstanceTest(DaemonProcessTest):
    def test_second_daemon_on_the_same_data_dir_refuses_to_start(self):
        d = self.daemon().start()
        plan = d.plan()
        for extra in ([], ["--socket", os.path.join(d.root, "other.sock")]):
            with self.subTest(extra=extra):
                r = subprocess.run(d.args() + extra, capture_output=True, text=True, timeout=30)
                self.assertNotEqual(r.returncode, 0, r)
                message = r.stdout + r.stderr
                self.assertIn("already running", message, r)
                self.assertIn(str(d.proc.pid), message, r)
                self.assertIn(d.data_dir, message, r)
        self.assertFalse(os.path.exists(os.path.join(d.root, "other.sock")))
        # The first one is untouched and still serves on its socket.
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.ok("status")["pid"], d.proc.pid)
        self.assertEqual(d.ok("plans", "get", plan["id"]), plan)
        d.plan(name="Another")
        self.assertEqual(len(d.ok("plans", "list")), 2)


class ShutdownTest(DaemonProcessTest):
    def test_sigterm_exits_0_and_removes_the_socket(self):
        d = self.daemon().start()
        d.ok("status")
        rc = self.term(d)
        self.assertEqual(rc, 0, f"jopayd did not exit 0 on SIGTERM (None = hung):\n{d.log()}")
        self.assertFalse(os.path.exists(d.socket), "socket left behind")
        self.assertIn("stopped", d.log())
        # The lock is released: a new jopayd starts on the same data dir.
        d.start()
        self.assertEqual(d.ok("status")["pid"], d.proc.pid)

    def test_sigterm_always_stops_promptly(self):
        # Repeated start / a few requests / SIGTERM: every stop must finish, not hang. (The hang
        # is a race, so one stop proves little; 25 usually show it within a few seconds.)
        d = self.daemon()
        for attempt in range(25):
            d.start()
            if attempt % 2:
                d.ok("status")
                d.ok("plans", "list")
            t0 = time.monotonic()
            rc = self.term(d, timeout=5)
            self.assertEqual(rc, 0, f"attempt {attempt}: SIGTERM did not stop jopayd within 5 s "
                                    f"(None = hung, killed):\n{d.log()}")
            self.assertLess(time.monotonic() - t0, 5)
            self.assertFalse(os.path.exists(d.socket))

    def test_sigint_also_stops_cleanly(self):
        d = self.daemon().start()
        d.proc.send_signal(signal.SIGINT)
        self.assertEqual(d.proc.wait(timeout=10), 0, d.log())
        self.assertFalse(os.path.exists(d.socket))

    def test_stale_socket_after_sigkill_is_replaced(self):
        d = self.daemon().start()
        plan, subs = self.some_data(d)
        d.advance("3d")
        old_pid = d.proc.pid
        self.assertEqual(d.stop(signal.SIGKILL), -signal.SIGKILL)
        self.assertTrue(os.path.exists(d.socket), "expected the crash to leave the socket")
        # Nothing answers on it now: jopayctl says so with exit 8.
        r = d.ctl("status")
        self.assertEqual(r.rc, 8, r)
        d.start()
        self.assertNotEqual(d.proc.pid, old_pid)
        status = d.ok("status")
        self.assertEqual(status["pid"], d.proc.pid)
        self.assertEqual(status["clock"]["now"], "2025-02-03T10:00:00Z")
        self.assertEqual(d.ok("plans", "get", plan["id"]), plan)
        self.assertEqual(status["subscriptions"]["active"], 3)
        self.assertEqual(status["subscriptions"]["trialing"], 1)
        # And it works as before.
        fired = d.advance("25d")["fired"]
        self.assertEqual(fired["renewed"], 3, fired)

    def test_a_socket_path_held_by_a_regular_file_is_not_deleted(self):
        d = self.daemon()
        os.makedirs(d.data_dir)
        with open(d.socket, "w") as f:
            f.write("precious")
        d.start(wait=False)
        self.assertNotEqual(d.proc.wait(timeout=15), 0)
        with open(d.socket) as f:
            self.assertEqual(f.read(), "precious")


class StatusTest(DaemonTest):
    def test_threads_are_named(self):
        tasks = f"/proc/{self.d.proc.pid}/task"
        names = set()
        for tid in os.listdir(tasks):
            with open(f"{tasks}/{tid}/comm") as f:
                names.add(f.read().strip())
        for name in ("store-writer", "checkpoint", "scheduler", "hooks-dispatch", "io"):
            self.assertIn(name, names)

    def test_files_are_kept_from_other_users(self):
        # jopayd sets umask 027 whatever it was started with (jopayd(8), FILES).
        self.d.ok("keys", "create")
        mode = lambda name: stat.S_IMODE(os.stat(os.path.join(self.d.data_dir, name)).st_mode)
        self.assertEqual(mode("."), 0o750)
        for name in ("jopay.db", "jopay.db-wal"):
            self.assertEqual(mode(name), 0o640, name)
        self.assertEqual(mode("jopayd.sock"), 0o660)
        path = os.path.join(self.d.root, "copy.db")
        self.d.ok("backup", path)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o640)

    def test_status_fields(self):
        status = self.d.ok("status")
        version = subprocess.run([JOPAYD, "--version"], capture_output=True, text=True).stdout
        self.assertEqual(status["version"], version.strip())
        self.assertRegex(status["version"], r"^\d+\.\d+\.\d+")
        self.assertEqual(status["pid"], self.d.proc.pid)
        self.assertIsInstance(status["uptime_seconds"], int)
        self.assertGreaterEqual(status["uptime_seconds"], 0)
        self.assertLess(status["uptime_seconds"], 60)
        self.assertRegex(status["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(status["clock"], {"mode": "manual", "now": "2025-01-31T10:00:00Z"})
        self.assertEqual(os.path.realpath(status["data_dir"]), os.path.realpath(self.d.data_dir))
        self.assertEqual(status["socket"], self.d.socket)
        self.assertIn("listen", status)
        self.assertEqual(status["subscriptions"],
                         {s: 0 for s in ("incomplete", "trialing", "active", "past_due",
                                         "canceled", "paused", "expired")})
        self.assertEqual(status["customers"], 0)
        self.assertEqual(status["plans"], 0)
        self.assertIsNone(status["next_action"])

    def test_uptime_counts_wall_time_not_the_manual_clock(self):
        time.sleep(1.2)
        self.d.advance("30d")
        uptime = self.d.ok("status")["uptime_seconds"]
        self.assertGreaterEqual(uptime, 1)
        self.assertLess(uptime, 60)

    def test_counts_by_status_and_next_action(self):
        plan = self.d.plan()
        a = self.d.subscribe(plan["id"], "a@example.com")
        self.d.subscribe(plan["id"], "b@example.com")
        c = self.d.subscribe(plan["id"], "c@example.com")
        p = self.d.subscribe(plan["id"], "p@example.com")
        trial = self.d.ok("subscriptions", "create", "--plan", plan["id"], "--email",
                          "t@example.com", "--trial-days", "10")
        # A card that attaches but whose charges fail: past_due when the trial ends.
        dunning = self.d.ok("subscriptions", "create", "--plan", plan["id"], "--email",
                            "d@example.com", "--trial-days", "20", "--card", "4000000000000341")
        self.d.ok("subscriptions", "cancel", c["id"])
        self.d.ok("subscriptions", "cancel", a["id"], "--immediate")
        self.d.ok("subscriptions", "pause", p["id"])
        status = self.d.ok("status")
        self.assertEqual(status["subscriptions"],
                         {"incomplete": 0, "trialing": 2, "active": 1, "past_due": 0,
                          "canceled": 1, "paused": 1, "expired": 1})
        self.assertEqual(status["customers"], 6)
        self.assertEqual(status["plans"], 1)
        # The earliest future work: the trial's reminder 3 days before its end (Feb 7).
        self.assertEqual(status["next_action"], {"at": "2025-02-07T10:00:00Z",
                                                 "action": "trial_reminder",
                                                 "subscription_id": trial["id"]})
        self.d.ok("clock", "set", "2025-02-20T10:00:00Z")
        status = self.d.ok("status")
        self.assertEqual(self.d.ok("subscriptions", "get", dunning["id"])["status"], "past_due")
        self.assertGreaterEqual(status["subscriptions"]["past_due"], 1)
        counted = {}
        for sub in self.d.ok("subscriptions", "list", "--limit", "1000"):
            counted[sub["status"]] = counted.get(sub["status"], 0) + 1
        self.assertEqual({k: v for k, v in status["subscriptions"].items() if v}, counted)
        # next_action is the subscription whose next_action_at is earliest.
        due = sorted((s["next_action_at"], s["id"], s["next_action"])
                     for s in self.d.ok("subscriptions", "list", "--limit", "1000")
                     if s["next_action_at"])
        at, sub_id, action = due[0]
        self.assertEqual(status["next_action"], {"at": at, "action": action,
                                                 "subscription_id": sub_id})

    def test_table_status_is_a_readable_report(self):
        r = self.d.ctl("status", output="table")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("manual", r.out)
        self.assertIn("2025-01-31T10:00:00Z", r.out)
        self.assertIn(str(self.d.proc.pid), r.out)


class BackupTest(DaemonTest):
    def test_backup_while_running_is_a_complete_sqlite_copy(self):
        plan = self.d.plan()
        for i in range(5):
            self.d.subscribe(plan["id"], f"u{i}@example.com")
        self.d.advance("1mo")
        self.d.ok("keys", "create")
        path = os.path.join(self.d.root, "backups", "copy.db")
        os.makedirs(os.path.dirname(path))
        answer = self.d.ok("backup", path)
        self.assertEqual(answer["path"], path)
        self.assertEqual(answer["bytes"], os.path.getsize(path))
        self.assertFalse(os.path.exists(path + ".tmp"))

        live = row_counts(os.path.join(self.d.data_dir, "jopay.db"))
        copy = row_counts(path)
        self.assertEqual(copy, live)
        self.assertEqual(copy["subscriptions"], 5)
        self.assertEqual(copy["payments"], 10)
        db = sqlite3.connect(path)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0],
                             sqlite3.connect(f"file:{self.d.data_dir}/jopay.db?mode=ro",
                                             uri=True).execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
        # The daemon carries on.
        self.d.subscribe(plan["id"], "after@example.com")
        self.assertEqual(row_counts(path)["subscriptions"], 5)

    def test_relative_backup_path_is_relative_to_jopayctls_directory(self):
        self.d.plan()
        workdir = os.path.join(self.d.root, "work")
        os.makedirs(workdir)
        r = subprocess.run([JOPAYCTL, "--socket", self.d.socket, "-o", "json", "backup",
                            "copy.db"], capture_output=True, text=True, cwd=workdir, timeout=60)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(os.path.realpath(json.loads(r.stdout)["path"]),
                         os.path.realpath(os.path.join(workdir, "copy.db")))
        self.assertEqual(row_counts(os.path.join(workdir, "copy.db"))["plans"], 1)

    def test_backup_during_writes_is_consistent(self):
        plan = self.d.plan()
        errors = []

        def writer():
            try:
                for i in range(40):
                    status, body = self.d.api("POST", "/v1/subscriptions",
                                              {"plan": plan["id"], "email": f"w{i}@example.com",
                                               "card": "4242424242424242"})
                    if status != 201:
                        errors.append(body)
            except Exception as e:  # reported below
                errors.append(repr(e))

        thread = threading.Thread(target=writer)
        thread.start()
        paths = []
        for n in range(3):
            path = os.path.join(self.d.root, f"during{n}.db")
            self.d.ok("backup", path)
            paths.append(path)
        thread.join()
        self.assertEqual(errors, [])
        for path in paths:
            db = sqlite3.connect(path)
            try:
                self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
                subs = db.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
                # One snapshot: each subscription came with its customer, payment, invoice and
                # events (subscription.created, invoice.created, invoice.paid).
                self.assertEqual(db.execute("SELECT count(*) FROM customers").fetchone()[0], subs)
                self.assertEqual(db.execute("SELECT count(*) FROM payments").fetchone()[0], subs)
                self.assertEqual(db.execute("SELECT count(*) FROM invoices").fetchone()[0], subs)
                self.assertEqual(db.execute("SELECT count(*) FROM events").fetchone()[0], 3 * subs)
            finally:
                db.close()

    def test_backup_to_an_unwritable_path_fails_and_writes_nothing(self):
        self.d.plan()
        for path in ("/nonexistent-dir/sub/copy.db", "/proc/jopay-copy.db",
                     self.d.root):  # a directory
            with self.subTest(path=path):
                r = self.d.ctl("backup", path)
                self.assertEqual(r.rc, 5, r)
                self.assertEqual(r.out, "", r)
                self.assertIn("jopayctl: error:", r.err)
                self.assertIn(path, r.err)
        self.assertFalse(os.path.exists("/nonexistent-dir"))
        self.assertEqual(self.d.ok("status")["plans"], 1)

    def test_backup_onto_the_stores_own_wal_file_loses_no_data(self):
        # An operator's slip: FILE is the live store's write-ahead log. It must be refused (or
        # at least not destroy the store).
        plan = self.d.plan(name="Before")
        r = self.d.ctl("backup", os.path.join(self.d.data_dir, "jopay.db-wal"))
        self.d.plan(name="After")
        self.d.stop(signal.SIGKILL)
        self.d.start()
        names = sorted(p["name"] for p in self.d.ok("plans", "list"))
        self.assertEqual(names, ["After", "Before"],
                         f"plans lost after `jopayctl backup DATA_DIR/jopay.db-wal` ({r}) and a "
                         "crash restart")
        self.assertEqual(r.rc, 5, f"backup onto the live WAL must be refused: {r}")
        self.assertEqual(self.d.ok("plans", "get", plan["id"])["name"], "Before")


class ManualClockTest(DaemonTest):
    def test_clock_cannot_go_back(self):
        self.d.advance("1d")
        for args in (("clock", "set", "2025-01-31T10:00:00Z"), ("clock", "set", "2024-12-31")):
            with self.subTest(args=args):
                r = self.d.ctl(*args)
                self.assertEqual(r.rc, 5, r)
                self.assertIn("cannot go back", r.err)
        r = self.d.ctl("clock", "advance", "-1d")
        self.assertEqual(r.rc, 2, r)
        self.assertEqual(self.d.ok("clock", "show")["now"], "2025-02-01T10:00:00Z")
        # Setting the current time again is not going back.
        self.assertEqual(self.d.ok("clock", "set", "2025-02-01T10:00:00Z")["now"],
                         "2025-02-01T10:00:00Z")

    def test_bad_clock_arguments_are_usage_errors(self):
        for args in (("clock", "set", "tomorrow"), ("clock", "advance", "4x"),
                     ("clock", "advance", "0d"), ("clock", "advance")):
            with self.subTest(args=args):
                self.assertEqual(self.d.ctl(*args).rc, 2)
        self.assertEqual(self.d.ok("clock", "show")["now"], "2025-01-31T10:00:00Z")

    def test_advance_units(self):
        self.assertEqual(self.d.advance("45m")["now"], "2025-01-31T10:45:00Z")
        self.assertEqual(self.d.advance("1d12h")["now"], "2025-02-01T22:45:00Z")
        self.assertEqual(self.d.advance("1mo")["now"], "2025-03-01T22:45:00Z")
        self.assertEqual(self.d.advance("1y")["now"], "2026-03-01T22:45:00Z")

    def test_manual_clock_survives_a_restart(self):
        plan = self.d.plan()
        sub = self.d.subscribe(plan["id"], "a@example.com")
        self.d.advance("40d")
        now = self.d.ok("clock", "show")["now"]
        self.assertEqual(now, "2025-03-12T10:00:00Z")
        self.d.proc.send_signal(signal.SIGTERM)
        try:
            self.d.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # the shutdown hang has its own test
            self.d.proc.kill()
            self.d.proc.wait()
        # Restarted with the same --clock-start: the saved time wins.
        self.d.start()
        self.assertEqual(self.d.ok("clock", "show"), {"mode": "manual", "now": now})
        self.assertEqual(self.d.ok("status")["clock"]["now"], now)
        # Nothing fires twice: the renewal of Feb 28 is not charged again.
        self.assertEqual(self.d.ok("renew")["renewed"], 0)
        self.assertEqual(len(self.d.payments(sub["id"])), 2)


class SystemClockTest(DaemonTest):
    clock = "system"

    def test_clock_cannot_be_moved(self):
        shown = self.d.ok("clock", "show")
        self.assertEqual(shown["mode"], "system")
        for args in (("clock", "advance", "1d"), ("clock", "set", "2035-01-01T00:00:00Z")):
            with self.subTest(args=args):
                r = self.d.ctl(*args)
                self.assertEqual(r.rc, 5, r)
                self.assertEqual(r.out, "", r)
                self.assertIn("jopayctl: error:", r.err)
                self.assertIn("--clock manual", r.err)
        now = self.d.ok("clock", "show")["now"]
        self.assertTrue(now.startswith(time.strftime("%Y-", time.gmtime())), now)
        status, body = self.d.api("POST", "/v1/clock/advance", {"by": "1d"})
        self.assertEqual(status, 409, body)

    def test_status_shows_the_system_clock(self):
        status = self.d.ok("status")
        self.assertEqual(status["clock"]["mode"], "system")
        t = time.strptime(status["clock"]["now"], "%Y-%m-%dT%H:%M:%SZ")
        self.assertLess(abs(time.mktime(t) - time.mktime(time.gmtime())), 120)


class ConfigDaemon(Daemon):
    """A jopayd whose settings come from a TOML file (plus any extra flags)."""

    def __init__(self, toml, flags=()):
        super().__init__()
        os.makedirs(self.root, exist_ok=True)
        self.socket = os.path.join(self.root, "custom.sock")
        self.config = os.path.join(self.root, "jopayd.toml")
        with open(self.config, "w") as f:
            f.write(toml.format(data_dir=self.data_dir, socket=self.socket))
        self.flags = list(flags)

    def args(self):
        return [JOPAYD, "--config", self.config] + self.flags


class ConfigTest(DaemonProcessTest):
    TOML = ('# jopayd settings\n'
            'data-dir = "{data_dir}"\n'
            'socket = "{socket}"\n'
            'listen = "127.0.0.1:0"\n'
            'clock = "manual"\n'
            'clock-start = "2030-05-05T05:05:05Z"\n'
            'retry-schedule = "2d,4d"\n')

    def config_daemon(self, toml, flags=()):
        d = ConfigDaemon(toml, flags)
        self.addCleanup(d.cleanup)
        return d

    def test_config_file_is_honoured(self):
        d = self.config_daemon(self.TOML).start()
        status = d.ok("status")
        self.assertEqual(status["clock"], {"mode": "manual", "now": "2030-05-05T05:05:05Z"})
        self.assertEqual(os.path.realpath(status["data_dir"]), os.path.realpath(d.data_dir))
        self.assertEqual(status["socket"], d.socket)
        self.assertTrue(os.path.exists(os.path.join(d.data_dir, "jopay.db")))
        # retry-schedule: the first retry after a failure comes 2 days later.
        plan = d.plan()
        sub = d.ok("subscriptions", "create", "--plan", plan["id"], "--email",
                   "dunning@example.com", "--trial-days", "3", "--card", "4000000000000341")
        d.advance("3d")
        got = d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(got["status"], "past_due")
        self.assertEqual(got["next_action"], "retry")
        self.assertEqual(got["next_action_at"], "2030-05-10T05:05:05Z")

    def test_flags_override_the_config_file(self):
        d = self.config_daemon(self.TOML, ["--clock-start", "2031-01-01T00:00:00Z"]).start()
        self.assertEqual(d.ok("clock", "show")["now"], "2031-01-01T00:00:00Z")

    def test_bad_config_value_refuses_to_start(self):
        d = self.config_daemon(self.TOML.replace('"manual"', '"sundial"'))
        r = subprocess.run(d.args(), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("sundial", r.stderr)
        self.assertFalse(os.path.exists(d.socket))

    def test_bad_merchant_settings_refuse_to_start(self):
        for flags, says in ((["--merchant-logo-url", "ftp://x.example/logo.png"], "merchant-logo-url"),
                            (["--merchant-logo-url", "/logo.png"], "merchant-logo-url"),
                            (["--merchant-support-email", "not an email"], "merchant-support-email"),
                            (["--merchant-name", "x" * 101], "merchant-name"),
                            (["--merchant-name", "Bad\x01Name"], "merchant-name")):
            d = self.config_daemon(self.TOML, flags)
            r = subprocess.run(d.args(), capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 2, (flags, r))
            self.assertIn(says, r.stderr, flags)
            self.assertFalse(os.path.exists(d.socket))

    def test_missing_config_file_refuses_to_start(self):
        r = subprocess.run([JOPAYD, "--config", "/nonexistent/jopayd.toml"], capture_output=True,
                           text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("/nonexistent/jopayd.toml", r.stderr)


class ListenDaemon(Daemon):
    """A Daemon whose --listen and --socket the test picks."""

    def __init__(self, listen, socket_path=None, **kw):
        super().__init__(**kw)
        self.listen = listen
        if socket_path:
            self.socket = socket_path

    def args(self):
        a = super().args()
        a[a.index("--listen") + 1] = self.listen
        return a + ["--socket", self.socket]


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class ListenAndSocketTest(DaemonProcessTest):
    def start(self, d):
        self.addCleanup(d.cleanup)
        return d.start()

    @unittest.skipUnless(ipv6_loopback_available(), "no IPv6 loopback on this machine")
    def test_ipv6_listen_address_in_brackets(self):
        d = self.start(ListenDaemon("[::1]:0"))
        listen = d.ok("status")["listen"]
        self.assertTrue(listen.startswith("[::1]:"), listen)
        port = int(listen.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("::1", port, timeout=10)
        conn.request("GET", "/healthz")
        self.assertEqual(conn.getresponse().status, 200)

    def test_socket_directory_is_created(self):
        root = tempfile.mkdtemp(prefix="jopay-sock-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        path = os.path.join(root, "run", "jopay", "jopayd.sock")
        d = self.start(ListenDaemon("127.0.0.1:0", socket_path=path))
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.assertEqual(d.ok("status")["socket"], path)

    def test_debug_log_level_logs_each_request(self):
        d = self.start(ListenDaemon("127.0.0.1:0", extra_args=["--log-level", "debug"]))
        d.ok("status")
        self.assertRegex(d.log(), r"http: GET /v1/status -> 200 in \d+ us")

    def test_info_log_level_does_not(self):
        d = self.start(ListenDaemon("127.0.0.1:0"))
        d.ok("status")
        self.assertNotIn("http: GET /v1/status", d.log())


class FlagsTest(unittest.TestCase):
    def run_jopayd(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([JOPAYD, "--data-dir", os.path.join(tmp, "var"), *args],
                               capture_output=True, text=True, timeout=15, cwd=tmp)
            self.assertFalse(os.path.exists(os.path.join(tmp, "var", "jopayd.sock")))
            return r

    def test_unknown_flag_exits_non_zero(self):
        r = self.run_jopayd("--bogus-flag")
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("--bogus-flag", r.stderr)

    def test_bad_flag_values_exit_non_zero(self):
        for args in (("--clock", "sundial"), ("--clock-start", "yesterday"),
                     ("--listen", "nohostport"), ("--listen", "[::1]"), ("--listen", "::1:80"),
                     ("--listen", "host:99999"), ("--listen", "user@host:80"),
                     ("--listen", "host:"), ("--retry-schedule", "3d,1d"),
                     ("--log-level", "loud")):
            with self.subTest(args=args):
                listen = () if args[0] == "--listen" else ("--listen", "127.0.0.1:0")
                r = self.run_jopayd(*listen, *args)
                self.assertNotEqual(r.returncode, 0, r)
                self.assertTrue(r.stderr.strip(), r)

    def test_help_and_version(self):
        r = subprocess.run([JOPAYD, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        for flag in ("--config", "--data-dir", "--socket", "--listen", "--clock"):
            self.assertIn(flag, r.stdout)
        r = subprocess.run([JOPAYD, "--version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r)
        r2 = subprocess.run([JOPAYCTL, "--version"], capture_output=True, text=True, timeout=30)
        self.assertIn(r.stdout.strip(), r2.stdout)


if __name__ == "__main__":
    unittest.main()
