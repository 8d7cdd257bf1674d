"""Webhook delivery under trouble: a receiver that fails for a while (retries re-signed, a
kill -9 in the middle, nothing lost), 410 Gone, Retry-After, secret rotation, an endpoint
failing for 5 days, and HTTPS with a test CA (and a certificate it does not trust)."""
import os
import signal
import tempfile
import threading
import time
import unittest

from harness import Daemon, DaemonTest, unix
from webhook_receiver import Receiver, jopay_signatures, make_ca, node_verify, verify_jopay, verify_standard


class TroubleTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.rx = Receiver()
        self.addCleanup(self.rx.close)
        # Subscription events only: one per subscribe, which these tests count (the invoice
        # events a paid first charge also writes are delivered like any other).
        self.endpoint = self.d.ok("webhooks", "add", self.rx.url, "--events", "subscription.*")
        self.secret = self.endpoint["secret"]
        self.plan = self.d.plan()["id"]

    def attempts(self, event_id):
        return self.d.ok("events", "get", event_id)["attempts"]

    def wait_attempts(self, event_id, n, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.attempts(event_id)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        self.fail(f"{event_id}: {len(self.attempts(event_id))} attempts, wanted {n}")

    def test_outage_then_recovery_with_kill_9_in_between_loses_nothing(self):
        self.rx.answer = lambda n: (500, {}, b"down for maintenance")
        subs = [self.d.subscribe(self.plan, f"c{i}@example.com")["id"] for i in range(3)]
        first = [e["id"] for e in self.d.events(type="subscription.created")]
        self.assertEqual(len(first), 3)
        for e in first:
            self.wait_attempts(e, 1)
        self.d.advance("6s")  # the 5 s retry
        for e in first:
            self.wait_attempts(e, 2)
        self.d.advance("6m")  # the 5 min retry
        for e in first:
            self.wait_attempts(e, 3)
        # Crash mid-outage, come back, and carry on.
        self.assertEqual(self.d.stop(signal.SIGKILL), -signal.SIGKILL)
        self.d.start()
        self.d.ok("subscriptions", "cancel", subs[0])  # one more event after the restart
        events = [e["id"] for e in self.d.events() if e["type"].startswith("subscription.")]
        self.assertEqual(len(events), 4)
        self.wait_attempts(events[-1], 1)
        self.assertEqual(self.rx.delivered(), [])
        self.rx.answer = lambda n: (200, {}, b"ok")
        self.d.advance("40m")  # the 30 min (+ up to 10 % jitter) retry, and the last one's 5 s one
        self.rx.wait_for(lambda got: {r.event_id for r in got if r.answered == 200} >= set(events))
        delivered = {r.event_id for r in self.rx.delivered()}
        self.assertEqual(delivered, set(events))
        # Every attempt re-signed afresh at the wall-clock time it left (the simulated clock is
        # in 2025 and months ahead by now): fresh for a receiver that checks its own clock.
        for e in events:
            reqs = [r for r in self.rx.got() if r.event_id == e]
            stamps = [int(r.headers["webhook-timestamp"]) for r in reqs]
            self.assertEqual(stamps, sorted(stamps))
            for r, t in zip(reqs, stamps):
                self.assertLessEqual(abs(r.at - t), 5, "signed at the wall-clock time it was sent")
            for r in reqs:
                self.assertTrue(verify_jopay(r, self.secret))
                self.assertTrue(verify_standard(r, self.secret))
                self.assertEqual(jopay_signatures(r.headers["x-jopay-signature"])[0],
                                 r.headers["webhook-timestamp"])
        for result in node_verify(self.rx.got(), self.secret):
            self.assertEqual(result, {"ok": True})
        # The record: 500s with their excerpt, then one 200.
        att = self.attempts(events[0])
        self.assertEqual([a["status_code"] for a in att][-1], 200)
        self.assertTrue(all(a["status_code"] == 500 for a in att[:-1]))
        self.assertEqual(att[0]["response_excerpt"], "down for maintenance")
        self.assertEqual(att[0]["error"], None)
        full = self.d.ok("events", "get", events[0])
        self.assertEqual(full["deliveries"][0]["status"], "delivered")
        # The endpoint's failing streak ended with the success.
        self.assertIsNone(self.d.ok("webhooks", "get", self.endpoint["id"])["failing_since"])

    def test_sigterm_with_requests_in_flight_stops_cleanly_and_resends_after_restart(self):
        on_the_wire = threading.Event()

        def slow(n):
            on_the_wire.set()
            time.sleep(3)
            return (200, {}, b"late")
        self.rx.answer = slow
        self.d.subscribe(self.plan, "a@example.com")
        [e] = self.d.events(type="subscription.created")
        self.assertTrue(on_the_wire.wait(10))  # the receiver sits on the request
        t0 = time.time()
        self.assertEqual(self.d.stop(signal.SIGTERM), 0)
        self.assertLess(time.time() - t0, 10)
        self.assertIn("stopped", self.d.log())
        self.rx.answer = lambda n: (200, {}, b"ok")
        self.d.start()
        # The answer never reached the stopped jopayd, so the delivery is still pending and
        # is sent again: at least once.
        self.rx.wait_for(lambda got: len(got) >= 2)
        deadline = time.time() + 10
        while self.d.ok("events", "get", e["id"])["deliveries"][0]["status"] != "delivered":
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        self.assertEqual({r.event_id for r in self.rx.got()}, {e["id"]})

    def test_410_gone_disables_the_endpoint_with_the_reason(self):
        self.rx.answer = lambda n: (410, {}, b"gone")
        self.d.subscribe(self.plan, "a@example.com")
        [e] = self.d.events(type="subscription.created")
        self.wait_attempts(e["id"], 1)
        deadline = time.time() + 10
        while self.d.ok("webhooks", "get", self.endpoint["id"])["status"] != "disabled":
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        got = self.d.ok("webhooks", "get", self.endpoint["id"])
        self.assertIn("410 Gone", got["disabled_reason"])
        self.assertEqual(self.d.ok("events", "get", e["id"])["deliveries"][0]["status"], "failed")
        table = self.d.ctl("webhooks", "list", output="table").out
        self.assertIn("410 Gone", table)
        self.d.subscribe(self.plan, "b@example.com")
        self.d.advance("1d")
        time.sleep(0.5)
        self.assertEqual(len(self.rx.got()), 1)  # nothing more went to it

    def test_retry_after_is_honoured(self):
        self.rx.answer = lambda n: (429, {"Retry-After": "120"}, b"slow down") if n == 0 else \
            (503, {"Retry-After": "30"}, b"") if n == 1 else (200, {}, b"ok")
        self.d.subscribe(self.plan, "a@example.com")
        [e] = self.d.events(type="subscription.created")
        [a] = self.wait_attempts(e["id"], 1)
        d = self.d.ok("events", "get", e["id"])["deliveries"][0]
        self.assertEqual(unix(d["next_attempt_at"]) - unix(a["attempted_at"]), 120)
        self.d.advance("60s")
        time.sleep(0.5)
        self.assertEqual(len(self.rx.got()), 1)  # not before the time asked
        self.d.advance("61s")
        att = self.wait_attempts(e["id"], 2)
        d = self.d.ok("events", "get", e["id"])["deliveries"][0]
        self.assertEqual(unix(d["next_attempt_at"]) - unix(att[1]["attempted_at"]), 30)
        self.d.advance("31s")
        self.rx.wait_for(lambda got: len(got) == 3)
        self.assertEqual(self.rx.got()[2].answered, 200)

    def test_rotation_signs_with_both_secrets_for_24_hours(self):
        old = self.secret
        self.d.subscribe(self.plan, "a@example.com")
        self.rx.wait_for(lambda got: len(got) == 1)
        r = self.d.ctl("webhooks", "rotate", self.endpoint["id"], output=None)
        self.assertEqual(r.rc, 0, r)
        new = r.out.strip()
        self.assertTrue(new.startswith("whsec_") and new != old)
        self.assertIsNotNone(self.d.ok("webhooks", "get", self.endpoint["id"])["rotation_ends_at"])
        self.d.subscribe(self.plan, "b@example.com")
        self.rx.wait_for(lambda got: len(got) == 2)
        before, during = self.rx.got()
        self.assertEqual(len(jopay_signatures(before.headers["x-jopay-signature"])[1]), 1)
        self.assertEqual(len(jopay_signatures(during.headers["x-jopay-signature"])[1]), 2)
        self.assertEqual(len(during.headers["webhook-signature"].split(" ")), 2)
        for secret in (old, new):
            self.assertTrue(verify_jopay(during, secret))
            self.assertTrue(verify_standard(during, secret))
        for result in node_verify([during], old) + node_verify([during], new):
            self.assertEqual(result, {"ok": True})
        self.d.advance("25h")
        self.d.subscribe(self.plan, "c@example.com")
        self.rx.wait_for(lambda got: len(got) == 3)
        after = self.rx.got()[2]
        self.assertTrue(verify_jopay(after, new))
        self.assertTrue(verify_standard(after, new))
        self.assertFalse(verify_jopay(after, old))
        self.assertFalse(verify_standard(after, old))

    def test_an_endpoint_failing_everything_for_5_days_is_disabled(self):
        self.rx.answer = lambda n: (500, {}, b"broken")
        daily = self.d.plan(name="Daily", interval="day")["id"]
        self.d.subscribe(daily, "a@example.com")
        self.rx.wait_for(lambda got: len(got) >= 1)
        for day in range(1, 6):
            n = len(self.rx.got())
            self.assertEqual(self.d.ok("webhooks", "get", self.endpoint["id"])["status"], "enabled")
            self.d.advance("1d")
            self.rx.wait_for(lambda got: len(got) > n)
            time.sleep(0.3)
        deadline = time.time() + 10
        while True:
            got = self.d.ok("webhooks", "get", self.endpoint["id"])
            if got["status"] == "disabled" or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(got["status"], "disabled")
        self.assertIn("every delivery attempt failed for 5 days", got["disabled_reason"])
        self.assertIn("HTTP 500", got["disabled_reason"])
        # Enabling clears the streak.
        again = self.d.ok("webhooks", "enable", self.endpoint["id"])
        self.assertEqual((again["status"], again["failing_since"]), ("enabled", None))


class HttpsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="jopay-tls-")
        self.ca, cert, key = make_ca(self.tmp)
        other = os.path.join(self.tmp, "other")
        os.mkdir(other)
        _, bad_cert, bad_key = make_ca(other)  # signed by a CA jopayd does not trust
        self.good = Receiver(tls=(cert, key))
        self.bad = Receiver(tls=(bad_cert, bad_key))
        self.addCleanup(self.good.close)
        self.addCleanup(self.bad.close)
        saved = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = self.ca
        try:
            self.d = Daemon().start()
        finally:
            if saved is None:
                del os.environ["SSL_CERT_FILE"]
            else:
                os.environ["SSL_CERT_FILE"] = saved
        self.addCleanup(self.d.cleanup)

    def test_https_receiver_with_a_test_ca_and_a_refused_certificate(self):
        good = self.d.ok("webhooks", "add", self.good.url, "--events", "subscription.*")
        bad = self.d.ok("webhooks", "add", self.bad.url, "--events", "subscription.*")
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "a@example.com")
        [e] = self.d.events(type="subscription.created")
        self.good.wait_for(lambda got: len(got) == 1)
        r = self.good.got()[0]
        self.assertTrue(verify_jopay(r, good["secret"]))
        self.assertTrue(verify_standard(r, good["secret"]))
        deadline = time.time() + 10
        while True:
            full = self.d.ok("events", "get", e["id"])
            by_endpoint = {a["endpoint_id"]: a for a in full["attempts"]}
            if {good["id"], bad["id"]} <= set(by_endpoint) or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(by_endpoint[good["id"]]["status_code"], 200)
        refused = by_endpoint[bad["id"]]
        self.assertIsNone(refused["status_code"])
        self.assertIn("certificate verify failed", refused["error"])
        self.assertEqual(self.bad.got(), [])  # no request reached it
        statuses = {d["endpoint_id"]: d["status"] for d in full["deliveries"]}
        self.assertEqual(statuses, {good["id"]: "delivered", bad["id"]: "pending"})


if __name__ == "__main__":
    unittest.main()
