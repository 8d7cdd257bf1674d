"""jopayd as a systemd service (issue 17): it says READY=1 only once its store is open and both
faces answer, pings the watchdog while its writer runs jobs and says STOPPING=1 at a stop,
all over the NOTIFY_SOCKET protocol that systemd speaks (a datagram socket here stands in for
systemd). The packaged config file names every key jopayd has, and jopayd accepts it with
every key set."""
import http.client
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest

from harness import JOPAYD, Daemon

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "..", "..", "packaging", "jopayd.conf")


class NotifyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="jopay-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.addCleanup(self.sock.close)

    def messages(self, until, timeout=15):
        """Datagrams until one holds `until` (returned with all before it)."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                got.append(self.sock.recv(4096).decode())
            except socket.timeout:
                break
            if until in got[-1]:
                return got
        raise AssertionError(f"no {until!r} in {got}")

    def test_ready_after_both_faces_answer_watchdog_while_alive_stopping_at_the_end(self):
        d = Daemon(env={"NOTIFY_SOCKET": self.path, "WATCHDOG_USEC": "400000"})
        self.addCleanup(d.cleanup)
        d.start(wait=False)
        ready = self.messages("READY=1")[-1]
        # Ready means ready: both faces answer the moment systemd hears it.
        status, _ = d.api("GET", "/v1/status")
        self.assertEqual(status, 200)
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", ready).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.assertIn("STATUS=serving", ready)
        # A 400 ms watchdog: a ping every ~200 ms, each after a job went through the writer.
        start = time.monotonic()
        pings = [m for m in self.messages("WATCHDOG=1") + self.messages("WATCHDOG=1")
                 + self.messages("WATCHDOG=1") if "WATCHDOG=1" in m]
        self.assertGreaterEqual(len(pings), 3)
        self.assertLess(time.monotonic() - start, 2)
        d.proc.terminate()
        self.messages("STOPPING=1")
        self.assertEqual(d.proc.wait(timeout=30), 0)

    def test_without_notify_socket_nothing_is_sent_and_it_runs(self):
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.start()
        self.assertEqual(d.ok("status")["pid"], d.proc.pid)
        self.assertNotIn("watchdog", d.log())


class PackagedConfigTest(unittest.TestCase):
    def keys_of_jopayd(self):
        text = subprocess.run([JOPAYD, "--help"], capture_output=True, text=True).stdout
        keys = set(re.findall(r"^\s+--([a-z0-9-]+)", text, re.M))
        return keys - {"help", "version", "config"}

    def test_every_key_is_in_the_packaged_config(self):
        with open(CONF) as f:
            documented = set(re.findall(r"^#([a-z0-9-]+) =", f.read(), re.M))
        self.assertEqual(documented, self.keys_of_jopayd())

    def test_jopayd_accepts_it_with_every_key_set(self):
        with open(CONF) as f:
            text = re.sub(r"^#([a-z0-9-]+ =)", r"\1", f.read(), flags=re.M)
        d = Daemon(clock="system", clock_start=None)
        self.addCleanup(d.cleanup)
        path = os.path.join(d.root, "jopayd.conf")
        # The templates directory must exist: an empty one of ours overrides no template.
        templates = os.path.join(d.root, "email-templates")
        os.mkdir(templates)
        text = re.sub(r'^email-templates-dir = "[^"]*"', f'email-templates-dir = "{templates}"',
                      text, flags=re.M)
        with open(path, "w") as f:
            f.write(text)
        # The command line (data dir, socket, listen) overrides the file, as under the unit.
        d.extra_args = ["--config", path, "--socket", d.socket]
        d.start()
        status = d.ok("status")
        self.assertEqual(status["card_providers"], {"test": "stripe", "live": "stripe"})
        self.assertEqual(status["connections"]["public_max"], 10000)


if __name__ == "__main__":
    unittest.main()
