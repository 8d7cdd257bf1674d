"""/metrics (Prometheus): off by default, served on --metrics-listen only; counts charges, money,
due actions, webhook attempts and HTTP requests exactly; gauges read at scrape time; the text
passes `promtool check metrics` and a real Prometheus scrapes it."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import Daemon, DaemonTest, FAILING_CARD
from webhook_receiver import Receiver


def scrape(address, path="/metrics"):
    with urllib.request.urlopen(f"http://{address}{path}", timeout=10) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def samples(text):
    """{'name{labels}': value} for every sample line."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MetricsTest(DaemonTest):
    daemon_args = ("--metrics-listen", "127.0.0.1:0")

    def setUp(self):
        super().setUp()
        self.address = self.d.ok("status")["metrics"]
        self.public = "http://" + self.d.ok("status")["listen"]

    def test_counts_charges_money_due_actions_webhooks_and_requests_exactly(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        self.d.ok("webhooks", "add", receiver.url)
        plan = self.d.plan(amount=1499, currency="eur")
        yearly = self.d.plan(name="Yearly", amount=9900, currency="usd", interval="year")
        for i in range(3):
            self.d.subscribe(plan["id"], f"paid{i}@example.com")
        self.d.subscribe(yearly["id"], "yearly@example.com")
        bad = self.d.ctl("subscriptions", "create", "--plan", plan["id"], "--email",
                         "fails@example.com", "--card", FAILING_CARD)
        self.assertNotEqual(bad.rc, 0, bad)  # the first charge is declined
        self.d.advance("1mo")  # the three monthly ones renew once
        for path in ("/healthz", "/healthz", "/no/such/route"):
            try:
                urllib.request.urlopen(self.public + path, timeout=10).read()
            except urllib.error.HTTPError as e:
                self.assertEqual(e.code, 404)
        # Every event reaches the receiver before the webhook counters are read.
        events = len(self.d.events())
        receiver.wait_for(lambda got: len(got) >= events)
        # jopayd counts an attempt when the answer is back, just after the receiver saw it.
        deadline = time.time() + 10
        while time.time() < deadline:
            content_type, text = scrape(self.address)
            if samples(text).get('jopay_webhook_attempts_total{outcome="delivered"}') == events:
                break
            time.sleep(0.05)
        self.assertTrue(content_type.startswith("text/plain; version=0.0.4"), content_type)
        m = samples(text)
        paid = 'jopay_charges_total{mode="test",provider="sandbox",outcome="paid"}'
        failed = 'jopay_charges_total{mode="test",provider="sandbox",outcome="failed"}'
        self.assertEqual(m[paid], 3 + 1 + 3)  # three first charges, the yearly one, 3 renewals
        self.assertEqual(m[failed], 1)
        self.assertEqual(m['jopay_charged_minor_units_total{mode="test",currency="eur"}'],
                         6 * 1499)
        self.assertEqual(m['jopay_charged_minor_units_total{mode="test",currency="usd"}'], 9900)
        self.assertEqual(m['jopay_due_actions_total{action="renewed"}'], 3)
        self.assertEqual(m['jopay_webhook_attempts_total{outcome="delivered"}'], events)
        self.assertEqual(m['jopay_webhook_attempt_seconds_count{outcome="delivered"}'], events)
        self.assertEqual(m['jopay_http_requests_total{face="public",route="/healthz",'
                           'method="GET",status="200"}'], 2)
        self.assertEqual(m['jopay_http_requests_total{face="public",route="unmatched",'
                           'method="GET",status="404"}'], 1)
        self.assertEqual(m['jopay_http_request_seconds_count{face="public",route="/healthz"}'], 2)
        admin_status = [k for k in m if k.startswith('jopay_http_requests_total{face="admin",'
                                                     'route="/v1/status"')]
        self.assertTrue(admin_status, "admin requests are counted by route pattern")
        self.assertTrue(any(k.startswith('jopay_http_requests_total{face="admin",'
                                         'route="/v1/subscriptions/{id}"') or
                            k.startswith('jopay_http_requests_total{face="admin",'
                                         'route="/v1/subscriptions"') for k in m))
        self.assertGreater(m["jopay_writer_batch_jobs_count"], 0)
        self.assertEqual(m['jopay_writer_commit_seconds_bucket{le="+Inf"}'],
                         m["jopay_writer_commit_seconds_count"])
        self.assertGreater(m['jopay_store_bytes{file="database"}'], 0)
        self.assertIn('jopay_store_bytes{file="wal"}', m)
        self.assertEqual(m['jopay_webhook_deliveries_pending{state="retrying"}'], 0)
        self.assertEqual(m["jopay_charges_pending"], 0)
        self.assertEqual(m["jopay_due_subscriptions"], 0)
        self.assertIn("jopay_public_connections", m)
        version = self.d.ok("status")["version"]
        self.assertEqual(m[f'jopay_build_info{{version="{version}"}}'], 1)
        # Nothing carries an id: label values come from closed sets only.
        self.assertIsNone(re.search(r'\b(sub|cus|pay|evt|plan)_[A-Za-z0-9]{6,}', text))

    def test_gauges_are_read_at_each_scrape(self):
        plan = self.d.plan()
        for i in range(4):
            self.d.subscribe(plan["id"], f"g{i}@example.com")
        before = samples(scrape(self.address)[1])
        self.assertEqual(before['jopay_webhook_deliveries_pending{state="retrying"}'], 0)
        receiver_down = "http://127.0.0.1:9/hooks"
        self.d.ok("webhooks", "add", receiver_down)
        self.d.advance("1mo")  # four renewals, each event to an endpoint that refuses
        deadline = time.time() + 15
        while time.time() < deadline:
            m = samples(scrape(self.address)[1])
            if m.get('jopay_webhook_deliveries_pending{state="retrying"}', 0) >= 4:
                break
            time.sleep(0.1)
        self.assertGreaterEqual(m['jopay_webhook_deliveries_pending{state="retrying"}'], 4)
        self.assertGreaterEqual(m['jopay_webhook_attempts_total{outcome="unreachable"}'], 4)

    def test_promtool_accepts_the_text(self):
        promtool = shutil.which("promtool")
        if not promtool:
            self.fail("promtool is missing: scripts/setup --tests installs Debian's prometheus")
        plan = self.d.plan()
        self.d.subscribe(plan["id"], "lint@example.com")
        text = scrape(self.address)[1]
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.strip() + r.stderr.strip(), "", "promtool has no complaint")

    def test_a_real_prometheus_scrapes_it(self):
        binary = shutil.which("prometheus")
        if not binary:
            self.fail("prometheus is missing: scripts/setup --tests installs Debian's prometheus")
        plan = self.d.plan()
        self.d.subscribe(plan["id"], "scraped@example.com")
        root = tempfile.mkdtemp(prefix="jopay-prom-")
        self.addCleanup(shutil.rmtree, root, True)
        config = os.path.join(root, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n"
                    "scrape_configs:\n  - job_name: jopay\n"
                    f"    static_configs:\n      - targets: ['{self.address}']\n")
        web = f"127.0.0.1:{free_port()}"
        log = open(os.path.join(root, "prometheus.log"), "wb")
        self.addCleanup(log.close)
        proc = subprocess.Popen([binary, "--config.file", config, "--storage.tsdb.path",
                                 os.path.join(root, "data"), "--web.listen-address", web],
                                stdout=log, stderr=log)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.terminate)

        def query(q):
            url = f"http://{web}/api/v1/query?query=" + urllib.request.quote(q)
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.load(r)["data"]["result"]

        deadline = time.time() + 60
        result = []
        while time.time() < deadline and not result:
            try:
                result = query('jopay_charges_total{outcome="paid"}')
            except OSError:
                pass
            time.sleep(0.5)
        with open(os.path.join(root, "prometheus.log"), errors="replace") as f:
            self.assertTrue(result, "Prometheus never stored a jopay sample:\n" + f.read()[-3000:])
        self.assertEqual(result[0]["value"][1], "1")
        self.assertEqual(result[0]["metric"]["job"], "jopay")
        up = query('up{job="jopay"}')
        self.assertEqual(up[0]["value"][1], "1")


class MetricsOffTest(DaemonTest):
    def test_metrics_are_off_by_default_and_never_on_the_public_face(self):
        status = self.d.ok("status")
        self.assertIsNone(status["metrics"])
        public = "http://" + status["listen"]
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(public + "/metrics", timeout=10)
        self.assertEqual(e.exception.code, 404)

    def test_a_bad_metrics_address_stops_jopayd_with_a_clear_error(self):
        for bad in ("nonsense", "127.0.0.1:99999", "127.0.0.1"):
            d = Daemon(extra_args=("--metrics-listen", bad))
            self.addCleanup(d.cleanup)
            d.start(wait=False)
            self.assertEqual(d.proc.wait(timeout=15), 2, d.log())
            self.assertIn("metrics-listen", d.log())

    def test_a_metrics_address_in_use_stops_jopayd(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            taken = f"127.0.0.1:{s.getsockname()[1]}"
            d = Daemon(extra_args=("--metrics-listen", taken))
            self.addCleanup(d.cleanup)
            d.start(wait=False)
            self.assertEqual(d.proc.wait(timeout=15), 1, d.log())
            self.assertIn(taken.split(":")[1], d.log())


if __name__ == "__main__":
    unittest.main()
