"""The public API's keys and modes: 401 for missing/malformed/unknown/revoked keys, 403 for
read-only keys on writes, X-Api-Key, test/live isolation, and Idempotency-Key."""
import time
import unittest

from checkout_client import API, PAYMENT_BODY, CheckoutTest, Public
from harness import Daemon, DaemonTest, LIVE_CARDS_ARGS, LIVE_CARDS_ENV

LIVE_BODY = dict(PAYMENT_BODY)


class KeysTest(CheckoutTest):
    def assert_error(self, answer, status, code):
        got_status, body, headers = answer
        self.assertEqual(got_status, status, body)
        self.assertEqual(set(body), {"error"})
        self.assertEqual(set(body["error"]), {"code", "message", "param"})
        self.assertEqual(body["error"]["code"], code)
        if status == 401:
            self.assertIn("Bearer", headers.get("www-authenticate", ""))

    def test_missing_malformed_unknown_and_revoked_keys_get_401(self):
        before = self.snapshot()
        for key, code in ((None, "api_key_missing"), ("sk_nope_abc", "api_key_invalid"),
                          ("pk_test_abc", "api_key_invalid"),
                          ("sk_test_" + "x" * 32, "api_key_invalid"),
                          (self.key + "x", "api_key_invalid")):
            for method, path in (("POST", "/sessions"), ("GET", "/sessions/cs_x"),
                                 ("GET", "/subscriptions")):
                self.assert_error(self.pub.call(method, API + path, PAYMENT_BODY if method ==
                                                "POST" else None, key=key), 401, code)
        self.assert_error(self.pub.call("GET", API + "/subscriptions", key=None,
                                        headers={"Authorization": "Basic abc"}),
                          401, "api_key_invalid")
        key_id = self.d.ok("keys", "list")[0]["id"]
        self.pub.ok("GET", API + "/subscriptions")
        self.d.ok("keys", "revoke", key_id)
        self.assert_error(self.pub.call("GET", API + "/subscriptions"), 401, "api_key_invalid")
        self.assertEqual(self.snapshot(), before)

    def test_x_api_key_header_works_like_bearer(self):
        s = self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, key=None,
                        headers={"X-Api-Key": self.key})
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}", key=None,
                                     headers={"X-Api-Key": self.key})["id"], s["id"])

    def test_read_only_key_reads_but_cannot_write(self):
        ro = self.d.ok("keys", "create", "--read-only")["secret"]
        self.assertTrue(ro.startswith("rk_test_"))
        s = self.create(PAYMENT_BODY)
        self.assertEqual(self.pub.ok("GET", f"{API}/sessions/{s['id']}", key=ro)["id"], s["id"])
        self.pub.ok("GET", API + "/subscriptions", key=ro)
        before = self.snapshot()
        for path, body in (("/sessions", PAYMENT_BODY), (f"/sessions/{s['id']}/cancel", None),
                           ("/subscriptions/sub_x/cancel", None)):
            self.assert_error(self.pub.call("POST", API + path, body, key=ro), 403,
                              "api_key_read_only")
        self.assertEqual(self.snapshot(), before)

    def test_read_only_key_cannot_mint_a_portal_link(self):
        # The portal cancels: a link to it is as much a write as the cancel itself.
        ro = self.d.ok("keys", "create", "--read-only")["secret"]
        sub = self.d.subscribe(self.d.plan()["id"], "customer@example.com")
        path = f"{API}/subscriptions/{sub['id']}/portal?return_url=https%3A%2F%2Fa.b%2F"
        self.assertEqual(self.pub.ok("GET", f"{API}/subscriptions/{sub['id']}", key=ro)["id"],
                         sub["id"])
        self.assert_error(self.pub.call("GET", path, key=ro), 403, "api_key_read_only")
        self.assertIn("portal_url", self.pub.ok("GET", path))  # a secret key still may

    def test_a_keys_use_is_recorded_to_the_minute(self):
        [key] = self.d.ok("keys", "list")
        self.assertIsNone(key["last_used_at"])
        self.pub.call("GET", API + "/subscriptions", key=self.key + "x")  # unknown: not a use
        self.assertIsNone(self.d.ok("keys", "list")[0]["last_used_at"])
        first = self.d.ok("clock", "show")["now"]
        self.pub.ok("GET", API + "/subscriptions")

        def last_used(expected):
            deadline = time.time() + 5  # the write is queued, not waited for by the request
            while True:
                got = self.d.ok("keys", "list")[0]["last_used_at"]
                if got == expected or time.time() > deadline:
                    return got
                time.sleep(0.05)

        self.assertEqual(last_used(first), first)
        self.d.advance("30s")
        self.pub.ok("GET", API + "/subscriptions")  # within the minute: not written again
        time.sleep(0.3)
        self.assertEqual(self.d.ok("keys", "list")[0]["last_used_at"], first)
        self.d.advance("31s")
        later = self.d.ok("clock", "show")["now"]
        self.pub.ok("POST", API + "/sessions", PAYMENT_BODY)
        self.assertEqual(last_used(later), later)

    def test_live_keys_are_refused_under_the_manual_clock(self):
        # Live keys cannot even be made here; a made-up one is simply unknown.
        self.assertEqual(self.d.ctl("keys", "create", live=True).rc, 5)
        self.assert_error(self.pub.call("GET", API + "/subscriptions", key="sk_live_" + "a" * 32),
                          401, "api_key_invalid")


