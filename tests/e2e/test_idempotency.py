"""Idempotent billing: renew twice (or at once from several clients) never charges twice,
renew --dry-run reports the real counts and changes nothing, and a jopayd killed with SIGKILL
in the middle of a large renew resumes without a second charge for any period."""
import json
import os
import signal
import sqlite3
import subprocess
import time
import unittest

from harness import JOPAYCTL, Daemon, DaemonTest, unix, counts, GOOD_CARD, FAILING_CARD

PERIOD_START = 1738281600  # 2025-01-31T00:00:00Z: the renewal every imported row is due for
NEXT_PERIOD_END = 1740700800  # 2025-02-28T00:00:00Z


def write_due_subscriptions(path, plan_id, n, card=GOOD_CARD):
    """n active subscriptions whose period ended 2025-01-31T00:00:00Z (the clock is 10:00)."""
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"email": f"bulk{i}@example.com", "plan": plan_id, "card": card,
                                "current_period_start": "2025-01-01T00:00:00Z",
                                "current_period_end": "2025-01-31T00:00:00Z"}) + "\n")


def stop(d, timeout=5):
    """Stops jopayd with SIGTERM and returns its exit code. Should the shutdown hang (it did,
    until 8e05c32; test_sigterm_stops_jopayd_every_time guards that), jopayd is killed and None
    is returned: every write these tests look at was committed before, and survives a kill."""
    d.proc.send_signal(signal.SIGTERM)
    try:
        return d.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        d.proc.kill()
        d.proc.wait()
        return None


def import_file(d, path, n):
    out = d.ok("subscriptions", "import", path)
    assert out["imported"] == n, out


