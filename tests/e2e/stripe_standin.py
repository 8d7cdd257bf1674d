"""The Stripe stand-in for the e2e tests: starts tests/stripe/standin.js (Node) on a free port
and wraps its /_standin control routes (see tests/stripe/standin.js for what it models).

    with StripeStandin(secret_key="sk_test_x", webhook_url=url, webhook_secret="whsec_x") as s:
        s.base_url                      # http://127.0.0.1:PORT, jopayd's Stripe base URL
        s.complete_checkout(cs_id)      # the customer pays on the hosted page
        s.stats()["payment_intents_created"]
"""
import fcntl
import json
import os
import subprocess
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

STANDIN_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stripe"))
NODE = os.environ.get("NODE", "node")
GOOD_CARD = "4242424242424242"


TESTS_DIR = os.path.dirname(STANDIN_DIR)


def ensure_installed():
    """Installs the tests' Node packages (the official `stripe` package among them) from
    tests/package-lock.json, once; scripts/setup normally has done it already."""
    marker = os.path.join(TESTS_DIR, "node_modules", "stripe", "package.json")
    if os.path.exists(marker):
        return
    with open(os.path.join(tempfile.gettempdir(), "jopay-tests-npm.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test processes install once
        if not os.path.exists(marker):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TESTS_DIR, check=True,
                           stdout=subprocess.DEVNULL, timeout=300)


def form_encode(params, prefix=None):
    """{"metadata": {"k": "v"}, "expand": ["a"]} -> "metadata[k]=v&expand[0]=a" (Stripe's form style)."""
    pairs = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for k, v in items:
        key = f"{prefix}[{k}]" if prefix else str(k)
        if isinstance(v, (dict, list, tuple)):
            pairs.append(form_encode(v, key))
        else:
            value = ("true" if v else "false") if isinstance(v, bool) else str(v)
            pairs.append(urllib.parse.urlencode({key: value}))
    return "&".join(p for p in pairs if p)


class StripeStandin:
    def __init__(self, secret_key="sk_test_standin", webhook_url=None, webhook_secret=None,
                 latency_ms=0, rate_limit=None, extra_args=()):
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.base_url = None
        self._log = None

    def start(self, timeout=15):
        ensure_installed()
        args = [NODE, os.path.join(STANDIN_DIR, "standin.js"), "--port", "0", "--host", "127.0.0.1",
                "--secret-key", self.secret_key, "--latency-ms", str(self.latency_ms)]
        if self.webhook_url:
            args += ["--webhook-url", self.webhook_url]
        if self.webhook_secret:
            args += ["--webhook-secret", self.webhook_secret]
        if self.rate_limit:
            args += ["--rate-limit", str(self.rate_limit)]
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args + self.extra_args, stdout=subprocess.PIPE, stderr=self._log)
        first = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not first or not first[0]:
            self.stop()
            raise RuntimeError(f"stripe stand-in did not start:\n{self.log()}")
        self.port = json.loads(first[0])["port"]
        self.base_url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log(self):
        if not self._log:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    # ---- HTTP ----

    def _request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, body, hdrs = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as e:
            status, body, hdrs = e.code, e.read(), dict(e.headers)
        try:
            return status, json.loads(body), hdrs
        except ValueError:
            return status, body.decode(errors="replace"), hdrs

    def control(self, method, path, body=None):
        """A /_standin route: (status, JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        status, out, _ = self._request(method, "/_standin/" + path, data,
                                       {"Content-Type": "application/json"})
        return status, out

    def _ok(self, method, path, body=None):
        status, out = self.control(method, path, body)
        if status >= 400:
            raise AssertionError(f"{method} /_standin/{path} -> {status}: {out}")
        return out

    def api(self, method, path, params=None, idempotency_key=None, headers=None):
        """A Stripe API call as jopayd makes it: (status, JSON, headers)."""
        h = {"Authorization": f"Bearer {self.secret_key}", **(headers or {})}
        if idempotency_key:
            h["Idempotency-Key"] = idempotency_key
        encoded = form_encode(params or {})
        if method == "GET":
            return self._request(method, path + ("?" + encoded if encoded else ""), None, h)
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self._request(method, path, encoded.encode(), h)

    # ---- control routes ----

    def complete_checkout(self, cs_id, card=GOOD_CARD, **extra):
        """The customer submits `card` on the session's hosted page. Returns {"redirect", "session"},
        or {"error": {code, decline_code, message}, "session"} for a refused card."""
        return self.control("POST", f"checkout/{cs_id}/complete", {"card": card, **extra})[1]

    def authenticate(self, pi_id, succeed=True):
        """The customer completes (or fails) the 3D Secure challenge: {"redirect", "status", "payment_intent"}."""
        return self._ok("POST", f"authenticate/{pi_id}", {"action": "complete" if succeed else "fail"})

    def faults(self, **faults):
        """latency_ms, fail_next={"count", "status", "replay"}, close_after_charge_next,
        rate_limit_per_s, status_429_next, search_lag_ms."""
        return self._ok("POST", "faults", faults) if faults else self._ok("GET", "faults")

    def stats(self):
        return self._ok("GET", "stats")

    def reset(self):
        """Clears faults, counters and webhook settings back to the startup ones; objects stay."""
        return self._ok("POST", "reset", {})

    def webhooks(self, **settings):
        """enabled, delay_ms, max_attempts, retry_base_ms, enabled_events, url, secret; the current
        settings, counts and recent deliveries."""
        return self._ok("POST", "webhooks", settings) if settings else self._ok("GET", "webhooks")

    def events(self, type=None):
        return self._ok("GET", "events" + (f"?type={urllib.parse.quote(type)}" if type else ""))["data"]

    def dispute(self, payment_intent, reason=None, amount=None):
        body = {"payment_intent": payment_intent, "reason": reason, "amount": amount}
        return self._ok("POST", "dispute", {k: v for k, v in body.items() if v is not None})

    def close_dispute(self, dispute, status="lost"):
        return self._ok("POST", "dispute/close", {"dispute": dispute, "status": status})

    def payment_method_updated(self, payment_method, **card):
        """card=<new number>, last4, exp_month, exp_year; by default a new last4 and expiry + 3 years."""
        return self._ok("POST", "payment_method_updated", {"payment_method": payment_method, **card})

    def signed_event(self, id=None, event=None, payload=None, timestamp=None, secret=None, secrets=None):
        """{"payload": exact body, "header": Stripe-Signature} for a stored event (id), an event dict
        or a raw payload, without sending it."""
        body = {"id": id, "event": event, "payload": payload, "timestamp": timestamp,
                "secret": secret, "secrets": secrets}
        return self._ok("POST", "signed_event", {k: v for k, v in body.items() if v is not None})

    def send_event(self, id=None, event=None, payload=None, timestamp=None, secret=None, secrets=None,
                   url=None):
        """As signed_event, and POSTs it to the webhook URL (or `url`); adds the receiver's "status"."""
        body = {"id": id, "event": event, "payload": payload, "timestamp": timestamp,
                "secret": secret, "secrets": secrets, "url": url}
        return self._ok("POST", "send_event", {k: v for k, v in body.items() if v is not None})
