"""`jopayctl subscriptions import`: NDJSON in, all or nothing, line numbers in errors, and
imported subscriptions then live on the billing schedule like any other."""
import json
import os
import re
import tempfile
import unittest
from datetime import datetime, timedelta, timezone

from harness import DaemonTest

NOW = "2025-01-31T10:00:00Z"


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def format_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(d):
    def items(path):
        status, body = d.api("GET", path)
        assert status == 200, (path, status, body)
        return body["data"]
    return {
        "plans": items("/v1/plans?active=all&limit=1000"),
        "subscriptions": items("/v1/subscriptions?limit=1000"),
        "customers": items("/v1/customers?limit=1000"),
        "payments": items("/v1/payments?limit=1000"),
        "events": items("/v1/events?limit=1000"),
    }


class ImportTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.monthly = self.d.plan(name="Monthly", amount=1499, interval="month")
        self.yearly = self.d.plan(name="Yearly", amount=9900, currency="usd", interval="year")
        self.tmp = tempfile.mkdtemp(prefix="jopay-import-", dir=self.d.root)

    def write(self, lines, name="subs.ndjson", newline="\n"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", newline="") as f:
            f.write(newline.join(lines) + newline)
        return path

    def line(self, **fields):
        return json.dumps(fields)

    def by_email(self):
        subs = self.d.ok("subscriptions", "list", "--limit", "1000")
        return {s["customer_email"]: s for s in subs}

    def mixed_lines(self):
        """~50 lines: 10 of each importable status, with and without cards and metadata."""
        m, y = self.monthly["id"], self.yearly["id"]
        lines, expected = [], {}
        for i in range(10):
            email = f"active{i}@example.com"
            end = f"2025-02-{10 + i:02d}T00:00:00Z"
            row = {"email": email, "plan": m if i % 2 else y, "current_period_end": end,
                   "card": "4242424242424242", "name": f"Active {i}",
                   "metadata": {"crm_id": str(1000 + i), "tier": "gold"}}
            if i == 0:
                del row["card"]
            if i == 1:
                row["status"] = "active"  # explicit, same as the default
            lines.append(json.dumps(row))
            expected[email] = dict(status="active", current_period_end=end, next_action="renew",
                                   next_action_at=end)
        for i in range(10):
            email = f"trial{i}@example.com"
            # Half end more than 3 days out (a reminder first), half sooner (renew at once).
            end = f"2025-02-{20 + i:02d}T00:00:00Z" if i < 5 else f"2025-02-0{i - 4}T00:00:00Z"
            row = {"email": email, "plan": m, "status": "trialing", "trial_end": end}
            if i % 3 == 0:
                row["card"] = "4000000000000341"
            lines.append(json.dumps(row))
            # The reminder is due 3 days before the trial ends, or never if that has passed.
            remind = parse_time(end) - timedelta(days=3)
            if remind > parse_time(NOW):
                action, at = "trial_reminder", format_time(remind)
            else:
                action, at = "renew", end
            expected[email] = dict(status="trialing", trial_end=end, current_period_end=end,
                                   next_action=action, next_action_at=at)
        for i in range(10):
            email = f"pastdue{i}@example.com"
            end = f"2025-01-{20 + i:02d}T00:00:00Z"
            lines.append(json.dumps({"email": email, "plan": m, "status": "past_due",
                                     "current_period_end": end, "card": "4000000000000341"}))
            expected[email] = dict(status="past_due", current_period_end=end, next_action="retry",
                                   next_action_at="2025-02-01T10:00:00Z")  # first retry +1d
        for i in range(10):
            email = f"canceled{i}@example.com"
            end = f"2025-02-{11 + i:02d}T12:00:00Z"
            lines.append(json.dumps({"email": email, "plan": y, "status": "canceled",
                                     "current_period_end": end}))
            expected[email] = dict(status="canceled", current_period_end=end,
                                   cancel_at_period_end=True, next_action="expire",
                                   next_action_at=end)
        for i in range(10):
            email = f"paused{i}@example.com"
            end = f"2025-03-{1 + i:02d}T00:00:00Z"
            lines.append(json.dumps({"email": email, "plan": m, "status": "paused",
                                     "current_period_end": end,
                                     "current_period_start": "2025-01-15T00:00:00Z"}))
            expected[email] = dict(status="paused", current_period_end=end,
                                   current_period_start="2025-01-15T00:00:00Z",
                                   next_action=None, next_action_at=None)
        return lines, expected

    def test_valid_file_imports_everything_with_the_right_schedule(self):
        lines, expected = self.mixed_lines()
        self.assertEqual(len(lines), 50)
        answer = self.d.ok("subscriptions", "import", self.write(lines))
        self.assertEqual(answer, {"imported": 50})

        subs = self.by_email()
        self.assertEqual(len(subs), 50)
        for email, want in expected.items():
            got = subs[email]
            with self.subTest(email=email):
                for field, value in want.items():
                    self.assertEqual(got[field], value, f"{field} of {email}: {got}")
                self.assertIs(got["livemode"], False)
                self.assertEqual(got["created_at"], NOW)
        status = self.d.ok("status")
        self.assertEqual(status["subscriptions"],
                         {"incomplete": 0, "trialing": 10, "active": 10, "past_due": 10,
                          "canceled": 10, "paused": 10, "expired": 0})
        self.assertEqual(status["customers"], 50)

        # Plan terms are copied; cards keep brand and last4 only; metadata and names arrive.
        a1 = subs["active1@example.com"]
        self.assertEqual((a1["plan_id"], a1["amount_cents"], a1["currency"], a1["plan_interval"]),
                         (self.monthly["id"], 1499, "eur", "month"))
        self.assertEqual(a1["current_period_start"], "2025-01-11T00:00:00Z")  # one month back
        a2 = subs["active2@example.com"]
        self.assertEqual((a2["plan_id"], a2["amount_cents"], a2["currency"], a2["plan_interval"]),
                         (self.yearly["id"], 9900, "usd", "year"))
        self.assertEqual(a2["current_period_start"], "2024-02-12T00:00:00Z")  # one year back
        self.assertEqual(a1["payment_method"]["last4"], "4242")
        self.assertEqual(a1["payment_method"]["brand"], "visa")
        self.assertEqual(set(a1["payment_method"]), {"id", "brand", "last4", "rail"})
        self.assertIsNone(subs["active0@example.com"]["payment_method"])
        self.assertEqual(a1["metadata"], {"crm_id": "1001", "tier": "gold"})
        self.assertEqual(subs["trial0@example.com"]["metadata"], {})
        self.assertEqual(subs["trial0@example.com"]["payment_method"]["last4"], "0341")
        self.assertEqual(self.d.ok("customers", "get", "active3@example.com")["name"], "Active 3")
        canceled = subs["canceled0@example.com"]
        self.assertEqual(canceled["canceled_at"], NOW)
        self.assertEqual(subs["paused0@example.com"]["paused_at"], NOW)

    def test_import_from_stdin(self):
        lines = [self.line(email="in1@example.com", plan=self.monthly["id"],
                           current_period_end="2025-02-15T00:00:00Z", card="4242424242424242"),
                 self.line(email="in2@example.com", plan=self.monthly["id"], status="trialing",
                           trial_end="2025-02-10T00:00:00Z")]
        answer = self.d.ok("subscriptions", "import", "-", stdin="\n".join(lines) + "\n")
        self.assertEqual(answer, {"imported": 2})
        subs = self.by_email()
        self.assertEqual(subs["in1@example.com"]["status"], "active")
        self.assertEqual(subs["in2@example.com"]["status"], "trialing")

    def test_table_output_says_how_many(self):
        path = self.write([self.line(email="t@example.com", plan=self.monthly["id"],
                                     current_period_end="2025-02-15T00:00:00Z")])
        r = self.d.ctl("subscriptions", "import", path, output="table")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out, "imported 1 subscriptions\n")

    def test_bad_lines_are_named_and_nothing_is_imported(self):
        good = lambda n: self.line(email=f"good{n}@example.com", plan=self.monthly["id"],
                                   current_period_end="2025-02-15T00:00:00Z",
                                   card="4242424242424242")
        lines = [good(1), good(2),
                 '{"email": "broken@example.com", "plan": ',                         # 3
                 good(4),
                 self.line(email="noplan@example.com", plan="plan_doesnotexist000000000000",
                           current_period_end="2025-02-15T00:00:00Z"),              # 5
                 good(6), good(7),
                 self.line(email="noend@example.com", plan=self.monthly["id"]),     # 8
                 good(9),
                 self.line(email="not-an-email", plan=self.monthly["id"],
                           current_period_end="2025-02-15T00:00:00Z"),              # 10
                 good(11)]
        before = snapshot(self.d)
        r = self.d.ctl("subscriptions", "import", self.write(lines))
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(r.out, "", r)
        named = [int(n) for n in re.findall(r"^line (\d+):", r.err, re.M)]
        self.assertEqual(named, [3, 5, 8, 10], r.err)
        self.assertRegex(r.err, r"(?m)^line 5:.*plan_doesnotexist000000000000")
        self.assertRegex(r.err, r"(?m)^line 8:.*current_period_end")
        self.assertRegex(r.err, r"(?m)^line 10:.*not-an-email")
        self.assertIn("jopayctl: error:", r.err)
        self.assertIn("nothing was imported", r.err)
        self.assertEqual(snapshot(self.d), before)
        self.assertFails(self.d.ctl("customers", "get", "good1@example.com"), 4)

    def test_blank_lines_are_skipped_but_counted(self):
        good = self.line(email="g@example.com", plan=self.monthly["id"],
                         current_period_end="2025-02-15T00:00:00Z")
        good2 = self.line(email="h@example.com", plan=self.monthly["id"],
                          current_period_end="2025-02-16T00:00:00Z")
        bad = self.line(email="bad@", plan=self.monthly["id"],
                        current_period_end="2025-02-15T00:00:00Z")
        before = snapshot(self.d)
        r = self.d.ctl("subscriptions", "import", self.write([good, "", "   ", "", bad, "\t", good2]))
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(re.findall(r"(?m)^line (\d+):", r.err), ["5"], r.err)
        self.assertEqual(snapshot(self.d), before)
        # Without the bad line the blanks are simply skipped.
        answer = self.d.ok("subscriptions", "import", self.write(["", good, "", "  ", good2, ""]))
        self.assertEqual(answer, {"imported": 2})
        self.assertEqual(len(self.by_email()), 2)

    def test_crlf_lines(self):
        lines = [self.line(email="crlf1@example.com", plan=self.monthly["id"],
                           current_period_end="2025-02-15T00:00:00Z"),
                 self.line(email="crlf2@example.com", plan=self.monthly["id"],
                           current_period_end="2025-02-16T00:00:00Z")]
        answer = self.d.ok("subscriptions", "import", self.write(lines, newline="\r\n"))
        self.assertEqual(answer, {"imported": 2})

    def test_more_bad_lines(self):
        m = self.monthly["id"]
        archived = self.d.plan(name="Old")["id"]
        self.d.ok("plans", "archive", archived)
        end = "2025-02-15T00:00:00Z"
        cases = [
            (self.line(email="a@example.com", plan=m, status="expired", current_period_end=end),
             "status"),
            (self.line(email="a@example.com", plan=m, status="incomplete", current_period_end=end),
             "status"),
            (self.line(email="a@example.com", plan=m, status="trialing"), "trial_end"),
            (self.line(email="a@example.com", plan=m, current_period_end="next tuesday"),
             "current_period_end"),
            (self.line(email="a@example.com", plan=m, current_period_end=end,
                       current_period_start="2025-03-01T00:00:00Z"), "current_period_start"),
            (self.line(email="a@example.com", plan=m, current_period_end=end, card="4242424242424241"),
             "card"),
            (self.line(email="a@example.com", plan=m, current_period_end=end,
                       metadata={f"k{i}": "v" for i in range(51)}), "metadata"),
            (self.line(email="a@example.com", plan=m, current_period_end=end, metadata={"k": 5}),
             "metadata"),
            (self.line(email="a@example.com", plan=m, current_period_end=end, coupon="X"),
             "coupon"),
            (self.line(plan=m, current_period_end=end), "email"),
            (self.line(email="a@example.com", current_period_end=end), "plan"),
            (self.line(email="a@example.com", plan=archived, current_period_end=end), "plan"),
            ("[1, 2, 3]", None),
        ]
        before = snapshot(self.d)
        good = self.line(email="fine@example.com", plan=m, current_period_end=end)
        r = self.d.ctl("subscriptions", "import", self.write([good] + [c[0] for c in cases]))
        self.assertEqual(r.rc, 5, r)
        for number, (_, param) in enumerate(cases, start=2):
            with self.subTest(line=number, param=param):
                match = re.search(rf"(?m)^line {number}: (.*)$", r.err)
                self.assertIsNotNone(match, r.err)
                if param:
                    self.assertIn(f"(param: {param})", match.group(1))
        self.assertNotRegex(r.err, r"(?m)^line 1:")
        self.assertEqual(snapshot(self.d), before)

    def test_line_numbers_across_request_chunks(self):
        # Over 1 MiB of lines goes in several requests; numbers must stay those of the file.
        end = "2025-02-15T00:00:00Z"
        pad = "x" * 450
        lines = []
        for i in range(1, 3001):
            if i == 1500:
                lines.append("")
                continue
            email = "bad-email" if i in (7, 2999) else f"u{i}@example.com"
            lines.append(self.line(email=email, plan=self.monthly["id"], current_period_end=end,
                                   metadata={"note": pad}))
        path = self.write(lines)
        self.assertGreater(os.path.getsize(path), 1024 * 1024)
        before = snapshot(self.d)
        r = self.d.ctl("subscriptions", "import", path)
        self.assertEqual(r.rc, 5, r)
        self.assertEqual(re.findall(r"(?m)^line (\d+):", r.err), ["7", "2999"], r.err)
        self.assertIn("2 of 3000 lines", r.err)
        self.assertEqual(snapshot(self.d), before)

    def test_missing_file(self):
        before = snapshot(self.d)
        r = self.d.ctl("subscriptions", "import", os.path.join(self.tmp, "nope.ndjson"))
        self.assertEqual(r.rc, 5, r)
        self.assertIn("nope.ndjson", r.err)
        self.assertEqual(snapshot(self.d), before)

    def test_imports_write_no_events(self):
        lines, _ = self.mixed_lines()
        self.d.ok("subscriptions", "import", self.write(lines))
        self.assertEqual(self.d.events(), [])

    def test_repeated_email_is_one_customer(self):
        lines = [self.line(email="Same@Example.com", plan=self.monthly["id"],
                           current_period_end="2025-02-15T00:00:00Z"),
                 self.line(email="same@example.com", plan=self.yearly["id"],
                           current_period_end="2025-06-15T00:00:00Z")]
        self.assertEqual(self.d.ok("subscriptions", "import", self.write(lines)), {"imported": 2})
        customers = self.d.ok("customers", "list")
        self.assertEqual([c["email"] for c in customers], ["same@example.com"])
        self.assertEqual(len(self.d.ok("customers", "get", "same@example.com")["subscriptions"]), 2)

    def test_imported_active_subscription_renews_at_its_period_end(self):
        lines = [self.line(email="renew@example.com", plan=self.monthly["id"],
                           current_period_end="2025-02-15T00:00:00Z", card="4242424242424242"),
                 self.line(email="later@example.com", plan=self.monthly["id"],
                           current_period_end="2025-03-15T00:00:00Z", card="4242424242424242")]
        self.d.ok("subscriptions", "import", self.write(lines))
        sub = self.by_email()["renew@example.com"]
        self.assertEqual(self.d.payments(sub["id"]), [])

        fired = self.d.ok("clock", "set", "2025-02-14T23:59:59Z")["fired"]
        self.assertEqual(fired["renewed"], 0, fired)
        self.assertEqual(self.d.payments(sub["id"]), [])

        fired = self.d.ok("clock", "set", "2025-02-15T00:00:00Z")["fired"]
        self.assertEqual(fired["renewed"], 1, fired)
        self.assertEqual(fired["charged"], {"eur": 1499}, fired)
        got = self.d.ok("subscriptions", "get", sub["id"])
        self.assertEqual(got["status"], "active")
        self.assertEqual(got["current_period_start"], "2025-02-15T00:00:00Z")
        self.assertEqual(got["current_period_end"], "2025-03-15T00:00:00Z")
        self.assertEqual(got["next_action_at"], "2025-03-15T00:00:00Z")
        payments = self.d.payments(sub["id"])
        self.assertEqual(len(payments), 1)
        self.assertEqual((payments[0]["status"], payments[0]["amount"], payments[0]["currency"]),
                         ("paid", 1499, "eur"))
        self.assertEqual(payments[0]["period_start"], "2025-02-15T00:00:00Z")
        self.assertEqual(payments[0]["period_end"], "2025-03-15T00:00:00Z")
        self.assertEqual([e["type"] for e in self.d.events(sub["id"])], ["subscription.renewed"])

    def test_imported_trial_converts_and_canceled_expires(self):
        lines = [self.line(email="trial@example.com", plan=self.monthly["id"], status="trialing",
                           trial_end="2025-02-10T00:00:00Z", card="4242424242424242"),
                 self.line(email="gone@example.com", plan=self.monthly["id"], status="canceled",
                           current_period_end="2025-02-05T00:00:00Z"),
                 self.line(email="paused@example.com", plan=self.monthly["id"], status="paused",
                           current_period_end="2025-02-05T00:00:00Z", card="4242424242424242")]
        self.d.ok("subscriptions", "import", self.write(lines))
        self.d.ok("clock", "set", "2025-02-10T00:00:00Z")
        subs = self.by_email()
        self.assertEqual(subs["trial@example.com"]["status"], "active")
        self.assertEqual(subs["trial@example.com"]["current_period_end"], "2025-03-10T00:00:00Z")
        self.assertEqual(subs["gone@example.com"]["status"], "expired")
        self.assertEqual(subs["paused@example.com"]["status"], "paused")
        self.assertEqual(self.d.payments(subs["paused@example.com"]["id"]), [])


if __name__ == "__main__":
    unittest.main()
