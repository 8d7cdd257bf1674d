"""jopayd and jopayctl for the crash rounds: one daemon on a data dir that outlives it, started
again and again (manual clock, public face on 127.0.0.1:0), killed with SIGKILL or stopped
with SIGTERM; jopayctl and the admin socket with timeouts everywhere; the database read
read-only with Python's sqlite3."""
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from harness import UnixHTTPConnection, unix as _unix  # noqa: E402  (the e2e tests' own)

JOPAYD = os.environ.get("JOPAYD", os.path.join(REPO, "build", "jopayd"))
JOPAYCTL = os.environ.get("JOPAYCTL", os.path.join(REPO, "build", "jopayctl"))
CLOCK_START = "2025-01-31T10:00:00Z"  # the manual clock's start on a new data dir


class SoakError(Exception):
    """Something the driver could not do (jopayd did not start, a command failed)."""


def unix(ts):
    """RFC 3339 "...Z" -> Unix seconds (None stays None)."""
    return None if ts is None else _unix(ts)


def rfc3339(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_binary(path):
    """"jopayd 0.1.0, built 2026-12-05T08:10:05Z, sha256 7239c26ab0915d8d": which build ran."""
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    return (f"{os.path.basename(path)} {(version.stdout or version.stderr).strip()}, built "
            f"{rfc3339(int(os.stat(path).st_mtime))}, sha256 {h.hexdigest()[:16]}")


def copy_binaries(dest, wait=120):
    """Copies jopayd and jopayctl into dest so that a rebuild in the checkout during the run
    changes nothing under it (the copies keep their build time). Waits up to `wait` s for them
    to appear (a rebuild in progress)."""
    os.makedirs(dest, exist_ok=True)
    out = []
    for src in (JOPAYD, JOPAYCTL):
        deadline = time.time() + wait
        while True:
            try:
                target = os.path.join(dest, os.path.basename(src))
                shutil.copy2(src, target + ".tmp")
                os.replace(target + ".tmp", target)
                subprocess.run([target, "--version"], capture_output=True, timeout=30, check=True)
                out.append(target)
                break
            except (OSError, subprocess.SubprocessError) as e:
                if time.time() > deadline:
                    raise SoakError(f"cannot use {src}: {e}")
                time.sleep(5)
    return out


class Ctl:
    """The result of one jopayctl run."""

    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"jopayctl {' '.join(self.args)} -> rc={self.rc} out={self.out[:300]!r} err={self.err[:300]!r}"


class Jopayd:
    def __init__(self, root, jopayd, jopayctl, clock_start, extra_args=()):
        self.root = root
        self.data_dir = os.path.join(root, "var")
        self.db_path = os.path.join(self.data_dir, "jopay.db")
        self.socket = os.path.join(root, "run", "jopayd.sock")
        self.log_path = os.path.join(root, "jopayd.log")
        self.jopayd, self.jopayctl = jopayd, jopayctl
        self.clock_start = clock_start
        self.extra_args = list(extra_args)
        self.proc = None
        self.public = None  # (host, port) of the public face

    # -- the process ------------------------------------------------------------------------
    def start(self, extra_args=(), timeout=60):
        args = [self.jopayd, "--data-dir", self.data_dir, "--socket", self.socket,
                "--listen", "127.0.0.1:0", "--clock", "manual", "--clock-start", self.clock_start,
                *self.extra_args, *extra_args]
        os.makedirs(self.root, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"---- soak: starting {' '.join(args)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SoakError(f"jopayd exited with {self.proc.returncode} at start; log: {self.log_path}")
            try:
                status, body = self.api("GET", "/v1/status", timeout=5)
                if status == 200:
                    host, port = body["listen"].rsplit(":", 1)
                    self.public = (host, int(port))
                    return body
            except (OSError, http.client.HTTPException, ValueError):
                pass
            time.sleep(0.05)
        raise SoakError(f"jopayd not ready within {timeout}s; log: {self.log_path}")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL; returns the exit status (-9)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=30)

    def term(self, timeout=30):
        """SIGTERM; returns the exit status, or None if jopayd did not stop in time (then it is
        killed)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    # -- talking to it ----------------------------------------------------------------------
    def ctl(self, *args, stdin=None, timeout=120, output="json"):
        cmd = [self.jopayctl, "--socket", self.socket]
        if output:
            cmd += ["-o", output]
        cmd += [str(a) for a in args]
        env = dict(os.environ, NO_COLOR="1")
        env.pop("JOPAY_SOCKET", None)
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return Ctl(list(map(str, args)), None, "", f"timed out after {timeout}s")
        return Ctl(list(map(str, args)), p.returncode, p.stdout, p.stderr)

    def ok(self, *args, **kw):
        r = self.ctl(*args, **kw)
        if r.rc != 0:
            raise SoakError(f"{r}")
        return r.json if kw.get("output", "json") == "json" else r.out

    def api(self, method, path, body=None, timeout=30):
        conn = UnixHTTPConnection(self.socket, timeout)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    def public_call(self, method, path, body=None, key=None, form=None, timeout=30):
        """A request to the public face: JSON (body) or an urlencoded form. Returns (status,
        text, headers)."""
        from urllib.parse import urlencode
        conn = http.client.HTTPConnection(*self.public, timeout=timeout)
        headers = {}
        data = None
        if key:
            headers["Authorization"] = "Bearer " + key
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = urlencode(form)
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode(errors="replace")
            got = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        return resp.status, text, got

    # -- the store, read-only ---------------------------------------------------------------
    def db(self):
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30,
                               isolation_level=None)
        conn.execute("PRAGMA query_only = 1")
        return conn
