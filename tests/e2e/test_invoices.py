"""Invoices and credit notes end to end: every charge billed by a numbered invoice (gapless per
mode), paid, open and uncollectible as the money goes, voided and credited by jopayctl, rendered
as a hosted page and a PDF (read back with pdftotext), and listed on the public API."""
import os
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

from checkout_client import API, Public
from harness import JOPAYCTL, Daemon, DaemonTest, FAILING_CARD

MERCHANT = ("--merchant-name", "Acme Tools GmbH", "--merchant-address", "Acme Way 5|10115 Berlin",
            "--merchant-tax-id", "DE123456789", "--merchant-support-email", "billing@acme.example",
            "--invoice-prefix", "ACME-")


def fetch(url):
    """(status, content type, bytes) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], check=True,
                              capture_output=True, text=True).stdout


class InvoiceTest(DaemonTest):
    def setUp(self):
        self.d = Daemon(extra_args=MERCHANT).start()
        self.addCleanup(self.d.cleanup)

    def invoices(self, *filters):
        return list(reversed(self.d.ok("invoices", "list", "--limit", "100", *filters)))

    def test_a_year_of_renewals_is_billed_by_thirteen_numbered_paid_invoices(self):
        plan = self.d.plan(amount=1499)["id"]
        sub = self.d.subscribe(plan, "zoe@example.com")["id"]
        for _ in range(12):
            self.d.advance("1mo")
        self.d.advance("3d")  # 2026-01-31: the thirteenth period (a month from Jan 31 is Feb 28)
        invoices = self.invoices("--subscription", sub)
        self.assertEqual([i["number"] for i in invoices],
                         ["ACME-TEST-%06d" % n for n in range(1, 14)])
        self.assertEqual({i["status"] for i in invoices}, {"paid"})
        self.assertEqual([i["billing_reason"] for i in invoices],
                         ["subscription_create"] + ["subscription_cycle"] * 12)
        # One invoice per period, each period's: the payments point at them.
        payments = self.d.payments(sub)
        self.assertEqual([(i["period_start"], i["total"], i["amount_paid"]) for i in invoices],
                         [(p["period_start"], 1499, 1499) for p in payments])
        first = self.d.ok("invoices", "get", invoices[0]["id"])
        self.assertEqual(first["merchant"], {
            "name": "Acme Tools GmbH", "address": "Acme Way 5\n10115 Berlin",
            "tax_id": "DE123456789", "support_email": "billing@acme.example", "logo_url": ""})
        self.assertEqual(first["customer_email"], "zoe@example.com")
        self.assertEqual([(p["id"], p["status"]) for p in first["payments"]],
                         [(payments[0]["id"], "paid")])
        self.assertEqual(first["lines"], [{
            "description": "Pro Monthly", "period_start": invoices[0]["period_start"],
            "period_end": invoices[0]["period_end"], "quantity": 1, "unit_amount": 1499,
            "amount": 1499}])
        # invoice.created and invoice.paid for each, in that order.
        for inv in (invoices[0], invoices[-1]):
            self.assertEqual([e["type"] for e in self.d.events(inv["id"])],
                             ["invoice.created", "invoice.paid"])

    def test_a_declined_period_keeps_one_open_invoice_through_its_retries_then_uncollectible(self):
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "ana@example.com")["id"]
        self.d.ok("subscriptions", "update", sub, "--card", FAILING_CARD)
        self.d.advance("1mo")
        [_, open_inv] = self.invoices("--subscription", sub)
        self.assertEqual((open_inv["status"], open_inv["amount_paid"], open_inv["amount_due"]),
                         ("open", 0, 1499))
        self.assertEqual(self.invoices("--status", "open"), [open_inv])
        self.d.advance("20d")  # every retry, then the expiry
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["status"], "expired")
        attempts = [p for p in self.d.payments(sub) if p["period_start"] == open_inv["period_start"]]

        self.assertGreater(len(attempts), 1)
        invoices = self.invoices("--subscription", sub)
        self.assertEqual(len(invoices), 2)  # the retries billed the same invoice
        self.assertEqual(invoices[1]["status"], "uncollectible")
        self.assertEqual(invoices[1]["number"], open_inv["number"])
        # The invoice lists every attempt that billed it.
        billed = self.d.ok("invoices", "get", open_inv["id"])["payments"]
        self.assertEqual([(p["id"], p["attempt"], p["status"]) for p in billed],
                         [(p["id"], p["attempt"], "failed") for p in attempts])

    def test_void_only_an_open_invoice_and_bad_ids_change_nothing(self):
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "v@example.com")["id"]
        self.d.ok("subscriptions", "update", sub, "--card", FAILING_CARD)
        self.d.advance("1mo")
        [paid, open_inv] = self.invoices()
        voided = self.d.ok("invoices", "void", open_inv["id"], "--reason", "agreed by phone")
        self.assertEqual((voided["status"], voided["number"]), ("void", open_inv["number"]))
        self.assertIsNotNone(voided["voided_at"])
        self.assertEqual([e["type"] for e in self.d.events(open_inv["id"])],
                         ["invoice.created", "invoice.voided"])
        for bad, code, words in ((paid["id"], 5, "open"), (open_inv["id"], 5, "open"),
                                 ("in_nope", 4, "No such invoice")):
            with self.subTest(invoice=bad):
                r = self.d.ctl("invoices", "void", bad)
                self.assertEqual(r.rc, code, r)
                self.assertIn(words, r.err)
        self.assertEqual(self.d.ok("invoices", "get", paid["id"])["status"], "paid")

    def test_credit_notes_are_numbered_refund_what_was_paid_and_never_more(self):
        plan = self.d.plan(amount=2000)["id"]
        sub = self.d.subscribe(plan, "c@example.com")["id"]
        [inv] = self.invoices()
        [payment] = self.d.payments(sub)
        note = self.d.ok("invoices", "credit", inv["id"], "--amount", "500",
                         "--reason", "one week of outage")
        self.assertEqual((note["object"], note["number"], note["status"]),
                         ("credit_note", "ACME-TEST-CN-000001", "issued"))
        self.assertEqual(note["total"], 500)  # what it credits, as Stripe's credit notes
        self.assertEqual(note["credit_for"], inv["id"])
        self.assertEqual(note["reason"], "one week of outage")
        self.assertEqual((note["refund"]["amount"], note["refund"]["payment_id"]),
                         (500, payment["id"]))
        after = self.d.ok("payments", "get", payment["id"])
        self.assertEqual(after["amount_refunded"], 500)
        self.assertEqual(self.d.ok("invoices", "get", inv["id"])["amount_credited"], 500)
        # The invoice itself is unchanged: still paid, same total.
        self.assertEqual((self.d.ok("invoices", "get", inv["id"])["status"],
                          self.d.ok("invoices", "get", inv["id"])["total"]), ("paid", 2000))
        bad = [
            (("--amount", "1501", "--reason", "x"), 5, "amount"),  # only 1500 is left
            (("--amount", "0", "--reason", "x"), 5, "amount"),
            (("--amount", "-5", "--reason", "x"), 5, "amount"),
            (("--amount", "99999999999999999999", "--reason", "x"), 2, "amount"),
            (("--amount", "500",), 2, "reason"),
            (("--amount", "500", "--reason", ""), 5, "reason"),
        ]
        for args, code, words in bad:
            with self.subTest(args=args):
                r = self.d.ctl("invoices", "credit", inv["id"], *args)
                self.assertEqual(r.rc, code, r)
                self.assertIn(words, r.err)
        # The admin API refuses what the CLI would not send: JSON error, nothing written.
        for body in ({"amount": 2 ** 63, "reason": "x"}, {"amount": 1.5, "reason": "x"},
                     {"amount": 5, "reason": "x" * 201}, {"amount": 5, "reason": "x", "extra": 1},
                     {"amount": "5", "reason": "x"}):
            with self.subTest(body=body):
                status, answer = self.d.api("POST", f"/v1/invoices/{inv['id']}/credit", body)
                self.assertEqual(status, 400, answer)
                self.assertIn("error", answer)
        self.assertEqual(len(self.d.ok("invoices", "list")), 2)  # no note was written
        self.assertEqual(self.d.ok("payments", "get", payment["id"])["amount_refunded"], 500)
        # The rest, then nothing is left to credit.
        second = self.d.ok("invoices", "credit", inv["id"], "--amount", "1500", "--reason", "rest")
        self.assertEqual(second["number"], "ACME-TEST-CN-000002")
        self.assertEqual(self.d.ok("payments", "get", payment["id"])["status"], "refunded")
        self.assertEqual(self.d.ctl("invoices", "credit", inv["id"], "--amount", "1",
                                    "--reason", "x").rc, 5)
        self.assertEqual([e["type"] for e in self.d.events(type="credit_note.created")],
                         ["credit_note.created"] * 2)

    def test_pdf_and_hosted_page_by_jopayctl_and_signed_links(self):
        plan = self.d.plan(name="Pro Monthly", amount=1499)["id"]
        self.d.subscribe(plan, "lee@example.com")
        [inv] = self.invoices()
        out = os.path.join(self.d.root, "inv.pdf")
        r = self.d.ctl("invoices", "pdf", inv["id"], "--output", out, output=None)
        self.assertEqual(r.rc, 0, r)
        with open(out, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"%PDF-"))
        text = pdf_text(data)
        for words in ("ACME-TEST-000001", "Acme Tools GmbH", "DE123456789", "Pro Monthly",
                      "14.99 EUR", "lee@example.com", "PAID"):
            self.assertIn(words, text)
        # Byte-stable: to stdout, and again, the same bytes.
        again = subprocess.run([JOPAYCTL, "--socket", self.d.socket, "invoices", "pdf", inv["id"]],
                               capture_output=True)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, data)
        # The public API hands out the signed links; they work without a key.
        key = self.d.ok("keys", "create")["secret"]
        pub = Public(self.d, key)
        listed = pub.ok("GET", API + "/invoices?customer_email=lee@example.com")
        self.assertEqual(listed["has_more"], False)
        [shown] = listed["invoices"]
        self.assertEqual((shown["id"], shown["number"], shown["total_cents"], shown["status"]),
                         (inv["id"], "ACME-TEST-000001", 1499, "paid"))
        self.assertEqual(pub.ok("GET", API + "/invoices/" + inv["id"])["pdf_url"], shown["pdf_url"])
        status, ctype, body = fetch(shown["pdf_url"])
        self.assertEqual((status, ctype), (200, "application/pdf"))
        self.assertEqual(body, data)
        status, ctype, page = fetch(shown["hosted_invoice_url"])
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/html"))
        self.assertIn(b"ACME-TEST-000001", page)
        self.assertIn(b"Acme Tools GmbH", page)
        # A link for another invoice, a changed token, or none: 404, nothing shown.
        for url in (shown["pdf_url"].replace(inv["id"], "in_0000000000000000000000"),
                    shown["pdf_url"][:-2] + ("00" if not shown["pdf_url"].endswith("00") else "11"),
                    shown["pdf_url"].split("?")[0],
                    shown["hosted_invoice_url"].split("?")[0]):
            with self.subTest(url=url):
                status, _, body = fetch(url)
                self.assertEqual(status, 404)
                self.assertNotIn(b"ACME", body)

    def test_public_api_bad_input_and_keys(self):
        plan = self.d.plan()["id"]
        self.d.subscribe(plan, "p@example.com")
        key = self.d.ok("keys", "create")["secret"]
        pub = Public(self.d, key)
        self.assertEqual(pub.call("GET", API + "/invoices", key=None)[0], 401)
        for query, param in (("?customer_email=not-an-email", "customer_email"),
                             ("?status=pending", "status"),
                             ("?limit=0", "limit"),
                             ("?colour=blue", "colour")):
            with self.subTest(query=query):
                code, answer, headers = pub.call("GET", API + "/invoices" + query)
                self.assertEqual(code, 400, answer)
                self.assertTrue(headers["content-type"].startswith("application/json"))
                self.assertIn(param, str(answer))
        code, answer, _ = pub.call("GET", API + "/invoices/in_nope")
        self.assertEqual(code, 404, answer)
        # Live keys see live invoices only: there are none.
        self.assertEqual(pub.ok("GET", API + "/invoices?customer_email=p@example.com")["invoices"][0]
                         ["customer_email"], "p@example.com")

    def test_jopayctl_bad_input(self):
        for args, code in ((("invoices", "get", "in_nope"), 4),
                           (("invoices", "list", "--status", "pending"), 2),
                           (("invoices", "pdf", "in_nope", "--output", "/tmp/x.pdf"), 4),
                           (("invoices", "credit", "in_nope", "--amount", "1", "--reason", "x"), 4),
                           (("invoices", "void"), 2)):
            with self.subTest(args=args):
                r = self.d.ctl(*args)
                self.assertEqual(r.rc, code, r)
                self.assertTrue(r.err.startswith("jopayctl: "), r.err)
        self.assertFalse(os.path.exists("/tmp/x.pdf") and os.path.getsize("/tmp/x.pdf") > 0)

    def test_customer_address_and_tax_id_go_on_later_invoices_only(self):
        plan = self.d.plan()["id"]
        sub = self.d.subscribe(plan, "firm@example.com")["id"]
        cus = self.d.ok("subscriptions", "get", sub)["customer_id"]
        updated = self.d.ok("customers", "update", "firm@example.com", "--name", "Firma Müller",
                            "--address", "Hauptstr. 1|10115 Berlin", "--tax-id", "DE999")
        self.assertEqual((updated["id"], updated["name"], updated["address"], updated["tax_id"]),
                         (cus, "Firma Müller", "Hauptstr. 1\n10115 Berlin", "DE999"))
        self.d.advance("1mo")
        [first, second] = self.invoices()
        self.assertEqual((first["customer_address"], first["customer_tax_id"]), ("", ""))
        self.assertEqual((second["customer_name"], second["customer_address"],
                          second["customer_tax_id"]),
                         ("Firma Müller", "Hauptstr. 1\n10115 Berlin", "DE999"))
        text = pdf_text(self.pdf(second["id"]))
        for words in ("Firma Müller", "Hauptstr. 1", "10115 Berlin", "DE999"):
            self.assertIn(words, text)
        # Bad input: a clear error, nothing changed.
        for body, param in (({"address": "x" * 301}, "address"), ({"tax_id": "a\nb"}, "tax_id"),
                            ({"name": "a\u0000b"}, "name"), ({"colour": "red"}, "colour"),
                            ({}, "nothing"), ({"tax_id": 5}, "tax_id")):
            with self.subTest(body=body):
                status, answer = self.d.api("POST", f"/v1/customers/{cus}", body)
                self.assertEqual(status, 400, answer)
                self.assertIn(param, str(answer))
        status, _ = self.d.api("POST", "/v1/customers/cus_nope", {"tax_id": "X"})
        self.assertEqual(status, 404)
        self.assertEqual(self.d.ctl("customers", "update", cus).rc, 5)  # nothing to change
        self.assertEqual(self.d.ok("customers", "get", cus)["tax_id"], "DE999")

    def pdf(self, invoice_id):
        r = subprocess.run([JOPAYCTL, "--socket", self.d.socket, "invoices", "pdf", invoice_id],
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_numbers_survive_a_restart_and_a_new_prefix_takes_only_new_numbers(self):
        plan = self.d.plan()["id"]
        for i in range(3):
            self.d.subscribe(plan, f"n{i}@example.com")
        self.d.stop()
        d2 = Daemon(data_dir=self.d.root,
                    extra_args=MERCHANT[:-2] + ("--invoice-prefix", "NEW-")).start()
        self.addCleanup(d2.cleanup)
        d2.subscribe(d2.plan()["id"], "n3@example.com")
        numbers = [i["number"] for i in reversed(d2.ok("invoices", "list"))]
        self.assertEqual(numbers, ["ACME-TEST-000001", "ACME-TEST-000002", "ACME-TEST-000003",
                                   "NEW-TEST-000004"])


if __name__ == "__main__":
    unittest.main()