class ModesTest(DaemonTest):
    clock = "system"
    daemon_args = LIVE_CARDS_ARGS
    daemon_env = LIVE_CARDS_ENV

    def test_test_and_live_keys_never_see_each_others_rows(self):
        test_key = self.d.ok("keys", "create")["secret"]
        live_key = self.d.ok("keys", "create", live=True)["secret"]
        self.assertTrue(live_key.startswith("sk_live_"))
        pub = Public(self.d)
        t = pub.ok("POST", API + "/sessions", PAYMENT_BODY, key=test_key)
        live = pub.ok("POST", API + "/sessions", LIVE_BODY, key=live_key)
        self.assertEqual(pub.ok("GET", f"{API}/sessions/{t['id']}", key=test_key)["livemode"], False)
        self.assertEqual(pub.ok("GET", f"{API}/sessions/{live['id']}", key=live_key)["livemode"], True)
        for key, other in ((test_key, live["id"]), (live_key, t["id"])):
            code, body, _ = pub.call("GET", f"{API}/sessions/{other}", key=key)
            self.assertEqual(code, 404, body)
            code, body, _ = pub.call("POST", f"{API}/sessions/{other}/cancel", key=key)
            self.assertEqual(code, 404, body)
        self.assertEqual([x["id"] for x in self.d.ok("sessions", "list")], [t["id"]])
        self.assertEqual([x["id"] for x in self.d.ok("sessions", "list", live=True)], [live["id"]])

        plan = self.d.plan()
        sub = self.d.subscribe(plan["id"], "t@example.com")
        self.assertEqual(pub.ok("GET", API + "/subscriptions", key=test_key)["total"], 1)
        self.assertEqual(pub.ok("GET", API + "/subscriptions", key=live_key)["total"], 0)
        code, _, _ = pub.call("GET", f"{API}/subscriptions/{sub['id']}", key=live_key)
        self.assertEqual(code, 404)
        code, _, _ = pub.call("POST", f"{API}/subscriptions/{sub['id']}/cancel", key=live_key)
        self.assertEqual(code, 404)
        # A plan of the other mode is unknown too.
        code, body, _ = pub.call("POST", API + "/sessions", {
            "mode": "subscription", "plan": plan["id"], "success_url": "https://a.example",
            "cancel_url": "https://a.example/c"},
            key=live_key)
        self.assertEqual((code, body["error"]["param"]), (404, "plan"))

    def test_a_live_key_is_refused_once_the_clock_is_manual(self):
        live_key = self.d.ok("keys", "create", live=True)["secret"]
        Public(self.d, live_key).ok("GET", API + "/subscriptions")
        self.d.stop()
        manual = Daemon(clock="manual", data_dir=self.d.root).start()
        self.addCleanup(manual.stop)
        code, body, _ = Public(manual, live_key).call("GET", API + "/subscriptions")
        self.assertEqual((code, body["error"]["code"]), (401, "livemode_unavailable"))

    def test_live_mode_wants_https_urls(self):
        live_key = self.d.ok("keys", "create", live=True)["secret"]
        pub = Public(self.d, live_key)
        body = dict(PAYMENT_BODY, success_url="http://yoursite.com/success")
        code, answer, _ = pub.call("POST", API + "/sessions", body)
        self.assertEqual((code, answer["error"]["param"]), (400, "success_url"))
        code, answer, _ = pub.call("POST", API + "/sessions",
                                   dict(PAYMENT_BODY, cancel_url="http://yoursite.com/x"))
        self.assertEqual((code, answer["error"]["param"]), (400, "cancel_url"))
        self.assertEqual(self.d.ok("sessions", "list", live=True), [])
        # Test mode takes http (local development).
        test_pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        test_pub.ok("POST", API + "/sessions", body)


