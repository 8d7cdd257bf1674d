"""Webhooks: endpoints and their bad inputs, a whole subscription lifecycle delivered signed
(verified by an independent Python receiver and by Node's crypto over
JSON.stringify(JSON.parse(body))), webhooks test, events resend/get and events listen."""
import json
import os
import signal
import subprocess
import time
import unittest

from checkout_client import PAYMENT_BODY, Public
from harness import JOPAYCTL, Daemon, DaemonTest, GOOD_CARD, FAILING_CARD, unix
from webhook_receiver import Receiver, jopay_signatures, node_verify, verify_jopay, verify_standard

# Metadata that trips naive serializers: unicode (incl. U+2028 and an astral character),
# quotes, slashes, a backslash, newlines, a control character, digits as keys (a JS object
# puts "2" and "10" first) and digits as values.
TRICKY_METADATA = [
    "b=é😀\u2028 \"quoted\" </script> back\\slash",
    "10=line1\nline2\r\ttab",
    "2=ctl\x01\x1f end",
    "a/b=1234567890",
    "digits=007",
]


def deliveries_by_event(receiver):
    out = {}
    for r in receiver.delivered():
        out.setdefault(r.event_id, []).append(r)
    return out


class EndpointsTest(DaemonTest):
    def endpoints(self):
        return self.d.ok("webhooks", "list")

    def test_add_shows_secret_once_list_get_disable_enable_remove(self):
        r = self.d.ctl("webhooks", "add", "http://127.0.0.1:9/hooks", "--events",
                       "subscription.renewed,subscription.expired", "--description", "app",
                       output=None)
        self.assertEqual(r.rc, 0, r)
        secret = r.out.strip()
        self.assertRegex(secret, r"^whsec_[A-Za-z0-9+/]{43}=$")
        self.assertIn("only time", r.err)
        [e] = self.endpoints()
        self.assertEqual(e["url"], "http://127.0.0.1:9/hooks")
        self.assertEqual(e["events"], ["subscription.renewed", "subscription.expired"])
        self.assertEqual(e["status"], "enabled")
        self.assertNotIn("secret", e)  # never shown again
        self.assertNotIn(secret, self.d.ctl("webhooks", "get", e["id"]).out)
        got = self.d.ok("webhooks", "disable", e["id"])
        self.assertEqual((got["status"], got["disabled_reason"]),
                         ("disabled", "disabled by the operator"))
        self.assertFails(self.d.ctl("webhooks", "disable", e["id"]), 5, "already disabled")
        got = self.d.ok("webhooks", "enable", e["id"])
        self.assertEqual((got["status"], got["disabled_reason"]), ("enabled", None))
        self.d.ok("webhooks", "remove", e["id"])
        self.assertEqual(self.endpoints(), [])
        self.assertFails(self.d.ctl("webhooks", "get", e["id"]), 4, "No such webhook endpoint")

    def test_update_changes_url_types_description_and_keeps_id_and_secret(self):
        e = self.d.ok("webhooks", "add", "http://127.0.0.1:9/hooks", "--description", "old")
        got = self.d.ok("webhooks", "update", e["id"], "--url", "http://127.0.0.1:10/new",
                        "--events", "subscription.*")
        self.assertEqual((got["id"], got["url"], got["events"], got["description"]),
                         (e["id"], "http://127.0.0.1:10/new", ["subscription.*"], "old"))
        self.assertNotIn("secret", got)
        got = self.d.ok("webhooks", "update", e["id"], "--description", "new")
        self.assertEqual((got["url"], got["events"], got["description"]),
                         ("http://127.0.0.1:10/new", ["subscription.*"], "new"))
        self.assertEqual(self.d.ok("webhooks", "get", e["id"]), got)
        before = self.endpoints()
        for args, code, message in [
            ([e["id"]], 2, "give --url, --events or --description"),
            ([e["id"], "--url", "not a url"], 5, "not an absolute URL"),
            ([e["id"], "--url", "ftp://127.0.0.1/x"], 5, "http:// or https://"),
            ([e["id"], "--events", "subscription.renwed"], 5, "unknown event type"),
            (["we_nope", "--description", "x"], 4, "No such webhook endpoint"),
        ]:
            with self.subTest(args=args):
                self.assertFails(self.d.ctl("webhooks", "update", *args), code, message)
        self.assertEqual(self.endpoints(), before)

    def test_bad_inputs_are_refused_and_change_nothing(self):
        good = self.d.ok("webhooks", "add", "http://127.0.0.1:9/hooks")
        before = self.endpoints()
        for args, code, message in [
            (["webhooks", "add", "not a url"], 5, "not an absolute URL"),
            (["webhooks", "add", "ftp://127.0.0.1/x"], 5, "http:// or https://"),
            (["webhooks", "add", "http://user:pw@127.0.0.1/x"], 5, "user name"),
            (["webhooks", "add", "http://127.0.0.1:9/", "--events", "subscription.renwed"], 5,
             "unknown event type 'subscription.renwed'"),
            (["webhooks", "add", "http://127.0.0.1:9/", "--events", ","], 5, "at least one"),
            (["webhooks", "get", "we_nope"], 4, "No such webhook endpoint"),
            (["webhooks", "remove", "we_nope"], 4, "No such webhook endpoint"),
            (["webhooks", "disable", "we_nope"], 4, None),
            (["webhooks", "enable", "we_nope"], 4, None),
            (["webhooks", "rotate", "we_nope"], 4, None),
            (["webhooks", "test", "we_nope"], 4, None),
            (["events", "resend", "evt_nope"], 4, "No such event"),
            (["events", "get", "evt_nope"], 4, "No such event"),
            (["events", "list", "--since", "yesterday"], 2, "--since"),
            (["events", "listen", "--forward-to", "localhost:3000"], 5, "--forward-to"),
        ]:
            with self.subTest(args=args):
                self.assertFails(self.d.ctl(*args), code, message)
        self.assertEqual(self.endpoints(), before)
        self.assertEqual(self.d.events(), [])  # no webhook.test event was written either
        # A resend to an unknown endpoint changes nothing either.
        r = self.d.ctl("webhooks", "test", good["id"])  # nothing listens on port 9
        self.assertEqual(r.rc, 1, r)
        self.assertIn("Connection refused", r.err)
        evt = r.json
        self.assertFails(self.d.ctl("events", "resend", evt["id"], "--endpoint", "we_nope"), 4)
        self.assertEqual(len(self.d.ok("events", "get", evt["id"])["deliveries"]), 1)

    def test_live_mode_wants_https_and_no_internal_hosts(self):
        live = Daemon(clock="system").start()
        self.addCleanup(live.cleanup)
        self.assertFails(live.ctl("webhooks", "add", "http://example.com/hooks", live=True), 5,
                         "https")
        self.assertFails(live.ctl("webhooks", "add", "https://127.0.0.1/hooks", live=True), 5,
                         "internal address 127.0.0.1")
        self.assertFails(live.ctl("webhooks", "add", "https://10.1.2.3/hooks", live=True), 5,
                         "internal address")
        self.assertFails(live.ctl("webhooks", "add", "https://[::1]/hooks", live=True), 5,
                         "internal address")
        self.assertEqual(live.ok("webhooks", "list", live=True), [])
        # Test mode keeps its own endpoints and takes http://127.0.0.1.
        live.ok("webhooks", "add", "http://127.0.0.1:9/")
        self.assertEqual(live.ok("webhooks", "list", live=True), [])
        self.assertEqual(len(live.ok("webhooks", "list")), 1)
        # The operator may allow internal hosts.
        allowed = Daemon(clock="system", extra_args=["--webhooks-allow-private"]).start()
        self.addCleanup(allowed.cleanup)
        e = allowed.ok("webhooks", "add", "https://127.0.0.1:9/hooks", live=True)
        self.assertTrue(e["livemode"])
        self.assertFails(allowed.ctl("webhooks", "add", "http://127.0.0.1:9/", live=True), 5,
                         "https")


class DeliveryTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.rx = Receiver()
        self.addCleanup(self.rx.close)

    def add(self, *extra):
        r = self.d.ctl("webhooks", "add", self.rx.url, *extra, output="json")
        self.assertEqual(r.rc, 0, r)
        return r.json

    def recorded(self, event_id, statuses, timeout=10):
        """`events get` once the deliveries' statuses are `statuses`: the receiver has a request
        before jopayd has committed the answer it got, so a test reading right away races."""
        deadline = time.time() + timeout
        while True:
            full = self.d.ok("events", "get", event_id)
            got = [d["status"] for d in full["deliveries"]]
            if got == statuses or time.time() > deadline:
                self.assertEqual(got, statuses)
                return full
            time.sleep(0.05)

    def test_full_lifecycle_every_event_arrives_signed_both_ways(self):
        endpoint = self.add()
        secret = endpoint["secret"]
        plan = self.d.plan(trial_days=7)["id"]
        args = ["subscriptions", "create", "--plan", plan, "--email", "ü@example.com", "--card",
                GOOD_CARD]
        for m in TRICKY_METADATA:
            args += ["--metadata", m]
        sub = self.d.ok(*args)["id"]
        self.d.advance("8d")     # trial_ending, then the first charge
        self.d.advance("1mo")    # renewed
        self.d.ok("subscriptions", "update", sub, "--card", FAILING_CARD)
        self.d.advance("1mo")    # payment_failed, retries
        self.d.advance("2d")
        self.d.ok("subscriptions", "update", sub, "--card", GOOD_CARD)  # retried at once
        self.d.ok("subscriptions", "pause", sub)
        self.d.ok("subscriptions", "resume", sub)
        self.d.ok("subscriptions", "cancel", sub)
        self.d.advance("2mo")    # expired
        events = self.d.events()
        types = {e["type"] for e in events}
        for t in ["subscription.created", "subscription.trial_ending", "subscription.renewed",
                  "subscription.payment_failed", "subscription.updated", "subscription.paused",
                  "subscription.resumed", "subscription.cancelled", "subscription.expired"]:
            self.assertIn(t, types)
        ids = [e["id"] for e in events]
        self.rx.wait_for(lambda got: {r.event_id for r in got} >= set(ids))
        time.sleep(0.3)
        got = self.rx.delivered()
        self.assertEqual(sorted(r.event_id for r in got), sorted(ids))  # each once, none lost
        by_id = {e["id"]: e for e in events}
        for r in got:
            with self.subTest(event=r.event_id):
                self.assertTrue(verify_jopay(r, secret))
                self.assertTrue(verify_standard(r, secret))
                self.assertFalse(verify_jopay(r, secret + "x"))
                body = r.json
                self.assertEqual(list(body), ["id", "event", "data", "created_at"])
                e = by_id[r.event_id]
                self.assertEqual((body["id"], body["event"], body["data"], body["created_at"]),
                                 (e["id"], e["type"], e["data"], e["created_at"]))
                self.assertEqual(r.headers["content-type"], "application/json")
                self.assertRegex(r.headers["user-agent"], r"^JoPay-Webhooks/\d+\.\d+\.\d+$")
                # Signed with the wall-clock time it left, though the manual clock says 2025
                # (created_at keeps the simulated time): a receiver's freshness check passes.
                t = int(r.headers["webhook-timestamp"])
                self.assertLessEqual(abs(r.at - t), 5)
                self.assertLess(unix(e["created_at"]), t - 86400 * 300)
                self.assertEqual(jopay_signatures(r.headers["x-jopay-signature"])[0], str(t))
        meta = got[0].json["data"]["metadata"]
        self.assertEqual(meta["10"], "line1\nline2\r\ttab")
        self.assertEqual(meta["2"], "ctl\x01\x1f end")
        self.assertEqual(meta["b"], "é😀\u2028 \"quoted\" </script> back\\slash")
        for result in node_verify(got, secret):
            self.assertEqual(result, {"ok": True})
        # Each object's sequences only grow, in the order its events were written.
        objects = {by_id[i]["object_id"] for i in ids}
        self.assertTrue(any(o.startswith("in_") for o in objects))  # the invoices' events too
        for obj in objects:
            seqs = [by_id[i]["data"]["sequence"] for i in ids if by_id[i]["object_id"] == obj]
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), obj)
        # Every attempt is on record.
        full = self.recorded(ids[-1], ["delivered"])
        [delivery] = full["deliveries"]
        self.assertEqual((delivery["status"], delivery["attempts"]), ("delivered", 1))
        [attempt] = full["attempts"]
        self.assertEqual((attempt["status_code"], attempt["response_excerpt"]), (200, "ok"))

    def test_checkout_events_arrive_signed_in_the_reference_shape(self):
        secret = self.add()["secret"]
        pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        paid = pub.ok("POST", "/api/checkout/v1/sessions", PAYMENT_BODY)
        self.assertEqual(self.d.ctl("sessions", "pay", paid["id"], "--card",
                                    "4000000000000002").rc, 5)
        self.assertEqual(self.d.ctl("sessions", "pay", paid["id"], "--card", GOOD_CARD).rc, 0)
        lapsed = pub.ok("POST", "/api/checkout/v1/sessions", PAYMENT_BODY)
        self.d.advance("31m")
        want = {("checkout.payment.failed", paid["id"]), ("checkout.session.completed", paid["id"]),
                ("checkout.session.expired", lapsed["id"])}
        self.rx.wait_for(lambda got: {(r.json["event"], r.json["data"]["id"]) for r in got} >= want)
        by_type = {r.json["event"]: r for r in self.rx.delivered()}
        for r in by_type.values():
            self.assertTrue(verify_jopay(r, secret))
            self.assertTrue(verify_standard(r, secret))
        for result in node_verify(list(by_type.values()), secret):
            self.assertEqual(result, {"ok": True})
        # The reference's checkout.session.completed payload, field for field (plus extras).
        completed = by_type["checkout.session.completed"].json
        data = completed["data"]
        self.assertEqual({k: data[k] for k in ("id", "status", "amount_cents", "currency",
                                               "customer_email", "metadata")},
                         {"id": paid["id"], "status": "completed", "amount_cents": 2500,
                          "currency": "eur", "customer_email": "customer@example.com",
                          "metadata": {"order_id": "12345"}})
        self.assertRegex(data["completed_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(completed["created_at"], r"Z$")
        failed = by_type["checkout.payment.failed"].json["data"]
        self.assertEqual((failed["id"], failed["status"]), (paid["id"], "pending"))
        self.assertLess(failed["sequence"], data["sequence"])
        expired = by_type["checkout.session.expired"].json["data"]
        self.assertEqual((expired["id"], expired["status"]), (lapsed["id"], "expired"))

    def test_update_sends_pending_retries_to_the_new_url_signed_by_the_same_secret(self):
        endpoint = self.d.ok("webhooks", "add", "http://127.0.0.1:9/hooks",  # nothing listens
                             "--events", "subscription.*")
        secret = endpoint["secret"]
        self.d.subscribe(self.d.plan()["id"], "a@example.com")
        [created] = self.d.events(type="subscription.created")
        deadline = time.time() + 10
        while not self.d.ok("events", "get", created["id"])["attempts"]:
            self.assertLess(time.time(), deadline, "the first attempt never happened")
            time.sleep(0.05)
        self.d.ok("webhooks", "update", endpoint["id"], "--url", self.rx.url)
        self.d.advance("6s")  # the 5 s retry goes to the new url
        self.rx.wait_for(lambda got: len(got) >= 1)
        [r] = self.rx.got()
        self.assertEqual(r.event_id, created["id"])
        verify_jopay(r, secret)
        verify_standard(r, secret)
        full = self.recorded(created["id"], ["delivered"])
        self.assertEqual([a["status_code"] for a in full["attempts"]], [None, 200])

    def test_event_type_filter(self):
        self.add("--events", "subscription.created")
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "a@example.com")
        self.d.advance("1mo")  # renewed: not wanted
        created = self.d.events(type="subscription.created")
        self.rx.wait_for(lambda got: len(got) >= 1)
        time.sleep(0.5)
        self.assertEqual([r.event_id for r in self.rx.got()], [created[0]["id"]])

    def test_webhooks_test_resend_and_events_get(self):
        e = self.add()
        r = self.d.ctl("webhooks", "test", e["id"], output=None)
        self.assertEqual(r.rc, 0, r)
        evt_id = r.out.strip()
        self.assertIn(f"<-- [200] POST {self.rx.url} [{evt_id}]", r.err)
        [first] = self.rx.got()
        self.assertEqual(first.json["event"], "webhook.test")
        self.assertTrue(verify_standard(first, e["secret"]))
        sent = self.d.ok("events", "resend", evt_id)
        self.assertEqual(len(sent["deliveries"]), 1)
        self.rx.wait_for(lambda got: len(got) == 2)
        self.assertEqual(self.rx.got()[1].event_id, evt_id)
        self.assertTrue(verify_jopay(self.rx.got()[1], e["secret"]))
        full = self.recorded(evt_id, ["delivered", "delivered"])
        self.assertEqual(len(full["attempts"]), 2)
        table = self.d.ctl("events", "get", evt_id, output="table")
        self.assertIn("deliveries:", table.out)
        self.assertIn("attempts:", table.out)
        # A failing test delivery exits 1 and says why.
        self.rx.answer = lambda n: (500, {}, b"boom")
        r = self.d.ctl("webhooks", "test", e["id"], output=None)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("<-- [500]", r.err)
        # A disabled endpoint takes no test and no resend.
        self.d.ok("webhooks", "disable", e["id"])
        self.assertFails(self.d.ctl("webhooks", "test", e["id"]), 5, "disabled")
        self.assertFails(self.d.ctl("events", "resend", evt_id), 5, "No enabled webhook endpoint")

    def test_events_list_since(self):
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "a@example.com")
        self.d.advance("1mo")
        all_events = self.d.events()
        later = self.d.ok("events", "list", "--since", "2025-02-15T00:00:00Z")
        # Newest first: the renewal, after the invoice it paid.
        self.assertEqual([e["type"] for e in later],
                         ["subscription.renewed", "invoice.paid", "invoice.created"])
        self.assertEqual(len(all_events), 6)


