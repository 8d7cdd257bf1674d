"""Shared set-up for the LNbits-style (/api/v1, /public) and Eventop-style tests."""
from checkout_client import CheckoutTest
from harness import unix

V1 = "/api/v1"
CLOCK_START = "2025-01-10T12:30:00Z"
NOW = unix(CLOCK_START)

# The reference's POST /api/v1/plans body, verbatim.
REFERENCE_PLAN = {
    "name": "Pro Plan",
    "amount_sats": 10000,
    "interval": "monthly",
    "description": "Access to premium features",
    "trial_days": 7,
    "grace_period_days": 3,
    "allow_lightning": True,
    "allow_onchain": False,
    "allow_stripe": True,
    "allow_paypal": False,
}
PLAN_KEYS = {"id", "name", "amount_sats", "amount", "currency", "interval", "interval_unit",
             "interval_count", "description", "trial_days", "grace_period_days",
             "allow_lightning", "allow_onchain", "allow_stripe", "allow_paypal", "active",
             "livemode", "created_at", "updated_at"}
SUBSCRIPTION_KEYS = {"id", "plan_id", "plan_name", "subscriber_id", "email", "status", "amount",
                     "currency", "interval", "interval_unit", "interval_count", "payment_method",
                     "card", "current_period_start", "current_period_end", "trial_end",
                     "cancel_at_period_end", "canceled_at", "cancel_reason", "ended_at",
                     "paused_at", "metadata", "livemode", "created_at", "pending_update"}
PAYMENT_KEYS = {"id", "subscription_id", "subscriber_id", "amount", "currency", "status",
                "payment_method", "payment_hash", "failure_code", "failure_message", "livemode",
                "created_at", "paid_at"}


class LnbitsTest(CheckoutTest):
    """CheckoutTest (manual clock at 2025-01-10T12:30:00Z, a test secret key in self.pub)."""

    def v1(self, method, path, body=None, status=200, **kw):
        return self.pub.ok(method, V1 + path, body, status=status, **kw)

    def error(self, method, path, body=None, status=400, param=None, code=None, **kw):
        got, answer, _ = self.pub.call(method, path, body, **kw)
        self.assertEqual(got, status, (method, path, answer))
        self.assertEqual(set(answer), {"error"}, answer)
        self.assertEqual(set(answer["error"]), {"code", "message", "param"})
        if param is not None:
            self.assertEqual(answer["error"]["param"], param, answer)
        if code is not None:
            self.assertEqual(answer["error"]["code"], code, answer)
        return answer["error"]

    def full_snapshot(self):
        """snapshot() plus what only /api/v1 shows (plan allow_* flags, contacts)."""
        out = self.snapshot()
        out["plans"] = self.v1("GET", "/plans?active=all&limit=1000")
        out["subscribers"] = self.v1("GET", "/subscribers?limit=1000")
        return out
