"""The daemon starts, answers status, and a subscription renews when the clock moves."""
import unittest

from harness import DaemonTest


class SmokeTest(DaemonTest):
    def test_status_and_one_renewal(self):
        status = self.d.ok("status")
        self.assertEqual(status["clock"]["mode"], "manual")
        self.assertEqual(status["clock"]["now"], "2025-01-31T10:00:00Z")
        plan = self.d.plan()
        sub = self.d.subscribe(plan["id"], "smoke@example.com")
        self.assertEqual(sub["status"], "active")
        self.assertEqual(sub["current_period_end"], "2025-02-28T10:00:00Z")
        fired = self.d.advance("28d")["fired"]
        self.assertEqual(fired["renewed"], 1)
        self.assertEqual(fired["charged"], {"eur": 1499})
        sub = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(sub["current_period_end"], "2025-03-31T10:00:00Z")


if __name__ == "__main__":
    unittest.main()