class ListenTest(DaemonTest):
    def test_listen_prints_and_forwards_signed_then_ctrl_c_ends_cleanly(self):
        rx = Receiver()
        self.addCleanup(rx.close)
        secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "old@example.com")  # before listening: not shown
        env = dict(os.environ, NO_COLOR="1")
        proc = subprocess.Popen([JOPAYCTL, "--socket", self.d.socket, "events", "listen",
                                 "--forward-to", rx.url, "--secret", secret,
                                 "--events", "subscription.created,subscription.renewed"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        self.assertIn("listening", proc.stderr.readline())
        sub = self.d.subscribe(plan, "new@example.com")["id"]
        self.d.ok("subscriptions", "cancel", sub)  # subscription.cancelled: filtered out
        self.d.advance("1mo")  # renewed (the first subscription's) and expired/renewed
        rx.wait_for(lambda got: len(got) >= 2)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped listening", err)
        wanted = [e for e in self.d.events() if e["type"] in
                  ("subscription.created", "subscription.renewed") and
                  e["data"]["customer_email"] != "old@example.com" or
                  e["type"] == "subscription.renewed"]
        lines = [l for l in out.splitlines() if l and not l.startswith("<--")]
        self.assertEqual([l.split()[2] for l in lines], [e["id"] for e in wanted])
        self.assertEqual([l.split()[1] for l in lines], [e["type"] for e in wanted])
        for e in wanted:
            self.assertIn(f"<-- [200] POST {rx.url} [{e['id']}]", out)
        self.assertEqual([r.event_id for r in rx.got()], [e["id"] for e in wanted])
        for r in rx.got():
            self.assertTrue(verify_jopay(r, secret))
            self.assertTrue(verify_standard(r, secret))
        for result in node_verify(rx.got(), secret):
            self.assertEqual(result, {"ok": True})

    def test_listen_ndjson_prints_whole_events(self):
        proc = subprocess.Popen([JOPAYCTL, "--socket", self.d.socket, "-o", "ndjson", "events",
                                 "listen"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        proc.stderr.readline()
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "a@example.com")["id"]
        # The first charge's invoice is issued and paid as the subscription is created.
        events = [json.loads(proc.stdout.readline()) for _ in range(3)]
        self.assertEqual([e["type"] for e in events],
                         ["invoice.created", "invoice.paid", "subscription.created"])
        self.assertEqual(events[2]["object_id"], sub)
        self.assertEqual(events[0]["data"]["subscription_id"], sub)
        self.assertEqual(events[1]["data"]["status"], "paid")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0)


if __name__ == "__main__":
    unittest.main()
