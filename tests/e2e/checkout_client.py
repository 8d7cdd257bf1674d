"""A real HTTP client for jopayd's public face (TCP), shared by the test_checkout*.py files."""
import http.client
import json

from harness import DaemonTest


class Public:
    """Talks to the daemon's public port with a default API key."""

    def __init__(self, daemon, key=None):
        host, port = daemon.ok("status")["listen"].rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.key = key

    def call(self, method, path, body=None, key="default", headers=None, raw=None):
        """Returns (status, parsed JSON or text, {lowercase header: value})."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = {}
        key = self.key if key == "default" else key
        if key:
            h["Authorization"] = "Bearer " + key
        if body is not None or raw is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            text = resp.read().decode()
            got = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text), got
        except ValueError:
            return resp.status, text, got

    def ok(self, method, path, body=None, status=200, **kw):
        code, answer, _ = self.call(method, path, body, **kw)
        assert code == status, (method, path, code, answer)
        return answer


API = "/api/checkout/v1"

# The reference's examples (jopay-checkout-api.txt), verbatim.
PAYMENT_BODY = {
    "line_items": [{"name": "Premium Coffee Beans", "amount": 2500, "currency": "eur",
                    "quantity": 1}],
    "customer_email": "customer@example.com",
    "success_url": "https://yoursite.com/success",
    "cancel_url": "https://yoursite.com/cancel",
    "metadata": {"order_id": "12345"},
}
SUBSCRIPTION_BODY = {
    "mode": "subscription",
    "plan": {"name": "Pro Monthly", "amount": 1499, "interval": "month"},
    "trial_period_days": 7,
    "customer_email": "customer@example.com",
    "success_url": "https://yoursite.com/welcome",
    "cancel_url": "https://yoursite.com/pricing",
    "metadata": {"user_id": "usr_123"},
}


class CheckoutTest(DaemonTest):
    """A manual-clock daemon (clock at 2025-01-10T12:30:00Z) with a test secret key."""

    clock_start = "2025-01-10T12:30:00Z"

    def setUp(self):
        super().setUp()
        self.key = self.d.ok("keys", "create")["secret"]
        self.pub = Public(self.d, self.key)

    def create(self, body, **kw):
        return self.pub.ok("POST", API + "/sessions", body, **kw)

    def pay(self, session_id, card="4242424242424242", *more):
        return self.d.ctl("sessions", "pay", session_id, "--card", card, *more)

    def snapshot(self):
        """Every test-mode row the public face can change, for 'nothing changed' checks."""
        out = {}
        for path in ("/v1/sessions?limit=1000", "/v1/subscriptions?limit=1000",
                     "/v1/customers?limit=1000", "/v1/payments?limit=1000",
                     "/v1/events?limit=1000", "/v1/plans?limit=1000"):
            status, body = self.d.api("GET", path)
            assert status == 200, (path, status, body)
            out[path] = body["data"]
        return out
