"""`jopayctl status` warns about what an operator must fix: a webhook endpoint failing and then
disabled, a WAL checkpoints cannot copy back (a reader holding an old snapshot), a data
directory on a nearly full disk. And a healthy daemon shows none of these."""
import os
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import Daemon, DaemonTest


def operator_warnings(status):
    """The warnings other than the ones every test daemon has (live mode's provider)."""
    return [w for w in status["warnings"] if "live mode has no payment provider" not in w]


def wait_for_warnings(daemon, predicate, timeout=15):
    """The operator warnings once predicate(warnings) holds (or at the timeout)."""
    deadline = time.time() + timeout
    while True:
        got = operator_warnings(daemon.ok("status"))
        if predicate(got) or time.time() > deadline:
            return got
        time.sleep(0.1)


class StatusWarningsTest(DaemonTest):
    def test_a_healthy_daemon_warns_about_nothing_else(self):
        self.assertEqual(operator_warnings(self.d.ok("status")), [])
        table = self.d.ok("status", output="table")
        self.assertIn("live mode has no payment provider", table)

    def test_a_failing_endpoint_is_named_then_its_disabling(self):
        hook = self.d.ok("webhooks", "add", "http://127.0.0.1:9/hooks")
        plan = self.d.plan()
        self.d.subscribe(plan["id"], "w@example.com")
        got = wait_for_warnings(self.d, bool)
        self.assertEqual(len(got), 1, got)
        self.assertIn(f"webhook endpoint {hook['id']} (http://127.0.0.1:9/hooks) has failed "
                      "every delivery since 2025-01-31T10:00:00Z", got[0])
        self.d.advance("6d")  # retries fail on: disabled after 5 days
        got = wait_for_warnings(self.d, lambda got: got and "disabled" in got[0])
        self.assertEqual(len(got), 1, got)
        self.assertIn(f"webhook endpoint {hook['id']} (http://127.0.0.1:9/hooks) is disabled",
                      got[0])
        self.assertIn(f"jopayctl webhooks enable {hook['id']}", got[0])

    def test_a_wal_that_a_reader_keeps_from_being_checkpointed(self):
        db = os.path.join(self.d.data_dir, "jopay.db")
        reader = sqlite3.connect(db, isolation_level=None)
        self.addCleanup(reader.close)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM plans").fetchall()  # holds this snapshot
        # ~2.3 WAL pages per plan created (measured): past the 16,384-page mark.
        for i in range(8000):
            status, _ = self.d.api("POST", "/v1/plans", {"name": f"P{i}", "amount": 100,
                                                         "currency": "eur", "interval": "month"})
            self.assertEqual(status, 201)
        got = wait_for_warnings(self.d, bool)
        self.assertEqual(len(got), 1, got)
        self.assertRegex(got[0], r"^the WAL holds \d+ pages not copied into the database")
        reader.execute("COMMIT")  # the snapshot goes: the next checkpoint catches up
        self.assertEqual(wait_for_warnings(self.d, lambda got: not got), [])


class DiskWarningTest(unittest.TestCase):
    def test_a_data_directory_on_a_nearly_full_disk(self):
        root = tempfile.mkdtemp(prefix="jopay-tmpfs-")
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", root],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here (needs root): " + mounted.stderr)
        self.addCleanup(os.rmdir, root)
        self.addCleanup(subprocess.run, ["umount", root])
        d = Daemon(data_dir=root)
        self.addCleanup(d.cleanup)
        d.start()
        got = operator_warnings(d.ok("status"))
        self.assertEqual(len(got), 1, got)
        self.assertRegex(got[0], r"^the disk of .* is nearly full \(\d+ MiB free of 64 MiB\)")


if __name__ == "__main__":
    unittest.main()