class IdempotencyTest(DaemonTest):
    def state(self):
        """Everything a renew could change, read over the admin API."""
        _, subs = self.d.api("GET", "/v1/subscriptions?limit=1000")
        _, pays = self.d.api("GET", "/v1/payments?limit=1000")
        _, events = self.d.api("GET", "/v1/events?limit=1000")
        status = self.d.ok("status")
        return {"subscriptions": subs["data"], "payments": pays["data"], "events": events["data"],
                "counts": status["subscriptions"], "next_action": status["next_action"],
                "clock": status["clock"]}

    def import_mixed(self):
        plan = self.d.plan(name="Mixed", amount=1000)
        lines = [
            {"email": "late@example.com", "card": GOOD_CARD, "current_period_end": "2025-01-20T00:00:00Z"},
            {"email": "due@example.com", "card": GOOD_CARD, "current_period_end": "2025-01-31T00:00:00Z"},
            {"email": "dunned@example.com", "card": FAILING_CARD, "current_period_end": "2025-01-25T00:00:00Z"},
            {"email": "failing@example.com", "card": FAILING_CARD, "current_period_end": "2025-01-30T00:00:00Z"},
            {"email": "trial@example.com", "card": GOOD_CARD, "status": "trialing",
             "trial_end": "2025-01-30T12:00:00Z"},
            {"email": "leaving@example.com", "card": GOOD_CARD, "status": "canceled",
             "current_period_end": "2025-01-30T00:00:00Z"},
            {"email": "paused@example.com", "card": GOOD_CARD, "status": "paused",
             "current_period_end": "2025-01-30T00:00:00Z"},
            {"email": "future@example.com", "card": GOOD_CARD, "current_period_end": "2025-02-15T00:00:00Z"},
        ]
        body = "".join(json.dumps(dict(l, plan=plan["id"])) + "\n" for l in lines)
        self.assertEqual(self.d.ok("subscriptions", "import", "-", stdin=body)["imported"], len(lines))

    def test_renew_twice_at_the_same_time_charges_once(self):
        self.import_mixed()
        first = self.d.ok("renew")
        # Six rows were overdue: each runs once now; the two failing ones retry from tomorrow.
        self.assertEqual(first, {"dry_run": False, "now": "2025-01-31T10:00:00Z", "renewed": 3,
                                 "failed": 2, "retried": 0, "expired": 1, "reminders": 0,
                                 "charged": {"eur": 3000}, "caught_up": 6})
        after_first = self.state()
        second = self.d.ok("renew")
        self.assertEqual(second, {"dry_run": False, "now": "2025-01-31T10:00:00Z", "renewed": 0,
                                  "failed": 0, "retried": 0, "expired": 0, "reminders": 0,
                                  "charged": {}})
        self.assertEqual(self.state(), after_first, "a second renew at the same time changed data")
        paid = [p for p in after_first["payments"] if p["status"] == "paid"]
        self.assertEqual(len(paid), 3)
        self.assertEqual(len({(p["subscription_id"], p["period_start"]) for p in paid}), 3)
        keys = [p["idempotency_key"] for p in after_first["payments"]]
        self.assertEqual(len(keys), len(set(keys)), "idempotency keys must be unique")
        for p in after_first["payments"]:
            self.assertEqual(p["idempotency_key"],
                             f"{p['subscription_id']}:{self.unix(p['period_start'])}:{p['attempt']}")

    @staticmethod
    def unix(ts):
        from datetime import datetime, timezone
        return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())

    def test_concurrent_renews_charge_each_period_once(self):
        n = 3000
        plan = self.d.plan(name="Bulk", amount=1000)
        path = os.path.join(self.d.root, "due.ndjson")
        write_due_subscriptions(path, plan["id"], n)
        import_file(self.d, path, n)
        cmd = [JOPAYCTL, "--socket", self.d.socket, "-o", "json", "renew"]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        summaries = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            summaries.append(json.loads(out))
        self.assertEqual(sum(s["renewed"] for s in summaries), n, summaries)
        self.assertEqual(sum(s["charged"].get("eur", 0) for s in summaries), n * 1000, summaries)
        db = sqlite3.connect(f"file:{os.path.join(self.d.data_dir, 'jopay.db')}?mode=ro", uri=True)
        self.addCleanup(db.close)
        self.assertEqual(db.execute("SELECT count(*), count(DISTINCT subscription_id) FROM payments "
                                    "WHERE status = 'paid'").fetchone(), (n, n))

    def test_dry_run_reports_the_real_counts_and_changes_nothing(self):
        self.import_mixed()
        before = self.state()
        dry = self.d.ok("renew", "--dry-run")
        self.assertTrue(dry["dry_run"])
        self.assertEqual(self.state(), before, "renew --dry-run changed data")
        self.assertEqual(self.d.ok("renew", "--dry-run"), dry, "two dry runs disagree")
        self.assertEqual(self.state(), before)
        self.assertEqual(before["payments"], [])
        self.assertEqual(before["events"], [])

        real = self.d.ok("renew")
        self.assertFalse(real["dry_run"])
        self.assertEqual(dict(dry, dry_run=False), real)
        self.assertEqual(real["renewed"], 3)
        after = self.state()
        self.assertEqual(len(after["payments"]), real["renewed"] + real["failed"])
        # After the real run a dry run has nothing left to report.
        self.assertEqual(self.d.ok("renew", "--dry-run"),
                         {"dry_run": True, "now": "2025-01-31T10:00:00Z", "renewed": 0, "failed": 0,
                          "retried": 0, "expired": 0, "reminders": 0, "charged": {}})
        self.assertEqual(self.state(), after)

    def test_dry_run_of_a_large_backlog_is_not_much_slower_than_the_real_run(self):
        # The dry run holds the single writer for its whole duration; it must scale like the
        # real run (linearly), not quadratically.
        n = 30000
        plan = self.d.plan(name="Bulk", amount=1000)
        path = os.path.join(self.d.root, "due.ndjson")
        write_due_subscriptions(path, plan["id"], n)
        import_file(self.d, path, n)
        t0 = time.monotonic()
        dry = self.d.ok("renew", "--dry-run")
        dry_seconds = time.monotonic() - t0
        t0 = time.monotonic()
        real = self.d.ok("renew")
        real_seconds = time.monotonic() - t0
        self.assertEqual(dict(dry, dry_run=False), real)
        self.assertEqual(real["renewed"], n)
        self.assertLess(dry_seconds, 3 * real_seconds + 1.0,
                        f"renew --dry-run over {n} due subscriptions took {dry_seconds:.1f}s, "
                        f"the real renew {real_seconds:.1f}s")

    def test_a_restarted_daemon_keeps_its_clock_and_charges_nothing_again(self):
        plan = self.d.plan(amount=1499)
        sub = self.d.subscribe(plan["id"], "restart@example.com")
        self.d.advance("1y")
        self.assertIn(stop(self.d), (0, None))
        d2 = Daemon(data_dir=self.d.root).start()
        self.addCleanup(d2.cleanup)
        self.assertEqual(d2.ok("clock", "show")["now"], "2026-01-31T10:00:00Z")
        self.assertEqual(d2.ok("renew")["renewed"], 0)
        self.assertEqual(len(d2.payments(sub["id"])), 13)
        self.assertEqual(d2.advance("1mo")["fired"]["renewed"], 1)
        self.assertEqual(len(d2.payments(sub["id"])), 14)

    def test_sigterm_stops_jopayd_every_time(self):
        # Restarts rely on a clean stop. The shutdown used to hang now and then (two threads
        # joined the scheduler thread), so try it a number of times.
        stop(self.d)
        for cycle in range(1, 31):
            d = Daemon().start()
            self.addCleanup(d.cleanup)
            self.assertEqual(d.ok("status")["clock"]["mode"], "manual")
            rc = stop(d)
            self.assertIsNotNone(rc, f"jopayd did not exit within 5 s of SIGTERM on start/stop "
                                     f"cycle {cycle} of 30 (killed); its log:\n{d.log()}")
            self.assertEqual(rc, 0, d.log())
            self.assertIn("stopped", d.log())
            d.cleanup()


