"""Every page at once: `--all` on list commands and `jopayctl export` as CSV (RFC 4180,
spreadsheet-safe) or NDJSON, against a real jopayd with more rows than a page holds."""
import csv
import io
import json
import os
import subprocess
import unittest

from harness import JOPAYCTL, Daemon

N = 260  # subscriptions made through jopayctl: with --limit 7, 38 pages
PAGE = "7"
# A customer whose email and name a spreadsheet would run, split or break on.
NASTY_EMAIL = '=hyperlink("x"),q@example.com'
NASTY_NAME = 'Smith, "Ann"\r\n@SUM(1+1)'


class ExportTest(unittest.TestCase):
    """One daemon for the class: making N subscriptions takes a while."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon().start()
        try:
            cls.plan = cls.d.plan(name="Pro, \"monthly\"")
            for i in range(N):
                cls.d.subscribe(cls.plan["id"], f"user{i:03d}@example.com")
            status, body = cls.d.api("POST", "/v1/subscriptions", {
                "plan": cls.plan["id"], "email": NASTY_EMAIL, "name": NASTY_NAME,
                "card": "4242424242424242"})
            assert status in (200, 201), body
            cls.d.plan(name="Archived")
            cls.d.ok("plans", "archive", cls.d.ok("plans", "list")[0]["id"])
        except Exception:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def everything(self, noun):
        """Every object of a collection, newest first, from the admin API in one page."""
        status, body = self.d.api("GET", f"/v1/{noun}?limit=1000")
        self.assertEqual(status, 200, body)
        self.assertFalse(body["has_more"])
        return body["data"]

    def raw(self, *args):
        """jopayctl with stdout as bytes: CSV's CRLF must survive."""
        return subprocess.run([JOPAYCTL, "--socket", self.d.socket, *args], capture_output=True,
                              env=dict(os.environ, NO_COLOR="1"), timeout=300)

    # --all on list commands.

    def test_all_ndjson_streams_every_row_once_in_order(self):
        for noun in ("subscriptions", "customers", "payments", "events"):
            with self.subTest(noun=noun):
                want = self.everything(noun)
                self.assertGreater(len(want), int(PAGE) * 3)
                r = self.d.ctl(noun, "list", "--all", "--limit", PAGE, output="ndjson")
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.err, "")  # no "more results" note: there are none
                got = [json.loads(line) for line in r.out.splitlines()]
                self.assertEqual([o["id"] for o in got], [o["id"] for o in want])
                self.assertEqual(got, want)

    def test_all_json_is_one_array_of_every_row(self):
        want = self.everything("subscriptions")
        r = self.d.ctl("subscriptions", "list", "--all", "--limit", PAGE, output="json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json, want)
        # The same bytes as the one-page list of them all.
        one_page = self.d.ctl("subscriptions", "list", "--limit", "1000", output="json")
        self.assertEqual(r.out, one_page.out)

    def test_all_table_has_one_header_and_every_row(self):
        want = [o["id"] for o in self.everything("customers")]
        r = self.d.ctl("customers", "list", "--all", "--limit", PAGE, output="table")
        self.assertEqual(r.rc, 0, r)
        lines = r.out.splitlines()
        self.assertRegex(lines[0], r"^ID\s+EMAIL")
        self.assertEqual(sum(1 for line in lines if line.startswith("ID ")), 1)
        # The nasty name's line break splits its row in the table; ids start rows.
        ids = [line.split()[0] for line in lines[1:] if line.startswith("cus_")]
        self.assertEqual(ids, want)

    def test_all_ids_and_resuming_after_an_id(self):
        want = [o["id"] for o in self.everything("payments")]
        r = self.d.ctl("payments", "list", "--all", "--limit", PAGE, output="id")
        self.assertEqual(r.out.splitlines(), want)
        # --all with --starting-after: every page after that id.
        r = self.d.ctl("payments", "list", "--all", "--limit", PAGE, "--starting-after",
                       want[99], output="id")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.splitlines(), want[100:])

    def test_without_all_one_page_and_a_note(self):
        r = self.d.ctl("subscriptions", "list", "--limit", PAGE, output="id")
        self.assertEqual(len(r.out.splitlines()), int(PAGE))
        self.assertIn("--starting-after", r.err)
        self.assertIn("--all", r.err)

    def test_plans_include_archived_is_its_own_flag(self):
        active = self.d.ok("plans", "list", "--all")
        self.assertEqual([p["name"] for p in active], ['Pro, "monthly"'])
        every = self.d.ok("plans", "list", "--all", "--include-archived", "--limit", "1")
        self.assertEqual([p["name"] for p in every], ["Archived", 'Pro, "monthly"'])

    # export.

    def parse_csv(self, data):
        self.assertTrue(data.endswith(b"\r\n"))
        return list(csv.reader(io.StringIO(data.decode(), newline="")))

    def test_export_subscriptions_csv_is_every_row(self):
        r = self.raw("export", "subscriptions", "--page-size", PAGE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")
        rows = self.parse_csv(r.stdout)
        header, body = rows[0], rows[1:]
        self.assertEqual(header[:4], ["id", "status", "customer_id", "customer_email"])
        want = self.everything("subscriptions")
        self.assertEqual(len(body), len(want))
        for row, sub in zip(body, want):
            rec = dict(zip(header, row))
            self.assertEqual(rec["id"], sub["id"])
            self.assertEqual(rec["amount_cents"], "1499")
            self.assertEqual(rec["currency"], "eur")
            self.assertEqual(rec["current_period_end"], sub["current_period_end"])
            self.assertRegex(rec["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(rec["plan_name"], 'Pro, "monthly"')
            self.assertEqual(rec["cancel_at_period_end"], "false")
            self.assertEqual(rec["canceled_at"], "")  # null: an empty cell
        # Every line but those inside the quoted name ends in CRLF, none in a bare LF.
        self.assertEqual(r.stdout.count(b"\n"), r.stdout.count(b"\r\n"))

    def test_export_customers_defuses_formulas_and_round_trips_text(self):
        r = self.raw("export", "customers", "--page-size", PAGE)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = self.parse_csv(r.stdout)
        self.assertEqual(rows[0], ["id", "email", "name", "created_at"])
        want = self.everything("customers")
        self.assertEqual([row[0] for row in rows[1:]], [c["id"] for c in want])
        nasty = [row for row in rows if "hyperlink" in row[1]]
        self.assertEqual(len(nasty), 1)
        stored = next(c for c in want if c["id"] == nasty[0][0])
        # Formula-like text starts with a quote, which spreadsheets show as text; the rest
        # is exactly what jopayd holds, commas, quotes and line breaks included.
        self.assertEqual(nasty[0][1], "'" + stored["email"])
        self.assertEqual(nasty[0][2], stored["name"])  # starts with S: left alone
        self.assertEqual(stored["name"], NASTY_NAME)
        self.assertIn(b'"Smith, ""Ann""\r\n@SUM(1+1)"', r.stdout)

    def test_export_payments_with_emails_to_a_file(self):
        path = os.path.join(self.d.root, "payments.csv")
        r = self.d.ctl("export", "payments", "--page-size", PAGE, "--output-file", path,
                       output=None)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, "")
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        want = self.everything("payments")
        self.assertEqual([row["id"] for row in rows], [p["id"] for p in want])
        self.assertEqual(len(rows), N + 1)
        emails = {c["id"]: c["email"] for c in self.everything("customers")}
        for row in rows:
            self.assertEqual(row["customer_email"].lstrip("'"), emails[row["customer_id"]])
            self.assertEqual(row["amount"], "1499")
            self.assertEqual(row["status"], "paid")
        self.assertFalse(os.path.exists(path + ".partial"))

    def test_export_ndjson_and_filters(self):
        r = self.d.ctl("export", "subscriptions", "--format", "ndjson", "--email",
                       "user007@example.com", output=None)
        self.assertEqual(r.rc, 0, r)
        got = [json.loads(line) for line in r.out.splitlines()]
        self.assertEqual([s["customer_email"] for s in got], ["user007@example.com"])
        r = self.raw("export", "customers", "--search", "user01")
        self.assertEqual(len(self.parse_csv(r.stdout)), 1 + 10)  # user010 .. user019

    def test_bad_input_is_refused_with_a_documented_status(self):
        cases = [
            (("export", "foo"), 2, "unknown export command: foo"),
            (("export",), 2, "export needs a command"),
            (("export", "payments", "--format", "xml"), 2, "xml"),
            (("export", "payments", "--page-size", "ten"), 2, "--page-size"),
            (("export", "payments", "--page-size", "0"), 5, "limit"),
            (("export", "customers", "--output-file", "/nonexistent/dir/c.csv"), 5,
             "cannot write /nonexistent/dir/c.csv"),
            (("subscriptions", "list", "--all", "--limit", "0"), 5, "limit"),
        ]
        for args, rc, message in cases:
            with self.subTest(args=args):
                r = self.d.ctl(*args, output=None)
                self.assertEqual(r.rc, rc, r)
                self.assertEqual(r.out, "")
                self.assertTrue(r.err.startswith("jopayctl: error: "), r)
                self.assertIn(message, r.err)


if __name__ == "__main__":
    unittest.main()
