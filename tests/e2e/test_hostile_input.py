"""Text that must not get in (issue 16, item 5): bytes that are not UTF-8, NUL and control
characters and huge values on the hosted form and the JSON APIs are refused with a clear 4xx
and change nothing; error answers are valid JSON and never carry the refused bytes; rows
stored before these checks (bytes that are not UTF-8) no longer break the admin lists, `events
get` or the webhook that carries them."""
import json
import os
import sqlite3
import unittest
from urllib.parse import quote_from_bytes

from checkout_client import API, PAYMENT_BODY
from pages_client import PagesTest
from webhook_receiver import Receiver


def strict_json(raw):
    """The body as JSON, failing unless it is valid UTF-8 (Python's json would not check)."""
    return json.loads(raw.decode("utf-8", errors="strict"))


class HostileTextTest(PagesTest):
    def form_of(self, session_id, **fields):
        token = self.get(f"/checkout/{session_id}").field("token")
        return dict({"token": token}, **fields)

    def post_raw_form(self, path, pairs):
        """A form body built from bytes, as a hostile client sends it."""
        body = "&".join(f"{k.decode()}={quote_from_bytes(v)}" for k, v in pairs)
        return self.post(path, raw=body, content_type="application/x-www-form-urlencoded")

    def test_hosted_form_refuses_bad_text_and_stores_nothing(self):
        body = dict(PAYMENT_BODY)
        del body["customer_email"]  # the form asks for it
        s = self.create(body)
        before = self.snapshot()
        token = self.form_of(s["id"])["token"].encode()
        card = b"4242424242424242"
        cases = (
            ("email not UTF-8", [(b"email", b"\xff\xfe@example.com"), (b"name", b"Zoe")]),
            ("name not UTF-8", [(b"email", b"zoe@example.com"), (b"name", b"Zo\xff")]),
            ("NUL in the name", [(b"email", b"zoe@example.com"), (b"name", b"Zo\x00e")]),
            ("900 KB name", [(b"email", b"zoe@example.com"), (b"name", b"x" * 900_000)]),
            ("control character in the email", [(b"email", b"zoe\x07@example.com")]),
        )
        for what, pairs in cases:
            page = self.post_raw_form(f"/checkout/{s['id']}",
                                      [(b"token", token), (b"card", card)] + pairs)
            self.assertIn(page.status, (400, 413), (what, page))
            self.assertNotIn("\ufffd", page.text, what)  # the bytes are not shown again
            self.assertNotIn("x" * 1000, page.text, what)
            self.assertEqual(self.status_of(s["id"]), "pending", what)
            self.assertEqual(self.snapshot(), before, what)
        # The same form with good text pays.
        page = self.post_raw_form(f"/checkout/{s['id']}", [
            (b"token", token), (b"card", card), (b"email", "zoë@example.com".encode()),
            (b"name", "Zoë Ωμέγα".encode())])
        self.assertEqual(page.status, 303, page)
        customer = self.d.ok("customers", "get", "zoë@example.com")
        self.assertEqual(customer["name"], "Zoë Ωμέγα")

    def status_of(self, session_id):
        return self.pub.ok("GET", f"{API}/sessions/{session_id}")["status"]

    def test_json_apis_refuse_control_characters_and_bad_bytes(self):
        before = self.snapshot()
        for body, param in (
                (dict(PAYMENT_BODY, customer_email="a\u0000b@example.com"), "customer_email"),
                (dict(PAYMENT_BODY, client_reference_id="ref\u0007"), "client_reference_id"),
                (dict(PAYMENT_BODY, line_items=[{"name": "Beans\u0000", "amount": 100,
                                                 "currency": "eur"}]), "line_items[0].name")):
            status, answer, _ = self.pub.call("POST", API + "/sessions", body)
            self.assertEqual((status, answer["error"]["param"]), (400, param), answer)
        # A body whose bytes are not UTF-8 at all.
        raw = json.dumps(PAYMENT_BODY).replace("Premium", "Pr\udcffmium").encode(
            "utf-8", errors="surrogateescape")
        status, answer, _ = self.pub.call("POST", API + "/sessions", raw=raw)
        self.assertEqual(status, 400, answer)
        self.assertEqual(self.snapshot(), before)

    def test_api_routes_take_json_bodies_only(self):
        before = self.snapshot()
        for content_type in ("application/x-www-form-urlencoded", "text/plain"):
            status, answer, _ = self.pub.call("POST", API + "/sessions", PAYMENT_BODY,
                                              headers={"Content-Type": content_type})
            self.assertEqual((status, answer["error"]["code"]),
                             (415, "content_type_unsupported"), content_type)
        self.assertEqual(self.snapshot(), before)
        self.pub.ok("POST", API + "/sessions", PAYMENT_BODY,
                    headers={"Content-Type": "application/json; charset=utf-8"})

    def test_error_answers_never_echo_raw_bytes(self):
        for path in ("/api/v1/plans/%FF%FE", f"{API}/sessions/cs_%FF%00x",
                     f"{API}/subscriptions/%C0%AF"):
            conn_status, raw, _ = self.raw_get(path)
            self.assertEqual(conn_status, 404, (path, raw))
            answer = strict_json(raw)
            self.assertEqual(set(answer), {"error"}, path)
            self.assertNotIn("\x00", answer["error"]["message"])

    def raw_get(self, path):
        import http.client
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {self.key}"})
            resp = conn.getresponse()
            return resp.status, resp.read(), resp.getheaders()
        finally:
            conn.close()


class StoredBadBytesTest(PagesTest):
    """Rows written by an earlier jopayd, before inputs were checked."""

    def test_lists_events_and_webhooks_survive_rows_that_are_not_utf8(self):
        sub = self.d.subscribe(self.d.plan()["id"], "old@example.com")
        [event] = [e for e in self.d.events(sub["id"]) if e["type"] == "subscription.created"]
        self.d.stop()
        db = sqlite3.connect(os.path.join(self.d.data_dir, "jopay.db"))
        with db:
            db.execute("UPDATE customers SET name = CAST(? AS TEXT)", (b"Zo\xff\xfe",))
            raw = json.dumps(event["data"]).replace("old@example.com", "ol\udcffd@example.com")
            db.execute("UPDATE events SET data = CAST(? AS TEXT) WHERE id = ?",
                       (raw.encode("utf-8", errors="surrogateescape"), event["id"]))
        db.close()
        self.d.start()
        for args in (("customers", "list"), ("events", "list"), ("events", "get", event["id"]),
                     ("subscriptions", "get", sub["id"])):
            self.d.ok(*args)  # exit 0 and JSON
        status, body = self.d.api("GET", "/v1/customers")
        self.assertEqual(status, 200)
        self.assertEqual(body["data"][0]["name"], "Zo\ufffd\ufffd")
        got = self.d.ok("events", "get", event["id"])
        self.assertIn("\ufffd", json.dumps(got["data"], ensure_ascii=False))
        # Its webhook leaves, as valid JSON.
        rx = Receiver()
        self.addCleanup(rx.close)
        self.d.ok("webhooks", "add", rx.url)
        self.d.ok("events", "resend", event["id"])
        rx.wait_for(lambda got: len(got) >= 1)
        sent = [r for r in rx.got() if r.event_id == event["id"]]
        self.assertEqual(len(sent), 1)
        strict_json(sent[0].body)


if __name__ == "__main__":
    unittest.main()