class CrashDuringRenewTest(DaemonTest):
    N = 60000

    def db(self, data_dir, read_only=True):
        path = os.path.join(data_dir, "jopay.db")
        conn = sqlite3.connect(f"file:{path}?mode=ro" if read_only else path, uri=read_only,
                               timeout=10)
        return conn

    def test_kill_9_in_the_middle_of_a_large_renew_never_charges_twice(self):
        n = self.N
        plan = self.d.plan(name="Bulk", amount=1000)
        path = os.path.join(self.d.root, "due.ndjson")
        write_due_subscriptions(path, plan["id"], n)
        import_file(self.d, path, n)

        renew = subprocess.Popen([JOPAYCTL, "--socket", self.d.socket, "-o", "json", "renew"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        # Kill as soon as the first batch is committed (the renew commits in batches).
        db = self.db(self.d.data_dir)
        deadline = time.monotonic() + 20
        while db.execute("SELECT count(*) FROM payments").fetchone()[0] == 0:
            self.assertLess(time.monotonic(), deadline, "renew committed nothing in 20 s")
            time.sleep(0.01)
        db.close()
        self.d.stop(signal.SIGKILL)
        out, err = renew.communicate(timeout=30)
        self.assertNotEqual(renew.returncode, 0, f"renew finished before the kill: {out}")
        self.assertEqual(renew.returncode, 8, err)  # lost the daemon

        db = self.db(self.d.data_dir)
        done = db.execute("SELECT count(*) FROM payments").fetchone()[0]
        self.assertTrue(0 < done < n, f"{done} of {n} renewed at the kill: not a mid-run crash")
        # What was committed is whole: each paid row has its subscription moved on and its event.
        self.assertEqual(db.execute("SELECT count(*) FROM subscriptions WHERE current_period_start = ?",
                                    (PERIOD_START,)).fetchone()[0], done)
        self.assertEqual(db.execute("SELECT count(*) FROM events WHERE type = 'subscription.renewed'")
                         .fetchone()[0], done)
        db.close()

        d2 = Daemon(data_dir=self.d.root).start()
        self.addCleanup(d2.cleanup)
        summary = d2.ok("renew")
        self.assertEqual(summary["renewed"], n - done, summary)
        self.assertEqual(summary["charged"], {"eur": (n - done) * 1000})
        self.assertEqual((summary["failed"], summary["expired"]), (0, 0))
        self.assertEqual(d2.ok("renew")["renewed"], 0)
        self.assertIn(stop(d2), (0, None))

        db = self.db(self.d.data_dir, read_only=False)
        self.addCleanup(db.close)
        q = lambda sql, *a: db.execute(sql, a).fetchall()
        self.assertEqual(q("SELECT count(*) FROM subscriptions"), [(n,)])
        self.assertEqual(q("SELECT count(*) FROM payments"), [(n,)], "payments != subscriptions")
        self.assertEqual(q("SELECT status, count(*), sum(amount) FROM payments GROUP BY status"),
                         [("paid", n, n * 1000)])
        self.assertEqual(q("SELECT subscription_id, period_start, count(*) FROM payments "
                           "WHERE status = 'paid' GROUP BY 1, 2 HAVING count(*) > 1"), [],
                         "a period was paid twice")
        self.assertEqual(q("SELECT count(*) FROM subscriptions s WHERE (SELECT count(*) FROM payments p "
                           "WHERE p.subscription_id = s.id AND p.status = 'paid' AND p.period_start = ?) != 1",
                           PERIOD_START), [(0,)],
                         "every subscription has exactly one paid payment for the Jan 31 period")
        self.assertEqual(q("SELECT count(*) FROM payments WHERE idempotency_key != "
                           "subscription_id || ':' || period_start || ':' || attempt"), [(0,)])
        self.assertEqual(q("SELECT status, current_period_start, current_period_end, next_action, "
                           "next_action_at, count(*) FROM subscriptions GROUP BY 1, 2, 3, 4, 5"),
                         [("active", PERIOD_START, NEXT_PERIOD_END, "renew", NEXT_PERIOD_END, n)])
        self.assertEqual(q("SELECT count(*), count(DISTINCT object_id) FROM events "
                           "WHERE type = 'subscription.renewed'"), [(n, n)])
        # Each renewal billed one invoice, paid, and wrote invoice.created and invoice.paid:
        # three events per renewal, nothing else.
        self.assertEqual(q("SELECT count(*) FROM events"), [(3 * n,)])
        self.assertEqual(q("SELECT status, count(*), count(DISTINCT subscription_id), "
                           "sum(amount_paid) FROM invoices GROUP BY status"),
                         [("paid", n, n, n * 1000)])
        # Numbers are gapless across the crash: 1..n, none twice.
        self.assertEqual(q("SELECT min(seq), max(seq), count(DISTINCT seq) FROM invoices"),
                         [(1, n, n)])
        self.assertEqual(q("SELECT count(*) FROM payments p JOIN invoices i ON i.pk = p.invoice_pk "
                           "WHERE i.subscription_id = p.subscription_id"), [(n,)])


if __name__ == "__main__":
    unittest.main()
