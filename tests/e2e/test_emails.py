"""Customer emails against a real SMTP relay (aiosmtpd, tests/e2e/smtp_sink.py): receipts with
their invoice PDF, payment failed with a working portal link, trial ending, cancelled and
expired; every message parsed with Python's email package. A relay down then up, and a kill -9
of jopayd in the middle of the queue: every email delivered exactly once. Kinds turned off,
bad input to `emails get|resend`, the password kept out of the log and status, STARTTLS with a
test CA."""
import email
import email.policy
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import FAILING_CARD, GOOD_CARD, Daemon
from webhook_receiver import make_ca

SINK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py")
FROM = "Café Ünïcode <billing@shop.example>"
PASSWORD = "S3cret-smtp-pässword!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """smtp_sink.py under /usr/bin/python3, writing what it takes to a directory."""

    def __init__(self, *args, port=None):
        self.dir = tempfile.mkdtemp(prefix="jopay-smtp-")
        self.port = port or free_port()
        self.args = list(args)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["/usr/bin/python3", SINK, self.dir, "--port", str(self.port),
                                      *self.args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"smtp_sink did not start: {line}{self.proc.stderr.read()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def files(self):
        return sorted(glob.glob(os.path.join(self.dir, "*.eml")))

    def messages(self):
        out = []
        for path in self.files():
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.default)
            with open(path[:-4] + ".json") as f:
                msg.envelope = json.load(f)
            out.append(msg)
        return out

    def wait(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.files()) >= n:
                return self.messages()
            time.sleep(0.05)
        raise AssertionError(f"the relay got {len(self.files())} messages, wanted {n}")


class EmailTest(unittest.TestCase):
    relay_args = ()
    extra = ()
    env = {}

    def setUp(self):
        self.relay = Relay(*self.relay_args)
        self.addCleanup(self.relay.close)
        self.d = self.daemon()
        # Whichever daemon self.d is by then: some tests replace it.
        self.addCleanup(lambda: self.d.cleanup())

    def daemon(self, *extra, relay=None, env=None):
        relay = relay or self.relay
        given = self.extra + extra
        tls = () if "--smtp-tls" in given else ("--smtp-tls", "none")
        args = ["--smtp-host", "127.0.0.1", "--smtp-port", str(relay.port), *tls,
                "--smtp-from", FROM, "--merchant-name", "Café Ünïcode",
                "--merchant-support-email", "help@shop.example",
                "--email-retry-schedule", "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s", *self.extra, *extra]
        return Daemon(extra_args=args, env=dict(self.env, **(env or {}))).start()

    def emails(self, *filters):
        return list(reversed(self.d.ok("emails", "list", "--limit", "1000", *filters)))

    def wait_sent(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            sent = self.emails("--status", "sent")
            if len(sent) >= n:
                return sent
            time.sleep(0.1)
        self.fail(f"{len(self.emails('--status', 'sent'))} emails sent, wanted {n}: {self.emails()}")

    def body(self, msg, subtype):
        part = msg.get_body(preferencelist=(subtype,))
        self.assertIsNotNone(part, f"no text/{subtype} part")
        return part.get_content().replace("\r\n", "\n")  # the wire's CRLF, as lines


class ReceiptsTest(EmailTest):
    def test_checkout_and_renewals_send_receipts_with_their_invoice_pdf(self):
        key = self.d.ok("keys", "create")["secret"]
        from checkout_client import API, Public
        pub = Public(self.d, key)
        plan = self.d.plan()["id"]
        session = pub.ok("POST", API + "/sessions", {
            "mode": "subscription", "plan": plan, "customer_email": "zoe@example.com",
            "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/no"})
        paid = self.d.ok("sessions", "pay", session["id"], "--card", GOOD_CARD,
                         "--name", "Zoë Ñandú")
        sub = paid["subscription_id"]
        self.d.advance("1mo")  # 2025-02-28: the second period
        self.d.advance("31d")  # 2025-03-31: the third
        messages = self.relay.wait(3)
        time.sleep(1)
        self.assertEqual(len(self.relay.files()), 3)  # one receipt per paid period, no more
        rows = self.emails()
        self.assertEqual([r["kind"] for r in rows], ["receipt"] * 3)
        self.assertEqual({r["status"] for r in rows}, {"sent"})
        self.assertEqual({r["subscription_id"] for r in rows}, {sub})
        self.assertTrue(all(r["object_id"].startswith("in_") for r in rows), rows)
        seen_ids, numbers = set(), set()
        for msg in messages:
            match = re.fullmatch(r"Receipt (\S+) from Café Ünïcode", msg["Subject"])
            self.assertIsNotNone(match, msg["Subject"])
            number = match.group(1)
            numbers.add(number)
            self.assertEqual(msg["From"].addresses[0].display_name, "Café Ünïcode")
            self.assertEqual(msg["From"].addresses[0].addr_spec, "billing@shop.example")
            self.assertEqual(msg["To"].addresses[0].display_name, "Zoë Ñandú")
            self.assertEqual(msg["To"].addresses[0].addr_spec, "zoe@example.com")
            self.assertEqual(msg["Reply-To"].addresses[0].addr_spec, "help@shop.example")
            self.assertEqual(msg.envelope["rcpt_tos"], ["zoe@example.com"])
            self.assertEqual(msg.envelope["mail_from"], "billing@shop.example")
            self.assertRegex(msg["Message-ID"], r"^<em_[0-9A-Za-z]{24}@shop\.example>$")
            seen_ids.add(msg["Message-ID"])
            self.assertIsNotNone(msg["Date"].datetime)
            self.assertIsNone(msg["List-Unsubscribe"])  # a receipt is not a reminder
            self.assertEqual(msg.get_content_type(), "multipart/mixed")
            alternative, attachment = msg.get_payload()
            self.assertEqual(alternative.get_content_type(), "multipart/alternative")
            self.assertEqual([p.get_content_type() for p in alternative.get_payload()],
                             ["text/plain", "text/html"])
            text = self.body(msg, "plain")
            self.assertIn("Hello Zoë Ñandú,", text)
            self.assertIn("14.99 EUR", text)
            self.assertIn(number, text)
            self.assertIn("<bdi>Zoë Ñandú</bdi>", self.body(msg, "html"))
            self.assertEqual(attachment.get_content_type(), "application/pdf")
            self.assertEqual(attachment.get_filename(), number + ".pdf")
            pdf = attachment.get_content()
            self.assertTrue(pdf.startswith(b"%PDF"))
            with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
                f.write(pdf)
                f.flush()
                pdf_text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True,
                                          text=True, check=True).stdout
            self.assertIn(number, pdf_text)
            for line in msg.as_bytes().split(b"\n"):
                self.assertLessEqual(len(line.rstrip(b"\r")), 78)
        self.assertEqual(len(seen_ids), 3)
        self.assertEqual(len(numbers), 3)  # three invoices, one receipt each
        # Each email shows its Message-ID, and the row its message.
        one = self.d.ok("emails", "get", rows[0]["id"])
        self.assertIn(one["message_id"], seen_ids)
        self.assertEqual(one["attempts"], 1)


class NoticesTest(EmailTest):
    def test_declined_renewal_sends_payment_failed_with_a_working_portal_link(self):
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "ana@example.com")["id"]
        self.d.ok("subscriptions", "update", sub, "--card", FAILING_CARD)
        self.d.advance("1mo")
        failed = [m for m in self.relay.wait(2) if "failed" in m["Subject"]]
        self.assertEqual(len(failed), 1)
        msg = failed[0]
        self.assertEqual(msg["Subject"], "Your payment to Café Ünïcode failed")
        text = self.body(msg, "plain")
        self.assertIn("Your card was declined.", text)
        self.assertIn("We will try again on", text)
        link = [w for w in text.split() if "/portal/" in w]
        self.assertEqual(len(link), 1, text)
        self.assertIn(link[0], self.body(msg, "html").replace("&amp;", "&"))
        with urllib.request.urlopen(link[0], timeout=10) as page:
            self.assertEqual(page.status, 200)
            self.assertIn(b"Your subscription", page.read())
        self.assertEqual([r["kind"] for r in self.emails("--kind", "payment_failed")],
                         ["payment_failed"])

    def test_trial_ending_cancelled_and_expired(self):
        plan = self.d.plan(trial_days=7)["id"]
        sub = self.d.subscribe(plan, "tom@example.com")["id"]
        self.d.advance("5d")  # the reminder comes 3 days before the trial ends
        trial = self.relay.wait(1)[0]
        self.assertEqual(trial["Subject"], "Your Pro Monthly trial ends on 7 February 2025")
        self.assertIn("14.99 EUR", self.body(trial, "plain"))
        unsubscribe = trial["List-Unsubscribe"]
        self.assertRegex(unsubscribe, r"^<http://127\.0\.0\.1:\d+/email/unsubscribe/cus_\S+>$")
        self.assertEqual(trial["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.d.ok("subscriptions", "cancel", sub)
        cancelled = self.relay.wait(2)[1]
        self.assertEqual(cancelled["Subject"], "Your Pro Monthly subscription is cancelled")
        self.assertIn("You keep\naccess until 7 February 2025", self.body(cancelled, "plain"))
        self.d.advance("3d")
        expired = self.relay.wait(3)[2]
        self.assertEqual(expired["Subject"], "Your Pro Monthly subscription has ended")
        self.assertIn("ended on 7 February 2025", self.body(expired, "plain"))
        kinds = [r["kind"] for r in self.emails()]
        self.assertEqual(kinds, ["trial_ending", "cancelled", "expired"])
        # The one-click unsubscribe (RFC 8058) turns reminders off, not notices.
        req = urllib.request.Request(unsubscribe[1:-1], data=b"List-Unsubscribe=One-Click",
                                     method="POST")
        with urllib.request.urlopen(req, timeout=10) as page:
            self.assertEqual(page.status, 200)
        sub2 = self.d.subscribe(plan, "tom@example.com")["id"]
        self.d.advance("5d")
        self.d.ok("subscriptions", "cancel", sub2)
        self.relay.wait(4)
        time.sleep(1)
        self.assertEqual([r["kind"] for r in self.emails()][3:], ["cancelled"])


class RelayTroubleTest(EmailTest):
    def test_relay_down_then_up_delivers_every_email_once(self):
        self.relay.stop()
        plan = self.d.plan()["id"]
        for i in range(3):
            self.d.subscribe(plan, f"c{i}@example.com")
        deadline = time.time() + 20
        while time.time() < deadline:
            rows = self.emails()
            if len(rows) == 3 and all(r["attempts"] >= 2 for r in rows):
                break
            time.sleep(0.1)
        self.assertTrue(all(r["status"] == "pending" and r["attempts"] >= 2 for r in rows), rows)
        self.assertIn("cannot connect", rows[0]["last_error"])
        status = self.d.ok("status")["email"]
        self.assertEqual((status["pending"], status["retrying"]), (3, 3))
        self.relay.start()
        self.wait_sent(3)
        time.sleep(2)
        messages = self.relay.messages()
        self.assertEqual(sorted(m["To"].addresses[0].addr_spec for m in messages),
                         ["c0@example.com", "c1@example.com", "c2@example.com"])
        self.assertEqual(len({m["Message-ID"] for m in messages}), 3)

    def test_kill_9_in_the_middle_of_the_queue_loses_none_and_sends_none_twice(self):
        slow = Relay("--delay", "0.4")
        self.addCleanup(slow.close)
        self.d.cleanup()
        self.d = self.daemon(relay=slow)
        plan = self.d.plan()["id"]
        n = 8
        for i in range(n):
            self.d.subscribe(plan, f"k{i}@example.com")
        marker = os.path.join(slow.dir, "data-started")
        deadline = time.time() + 20
        while time.time() < deadline:  # the 4th message is on the wire, not yet taken
            if os.path.exists(marker) and len(open(marker).read().splitlines()) >= 4:
                break
            time.sleep(0.01)
        self.assertEqual(self.d.stop(signal.SIGKILL), -signal.SIGKILL)
        taken = len(slow.files())
        self.assertLess(taken, n)
        self.d.start()
        slow.wait(n, timeout=30)
        time.sleep(2)
        messages = slow.messages()
        self.assertEqual(len(messages), n)
        self.assertEqual(len({m["Message-ID"] for m in messages}), n)
        self.assertEqual(sorted(m.envelope["rcpt_tos"][0] for m in messages),
                         sorted(f"k{i}@example.com" for i in range(n)))
        self.assertEqual({r["status"] for r in self.emails()}, {"sent"})

    def test_a_recipient_refused_for_good_fails_at_once(self):
        refusing = Relay("--reject", "nobody@")
        self.addCleanup(refusing.close)
        self.d.cleanup()
        self.d = self.daemon(relay=refusing)
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "nobody@example.com")
        deadline = time.time() + 10
        while time.time() < deadline and self.emails()[0]["status"] == "pending":
            time.sleep(0.1)
        row = self.emails()[0]
        self.assertEqual(row["status"], "failed")
        self.assertEqual(row["attempts"], 1)
        self.assertIn("550", row["last_error"])
        self.assertEqual(refusing.files(), [])
        self.assertEqual(self.d.ok("status")["email"]["failed"], 1)


class KindsOffTest(EmailTest):
    extra = ("--email-test-disabled", "receipt,cancelled")

    def test_a_kind_turned_off_sends_nothing(self):
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "off@example.com")["id"]
        self.d.ok("subscriptions", "cancel", sub, "--immediate")
        expired = self.relay.wait(1)  # expired is still on
        time.sleep(1.5)
        self.assertEqual([m["Subject"] for m in self.relay.messages()],
                         ["Your Pro Monthly subscription has ended"])
        self.assertEqual([r["kind"] for r in self.emails()], ["expired"])
        self.assertEqual(self.d.ok("status")["email"]["disabled"]["test"], ["cancelled", "receipt"])
        self.assertTrue(expired)

    def test_unknown_kinds_are_refused_at_start(self):
        d = Daemon(extra_args=["--smtp-host", "127.0.0.1", "--smtp-from", "a@shop.example",
                               "--email-live-disabled", "receipts"])
        self.addCleanup(d.cleanup)
        d.start(wait=False)
        self.assertEqual(d.proc.wait(timeout=10), 2)
        self.assertIn("'receipts' is not a kind of email", d.log())


class BadInputTest(EmailTest):
    def test_get_and_resend_answer_bad_input_clearly(self):
        r = self.d.ctl("emails", "get", "nope")
        self.assertEqual(r.rc, 5, r)
        self.assertIn("is not an email id", r.err)
        r = self.d.ctl("emails", "get", "em_" + "A" * 24)
        self.assertEqual(r.rc, 4, r)
        self.assertIn("No such email", r.err)
        r = self.d.ctl("emails", "resend", "em_" + "A" * 24)
        self.assertEqual(r.rc, 4, r)
        r = self.d.ctl("emails", "list", "--status", "bogus")
        self.assertEqual(r.rc, 2, r)
        status, body = self.d.api("GET", "/v1/emails?kind=bogus")
        self.assertEqual((status, body["error"]["param"]), (400, "kind"))
        r = self.d.ctl("emails", "list", "--customer", "nobody@example.com")
        self.assertEqual(r.rc, 4, r)
        # A resend of a sent email sends it again under the same Message-ID.
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "again@example.com")
        row = self.wait_sent(1)[0]
        again = self.d.ok("emails", "resend", row["id"])
        self.assertEqual((again["status"], again["resends"]), ("pending", 1))
        first, second = self.relay.wait(2)
        self.assertEqual(first["Message-ID"], second["Message-ID"])
        self.assertEqual(first["Subject"], second["Subject"])
        self.wait_sent(1)
        r = self.d.ctl("emails", "resend", row["id"])  # sent again: fine once more
        self.assertEqual(r.rc, 0, r)

    def test_resend_with_email_off_is_refused(self):
        off = Daemon()
        self.addCleanup(off.cleanup)
        off.start()
        r = off.ctl("emails", "resend", "em_" + "A" * 24)
        self.assertEqual(r.rc, 5, r)
        self.assertIn("smtp-host is not set", r.err)
        self.assertIsNone(off.ok("status")["email"])
        self.assertIn("off (smtp-host not set)", off.ok("status", output="table"))
        plan = off.plan()["id"]
        off.subscribe(plan, "quiet@example.com")
        self.assertEqual(off.ok("emails", "list"), [])  # nothing is queued without a relay


class AuthTest(EmailTest):
    relay_args = ("--auth", "shop:" + PASSWORD)
    extra = ("--smtp-user", "shop")
    env = {"JOPAY_SMTP_PASSWORD": PASSWORD}

    def test_auth_works_and_the_password_is_never_shown(self):
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "auth@example.com")
        msg = self.relay.wait(1)[0]
        self.assertEqual(msg.envelope["auth"], "shop")
        status = self.d.ctl("status", output="json").out + self.d.ctl("status", output="table").out
        self.assertIn("127.0.0.1:%d (none, auth)" % self.relay.port, status)
        wrong = self.daemon(env={"JOPAY_SMTP_PASSWORD": "wrong-" + PASSWORD})
        self.addCleanup(wrong.cleanup)
        wrong.subscribe(wrong.plan()["id"], "nope@example.com")
        deadline = time.time() + 10
        while time.time() < deadline and not wrong.ok("emails", "list")[0]["last_error"]:
            time.sleep(0.1)
        self.assertIn("535", wrong.ok("emails", "list")[0]["last_error"])
        for d in (self.d, wrong):
            shown = d.log() + d.ctl("status", output="json").out + \
                d.ctl("emails", "list", output="json").out
            self.assertNotIn(PASSWORD, shown)
            self.assertNotIn("S3cret", shown)
        self.assertNotIn(PASSWORD, subprocess.run([self.d.args()[0], "--help"],
                                                  capture_output=True, text=True).stdout)


class StartTlsTest(EmailTest):
    def setUp(self):
        self.certs = tempfile.mkdtemp(prefix="jopay-ca-")
        self.addCleanup(shutil.rmtree, self.certs, True)
        self.ca, cert, key = make_ca(self.certs)
        self.relay_args = ("--starttls", cert, key)
        self.extra = ("--smtp-tls", "starttls", "--smtp-ca-file", self.ca)
        super().setUp()

    def daemon(self, *extra, relay=None, env=None):
        d = super().daemon(*extra, relay=relay, env=env)
        return d

    def test_starttls_verifies_the_relay_and_refuses_an_unknown_one(self):
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "tls@example.com")
        msg = self.relay.wait(1)[0]
        self.assertTrue(msg.envelope["tls"])
        # The same relay, checked against another CA: nothing goes out.
        other = tempfile.mkdtemp(prefix="jopay-ca2-")
        self.addCleanup(shutil.rmtree, other, True)
        other_ca = make_ca(other)[0]
        self.d.cleanup()
        self.extra = ("--smtp-tls", "starttls", "--smtp-ca-file", other_ca)
        self.d = self.daemon()
        self.d.subscribe(self.d.plan()["id"], "tls2@example.com")
        deadline = time.time() + 10
        while time.time() < deadline and not self.emails()[0]["last_error"]:
            time.sleep(0.1)
        self.assertIn("certificate", self.emails()[0]["last_error"])
        self.assertEqual(len(self.relay.files()), 1)


if __name__ == "__main__":
    unittest.main()