class LiveWithoutProviderTest(DaemonTest):
    """Live mode without a payment provider hands out no checkout that could never be paid."""
    clock = "system"

    def test_live_checkouts_are_refused_and_status_warns(self):
        live_key = self.d.ok("keys", "create", live=True)["secret"]
        pub = Public(self.d)
        status, answer, _ = pub.call("POST", API + "/sessions", LIVE_BODY, key=live_key)
        self.assertEqual(status, 400, answer)
        self.assertEqual(answer["error"]["code"], "provider_unavailable")
        status, answer, _ = pub.call("POST", "/eventop/checkout/create", {
            "planId": "plan_x", "customerEmail": "a@example.com",
            "successUrl": "https://example.com/ok"}, key=live_key)
        self.assertEqual(status, 400, answer)
        self.assertEqual(self.d.ok("sessions", "list", live=True), [])
        got = self.d.ok("status")
        self.assertEqual(got["card_providers"], {"test": "sandbox", "live": None})
        self.assertTrue(any("live mode has no payment provider" in w for w in got["warnings"]))
        self.assertIn("live mode has no payment provider", self.d.log())
        # Test mode is not affected.
        test_key = self.d.ok("keys", "create")["secret"]
        self.assertEqual(pub.call("POST", API + "/sessions", PAYMENT_BODY, key=test_key)[0], 200)


class IdempotencyTest(CheckoutTest):
    def test_same_key_same_body_replays_the_first_answer(self):
        h = {"Idempotency-Key": "order-12345"}
        code, first, headers = self.pub.call("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        self.assertEqual(code, 200, first)
        self.assertNotIn("idempotent-replayed", headers)
        code, second, headers = self.pub.call("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        self.assertEqual((code, second), (200, first))
        self.assertEqual(headers.get("idempotent-replayed"), "true")
        self.assertEqual(len(self.d.ok("sessions", "list")), 1)
        # Another body under the same key: 409, nothing made.
        other = dict(PAYMENT_BODY, customer_email="else@example.com")
        code, body, _ = self.pub.call("POST", API + "/sessions", other, headers=h)
        self.assertEqual((code, body["error"]["code"]), (409, "idempotency_key_reused"))
        self.assertEqual(len(self.d.ok("sessions", "list")), 1)
        # A new key makes a new session.
        self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, headers={"Idempotency-Key": "k2"})
        self.assertEqual(len(self.d.ok("sessions", "list")), 2)

    def test_keys_last_24_hours(self):
        h = {"Idempotency-Key": "daily"}
        first = self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        self.d.advance("23h")
        self.assertEqual(self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, headers=h), first)
        moved = self.d.advance("2h")
        # The clock forgets answers past their window: the stored row is purged, and counted.
        self.assertEqual(moved["fired"].get("idempotency_keys_purged"), 1, moved)
        later = self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        self.assertNotEqual(later["id"], first["id"])
        self.assertNotIn("idempotency_keys_purged", self.d.advance("1h")["fired"])

    def test_cancel_replays_instead_of_failing_the_second_time(self):
        s = self.create(PAYMENT_BODY)
        h = {"Idempotency-Key": "cancel-1"}
        path = f"{API}/sessions/{s['id']}/cancel"
        first = self.pub.ok("POST", path, headers=h)
        self.assertEqual(self.pub.ok("POST", path, headers=h), first)
        code, _, _ = self.pub.call("POST", path)  # without the key: a real second cancel
        self.assertEqual(code, 409)
        # The same key on another route is another request: 409.
        code, body, _ = self.pub.call("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        self.assertEqual((code, body["error"]["code"]), (409, "idempotency_key_reused"))

    def test_failed_requests_are_not_stored(self):
        h = {"Idempotency-Key": "retry-me"}
        bad = dict(PAYMENT_BODY, success_url="/relative")
        code, _, _ = self.pub.call("POST", API + "/sessions", bad, headers=h)
        self.assertEqual(code, 400)
        self.pub.ok("POST", API + "/sessions", PAYMENT_BODY, headers=h)
        code, body, _ = self.pub.call("POST", API + "/sessions", PAYMENT_BODY,
                                      headers={"Idempotency-Key": "k" * 256})
        self.assertEqual((code, body["error"]["param"]), (400, "Idempotency-Key"))


class IdempotencyModesTest(DaemonTest):
    clock = "system"
    daemon_args = LIVE_CARDS_ARGS
    daemon_env = LIVE_CARDS_ENV

    def test_keys_are_per_mode(self):
        pub = Public(self.d)
        test_key = self.d.ok("keys", "create")["secret"]
        live_key = self.d.ok("keys", "create", live=True)["secret"]
        h = {"Idempotency-Key": "same"}
        t = pub.ok("POST", API + "/sessions", PAYMENT_BODY, key=test_key, headers=h)
        live = pub.ok("POST", API + "/sessions", PAYMENT_BODY, key=live_key, headers=h)
        self.assertNotEqual(t["id"], live["id"])


if __name__ == "__main__":
    unittest.main()
