"""Due work in small batches (jopayd --due-batch): the same year of renewals, dunning retries,
trials and expiries as with the default batch, payment for payment and event for event. With
batches of 2 and many subscriptions due at once, batches come back full, so the writer takes
its next batch from the prefetch loaded while it ran the previous one (when the renewals move
past the window: 30-day steps); retries scheduled inside the window make it discard
prefetched rows and load them itself."""
import re
import unittest

from harness import Daemon, GOOD_CARD, FAILING_CARD


def build_and_run_a_year(d):
    """Subscriptions all due at the same instants, then a year on the manual clock. Returns the
    clock advance summary and a timeline per subscription, keyed by email (ids differ)."""
    monthly = d.plan(name="Monthly", amount=999, currency="eur", interval="month")
    yearly = d.plan(name="Yearly", amount=9999, currency="usd", interval="year")
    trial = d.plan(name="Trial", amount=500, currency="eur", interval="month", trial_days=7)
    emails = {}
    for i in range(7):
        emails[f"good{i}@example.com"] = d.subscribe(monthly["id"], f"good{i}@example.com")
    for i in range(3):
        email = f"failing{i}@example.com"
        sub = d.subscribe(monthly["id"], email)
        status, body = d.api("POST", f"/v1/subscriptions/{sub['id']}", {"card": FAILING_CARD})
        assert status == 200, body
        emails[email] = sub
    emails["yearly@example.com"] = d.subscribe(yearly["id"], "yearly@example.com")
    for i in range(3):
        emails[f"trial{i}@example.com"] = d.subscribe(trial["id"], f"trial{i}@example.com", GOOD_CARD)

    summary = {"renewed": 0, "failed": 0, "retried": 0, "expired": 0, "reminders": 0,
               "charged": {}}
    for _ in range(13):  # 390 days, in steps shorter than a month
        fired = d.advance("30d")["fired"]
        for key in ("renewed", "failed", "retried", "expired", "reminders"):
            summary[key] += fired[key]
        for currency, amount in fired["charged"].items():
            summary["charged"][currency] = summary["charged"].get(currency, 0) + amount
    timelines = {}
    for email, sub in emails.items():
        now = d.ok("subscriptions", "get", sub["id"])
        timelines[email] = {
            "state": (now["status"], now["current_period_start"], now["current_period_end"],
                      now["next_action"], now["next_action_at"]),
            "payments": [(p["period_start"], p["status"], p["attempt"], p["amount"], p["created_at"])
                         for p in d.payments(sub["id"])],
            "events": [(e["type"], e["created_at"], e["sequence"], e["data"]["status"],
                        e["data"]["current_period_start"]) for e in d.events(sub["id"])],
        }
    # Due actions run in time order across subscriptions too: the event log, in the order it
    # was written, never goes back in time.
    written = [e["created_at"] for e in d.events()]
    assert written == sorted(written), "events were written out of time order"
    return summary, timelines


class DueBatchTest(unittest.TestCase):
    def run_with(self, *extra_args):
        d = Daemon(extra_args=("--log-level", "debug") + extra_args).start()
        self.addCleanup(d.cleanup)
        summary, timelines = build_and_run_a_year(d)
        ahead = sum(int(n) for n in re.findall(r"(\d+) of them loaded ahead", d.log()))
        return summary, timelines, ahead

    def test_batches_of_two_do_exactly_what_the_default_batch_does(self):
        default_summary, default_timelines, default_ahead = self.run_with()
        small_summary, small_timelines, small_ahead = self.run_with("--due-batch", "2")

        # The 390 days did real work of every kind, so the comparison means something:
        # Up to 2026-02-25: 7 monthly x 12 (2025-02-28 .. 2026-01-31), the yearly one once,
        # 3 trials charged on day 7 and monthly after (2025-02-07 .. 2026-02-07).
        self.assertEqual(default_summary["renewed"], 7 * 12 + 1 + 3 * 13)
        self.assertEqual(default_summary["failed"], 3 * 4)
        self.assertEqual(default_summary["retried"], 3 * 3)
        self.assertEqual(default_summary["expired"], 3)
        self.assertEqual(default_summary["reminders"], 3)
        self.assertEqual(default_summary["charged"], {"eur": 7 * 12 * 999 + 3 * 13 * 500,
                                                      "usd": 9999})
        self.assertEqual(default_ahead, 0)  # never a full batch of 10,000
        self.assertGreater(small_ahead, 10)  # the prefetch path did run

        self.assertEqual(small_summary, default_summary)
        self.assertEqual(small_timelines.keys(), default_timelines.keys())
        for email in default_timelines:
            with self.subTest(email=email):
                self.assertEqual(small_timelines[email], default_timelines[email])
        # Exactly one paid payment per period, in both.
        for timelines in (default_timelines, small_timelines):
            for email, t in timelines.items():
                paid = [p[0] for p in t["payments"] if p[1] == "paid"]
                self.assertEqual(len(paid), len(set(paid)), email)

    def test_due_batch_out_of_range_is_refused(self):
        for bad in ("0", "100001", "ten"):
            d = Daemon(extra_args=("--due-batch", bad))
            self.addCleanup(d.cleanup)
            proc = d.start(wait=False).proc
            self.assertEqual(proc.wait(timeout=10), 2, bad)


if __name__ == "__main__":
    unittest.main()
