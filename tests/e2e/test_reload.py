"""SIGHUP (`systemctl reload jopayd`, issue 17): jopayd reads its config file again and applies
the log level, Stripe's keys and webhook secrets and webhooks-allow-private at once, without
dropping a request; other keys wait for a restart and the log says which; a config that does
not parse changes nothing."""
import http.client
import json
import os
import signal
import threading
import time
import unittest

from checkout_client import Public
from harness import Daemon
from stripe_harness import SECRET_KEY
from stripe_standin import StripeStandin


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.stripe = StripeStandin(secret_key=SECRET_KEY).start()
        self.addCleanup(self.stripe.stop)
        self.d = Daemon()
        self.addCleanup(self.d.cleanup)
        self.conf = os.path.join(self.d.root, "jopayd.conf")
        self.write_conf(webhook_secret="whsec_first")
        self.d.extra_args = ["--config", self.conf, "--stripe-api-base", self.stripe.base_url]
        self.d.start()
        self.pub = Public(self.d)

    def write_conf(self, webhook_secret, log_level="info", merchant="Shop", extra=""):
        with open(self.conf, "w") as f:
            f.write(f'log-level = "{log_level}"\nmerchant-name = "{merchant}"\n'
                    f'stripe-test-secret-key = "{SECRET_KEY}"\n'
                    f'stripe-test-webhook-secret = "{webhook_secret}"\n{extra}')

    def reload(self, expect="reload: done"):
        mark = len(self.d.log())
        self.d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while expect not in self.d.log()[mark:]:
            self.assertLess(time.monotonic(), deadline, self.d.log()[mark:])
            time.sleep(0.02)
        return self.d.log()[mark:]

    def callback(self, secret, n):
        event = {"id": f"evt_reload_{n}_{secret}", "object": "event", "type": "ping.reload",
                 "livemode": False, "created": int(time.time()), "data": {"object": {}}}
        signed = self.stripe.signed_event(event=event, secret=secret,
                                          timestamp=int(time.time()))
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request("POST", "/public/webhook/stripe", body=signed["payload"],
                         headers={"Content-Type": "application/json",
                                  "Stripe-Signature": signed["header"]})
            r = conn.getresponse()
            body = json.loads(r.read())
        finally:
            conn.close()
        return r.status, body

    def test_a_rolled_webhook_secret_is_used_from_the_reload_on(self):
        self.assertEqual(self.callback("whsec_first", 1)[0], 200)
        self.assertEqual(self.callback("whsec_second", 1)[1]["error"]["code"], "signature_invalid")
        self.write_conf(webhook_secret="whsec_second")
        log = self.reload()
        self.assertIn("Stripe test mode's secret key and webhook secret replaced", log)
        self.assertNotIn("whsec_second", log)  # secrets never reach the log
        self.assertEqual(self.callback("whsec_second", 2)[0], 200)
        self.assertEqual(self.callback("whsec_first", 2)[1]["error"]["code"], "signature_invalid")

    def test_log_level_applies_and_fixed_keys_are_named(self):
        self.write_conf(webhook_secret="whsec_first", log_level="debug", merchant="Other Ltd")
        log = self.reload()
        self.assertIn("reload: log-level is now debug", log)
        self.assertIn("merchant-name changed but take effect only after a restart", log)
        self.d.ok("status")
        self.assertEqual(self.d.proc.poll(), None)

    def test_a_config_that_does_not_parse_changes_nothing(self):
        self.write_conf(webhook_secret="whsec_second", extra="no-such-key = 1\n")
        log = self.reload(expect="the running configuration stays")
        self.assertNotIn("replaced", log)
        self.assertEqual(self.callback("whsec_first", 3)[0], 200)

    def test_requests_go_on_through_twenty_reloads(self):
        failures, done = [], threading.Event()

        def hammer():
            while not done.is_set():
                try:
                    self.pub.ok("GET", "/healthz")
                    self.d.ok("status")
                except Exception as e:  # any dropped or failed request
                    failures.append(repr(e))

        t = threading.Thread(target=hammer)
        t.start()
        try:
            for i in range(20):
                self.write_conf(webhook_secret=f"whsec_{i % 2}")
                self.reload()
        finally:
            done.set()
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(self.callback("whsec_1", 4)[0], 200)


if __name__ == "__main__":
    unittest.main()
