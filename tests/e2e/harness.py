"""End-to-end harness: a real jopayd on a temporary socket and port, driven by the real
jopayctl and by a real HTTP client over the Unix socket.

The binaries come from the environment (set by tests/e2e.cmake): JOPAYD, JOPAYCTL.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone

JOPAYD = os.environ.get("JOPAYD", os.path.join(os.path.dirname(__file__), "../../build/jopayd"))
JOPAYCTL = os.environ.get("JOPAYCTL", os.path.join(os.path.dirname(__file__), "../../build/jopayctl"))


GOOD_CARD = "4242424242424242"
FAILING_CARD = "4000000000000341"  # saved fine, every charge fails
# Fields every subscription event's data carries (the documented payload plus sequence).
EVENT_DATA_KEYS = {"id", "status", "plan_name", "plan_interval", "amount_cents", "currency",
                   "customer_email", "current_period_start", "current_period_end", "metadata",
                   "sequence"}
# A renew / clock summary with nothing done; counts() picks these keys out of a summary.
ZERO = {"renewed": 0, "failed": 0, "retried": 0, "expired": 0, "reminders": 0, "charged": {}}


def unix(ts):
    """RFC 3339 "...Z" -> Unix seconds."""
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def counts(summary):
    return {k: summary[k] for k in ZERO}


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class CtlResult:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"CtlResult(rc={self.rc}, out={self.out[:500]!r}, err={self.err[:500]!r})"


class Daemon:
    """One jopayd in its own temporary data dir. clock='manual' starts the simulated clock at
    clock_start."""

    def __init__(self, clock="manual", clock_start="2025-01-31T10:00:00Z", extra_args=(),
                 data_dir=None, env=None):
        self.root = data_dir or tempfile.mkdtemp(prefix="jopay-e2e-")
        self.data_dir = os.path.join(self.root, "var")
        self.socket = os.path.join(self.data_dir, "jopayd.sock")
        self.log_path = os.path.join(self.root, "jopayd.log")
        self.clock = clock
        self.clock_start = clock_start
        self.extra_args = list(extra_args)
        self.env = dict(env or {})  # e.g. JOPAY_STRIPE_TEST_SECRET_KEY
        self.proc = None

    def args(self):
        a = [JOPAYD, "--data-dir", self.data_dir, "--listen", "127.0.0.1:0", "--clock", self.clock]
        if self.clock == "manual" and self.clock_start:
            a += ["--clock-start", self.clock_start]
        return a + self.extra_args

    def start(self, wait=True):
        with open(self.log_path, "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(self.args(), stdout=log, stderr=log,
                                         env=dict(os.environ, **self.env))
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jopayd exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, _ = self.api("GET", "/v1/status")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"jopayd not ready after {timeout}s:\n{self.log()}")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops jopayd; returns its exit code. SIGKILL for a crash."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"jopayd did not stop within {timeout}s after {sig}:\n{self.log()}")

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.keep_sanitizer_report()
        shutil.rmtree(self.root, ignore_errors=True)

    def keep_sanitizer_report(self):
        """Under scripts/test --sanitize: UBSan writes to stderr (GCC's ignores log_path next
        to ASan), i.e. into this log, which is about to go: keep it where the run looks."""
        reports = os.environ.get("JOPAY_SANITIZER_REPORTS")
        if not reports or not os.path.exists(self.log_path):
            return
        text = self.log()
        if "runtime error:" in text or "Sanitizer" in text:
            name = os.path.basename(self.root) + ".jopayd.log"
            with open(os.path.join(reports, name), "w") as f:
                f.write(text)

    def ctl(self, *args, output="json", live=False, stdin=None, env=None):
        """Runs jopayctl against this daemon; returns CtlResult (rc, out, err, .json)."""
        cmd = [JOPAYCTL, "--socket", self.socket]
        if output:
            cmd += ["-o", output]
        if live:
            cmd += ["--live"]
        cmd += [str(a) for a in args]
        full_env = dict(os.environ, NO_COLOR="1")
        full_env.pop("JOPAY_SOCKET", None)
        if env:
            full_env.update(env)
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=full_env,
                              timeout=300)
        return CtlResult(proc)

    def ok(self, *args, **kw):
        """jopayctl that must succeed; returns parsed JSON (or raw text for output=None/table)."""
        r = self.ctl(*args, **kw)
        if r.rc != 0:
            raise AssertionError(f"jopayctl {' '.join(map(str, args))} failed: {r}")
        return r.json if kw.get("output", "json") == "json" else r.out

    def api(self, method, path, body=None, live=False, raw=None, headers=None):
        """A raw HTTP request on the admin socket; returns (status, parsed JSON or text)."""
        conn = UnixHTTPConnection(self.socket)
        h = {"Content-Type": "application/json"}
        if live:
            h["JoPay-Mode"] = "live"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    # Convenience for common set-up.
    def plan(self, name="Pro Monthly", amount=1499, currency="eur", interval="month", **extra):
        args = ["plans", "create", "--name", name, "--amount", amount, "--currency", currency,
                "--interval", interval]
        for k, v in extra.items():
            args += ["--" + k.replace("_", "-"), v]
        return self.ok(*args)

    def subscribe(self, plan_id, email, card="4242424242424242", *more):
        args = ["subscriptions", "create", "--plan", plan_id, "--email", email]
        if card:
            args += ["--card", card]
        return self.ok(*args, *more)

    def advance(self, by):
        return self.ok("clock", "advance", by)

    def events(self, object_id=None, type=None):
        args = ["events", "list", "--limit", "1000"]
        if object_id:
            args += ["--object", object_id]
        if type:
            args += ["--type", type]
        return list(reversed(self.ok(*args)))  # oldest first

    def payments(self, sub_id):
        return list(reversed(self.ok("payments", "list", "--subscription", sub_id, "--limit", "1000")))


class DaemonTest(unittest.TestCase):
    """A TestCase with a fresh manual-clock daemon per test (self.d)."""

    clock = "manual"
    clock_start = "2025-01-31T10:00:00Z"
    daemon_args = ()
    daemon_env = {}

    def setUp(self):
        self.d = Daemon(clock=self.clock, clock_start=self.clock_start,
                        extra_args=self.daemon_args, env=self.daemon_env).start()
        self.addCleanup(self.d.cleanup)

    def assertFails(self, result, exit_code, message_part=None):
        self.assertEqual(result.rc, exit_code, result)
        if message_part:
            self.assertIn(message_part, result.err, result)


# A live-mode card provider that is never called: tests of test/live separation create live
# checkouts, which jopayd refuses in a mode with no provider at all.
LIVE_CARDS_ARGS = ("--stripe-api-base", "http://127.0.0.1:9")
LIVE_CARDS_ENV = {"JOPAY_STRIPE_LIVE_SECRET_KEY": "sk_live_never_called"}
