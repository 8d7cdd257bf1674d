"""Lightning and on-chain through real servers' APIs (issue 14): jopayd with SatsPay Server or
BTCPay Server keys, against the stand-ins in tests/e2e (satspay_standin.py, btcpay_standin.py).
The invoice is asked for off the writer, a callback is only a hint (the charge is read back
before anything changes), a lost callback is caught by the periodic read-back, forged and
replayed callbacks change nothing, and a kill -9 loses nothing and pays nothing twice."""
import json
import signal
import time
import unittest

from btcpay_standin import BTCPayStandin
from checkout_client import Public
from harness import Daemon, DaemonTest
from lnbits_client import REFERENCE_PLAN, V1
from satspay_standin import SatsPayStandin

SATSPAY_KEY = "satspay-invoice-key-e2e"
BTCPAY_KEY = "btcpay-api-key-e2e"
BTCPAY_SECRET = "btcpay-webhook-secret-e2e"


class PushServerTest(DaemonTest):
    clock_start = "2025-01-10T12:30:00Z"

    def start_daemon(self, args, env):
        self.d = Daemon(clock="manual", clock_start=self.clock_start,
                        extra_args=["--push-poll-seconds", "1", *args], env=env).start()
        self.addCleanup(self.d.cleanup)
        self.key = self.d.ok("keys", "create")["secret"]
        self.pub = Public(self.d, self.key)
        self.base = f"http://127.0.0.1:{self.pub.port}"
        self.plan = self.pub.ok("POST", V1 + "/plans",
                                dict(REFERENCE_PLAN, trial_days=0, allow_onchain=True),
                                status=201)

    def setUp(self):
        pass  # each class starts its own daemon once its server stand-in runs

    def restart_after_kill(self):
        self.d.stop(signal.SIGKILL)
        self.d.start()
        self.pub = Public(self.d, self.key)  # a new port (tests listen on port 0)

    def subscribe(self, method="lightning", plan=None):
        return self.pub.ok("POST", f"/public/subscribe/{(plan or self.plan)['id']}",
                           {"email": "chain@example.com", "payment_method": method}, key=None)

    def poll(self, what, check, timeout=20):
        deadline = time.time() + timeout
        while True:
            got = what()
            if check(got):
                return got
            if time.time() > deadline:
                self.fail(f"not reached in {timeout}s: {got}\n{self.d.log()[-3000:]}")
            time.sleep(0.1)

    def checkout(self, sub_id):
        return self.pub.ok("GET", f"/public/checkout/{sub_id}", key=None)

    def status(self, sub_id):
        return self.d.ok("subscriptions", "get", sub_id)["status"]

    def invoiced(self, made, field="invoice"):
        return self.poll(lambda: self.checkout(made["subscription_id"]), lambda c: c[field])


class SatsPayTest(PushServerTest):
    def setUp(self):
        self.sp = SatsPayStandin(api_key=SATSPAY_KEY).start()
        self.addCleanup(self.sp.stop)
        self.start_daemon(["--satspay-api-base", self.sp.base_url, "--satspay-test-wallet",
                           "wal_lightning", "--satspay-test-onchain-wallet", "wal_onchain"],
                          {"JOPAY_SATSPAY_TEST_API_KEY": SATSPAY_KEY})

    def test_a_lightning_subscription_is_paid_through_satspay(self):
        made = self.subscribe()
        self.assertEqual((made["status"], made["invoice"]), ("incomplete", None))  # asked after
        page = self.invoiced(made)
        [charge] = self.sp.charges.values()
        self.assertEqual(page["invoice"], charge["payment_request"])
        self.assertEqual((charge["amount"], charge["lnbitswallet"], charge["onchainwallet"]),
                         (10000, "wal_lightning", None))
        self.assertEqual(charge["webhook"], f"{self.base}/public/webhook/satspay")
        self.assertNotIn(SATSPAY_KEY, self.d.log())
        status = self.d.ok("status")
        self.assertEqual(status["push_providers"],
                         {"test": {"lightning": "satspay", "onchain": "satspay"},
                          "live": {"lightning": None, "onchain": None}})
        self.assertNotIn(SATSPAY_KEY, json.dumps(status))
        self.sp.mark_paid(charge["id"])  # the customer pays; SatsPay calls back (GET)
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")
        [paid] = self.d.payments(made["subscription_id"])
        self.assertEqual((paid["status"], paid["provider"]), ("paid", "satspay"))
        r = self.d.ctl("payments", "refund", paid["id"])  # jopayd holds no bitcoin to send
        self.assertEqual(r.rc, 5, r)
        self.assertIn("refund it from your wallet", r.err)
        self.assertEqual(self.d.ok("sessions", "get", made["session_id"])["status"], "completed")

    def test_callbacks_are_hints_forged_ones_change_nothing(self):
        made = self.subscribe()
        self.invoiced(made)
        [charge] = self.sp.charges.values()
        reads = self.sp.count("GET", "/satspay/api/v1/charge/")
        # A forged POST claiming the charge is paid: read back, not believed.
        forged = dict(charge, paid=True, balance=10000)
        status, answer, _ = self.pub.call("POST", "/public/webhook/satspay",
                                          raw=json.dumps(json.dumps(forged)), key=None)
        self.assertEqual((status, answer["checking"]), (200, True))
        self.poll(lambda: self.sp.count("GET", "/satspay/api/v1/charge/"), lambda n: n > reads)
        time.sleep(1.5)
        self.assertEqual(self.status(made["subscription_id"]), "incomplete")
        for raw in ("{}", "not json", json.dumps({"id": "x" * 300})):
            status, answer, _ = self.pub.call("POST", "/public/webhook/satspay", raw=raw, key=None)
            self.assertEqual(status, 400, answer)
        status, answer, _ = self.pub.call("GET", "/public/webhook/satspay?id=nosuchcharge",
                                          key=None)
        self.assertEqual((status, answer["checking"]), (200, False))

    def test_a_lost_callback_is_caught_by_reading_back(self):
        made = self.subscribe()
        self.invoiced(made)
        [charge] = self.sp.charges.values()
        self.sp.mark_paid(charge["id"], fire=False)
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")

    def test_server_failures_are_asked_again(self):
        self.sp.fail_next(2, "500")
        made = self.subscribe("onchain")
        page = self.invoiced(made, "address")
        self.assertTrue(page["address"].startswith("bcrt1"))
        self.assertGreaterEqual(self.sp.count("POST", "/satspay/api/v1/charge"), 3)

    def test_kill_9_loses_nothing_and_pays_once(self):
        made = self.subscribe()
        self.restart_after_kill()  # maybe before, maybe after the charge was asked for
        page = self.invoiced(made)
        charge = next(c for c in self.sp.charges.values()
                      if c["payment_request"] == page["invoice"])
        self.sp.mark_paid(charge["id"])
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")
        self.restart_after_kill()
        # SatsPay calls again after the restart (at the new address).
        self.sp.fire_callback(charge["id"], url=f"http://127.0.0.1:{self.pub.port}/public/webhook/satspay")
        time.sleep(1.5)
        payments = self.d.payments(made["subscription_id"])
        self.assertEqual([p["status"] for p in payments], ["paid"])
        created = [e for e in self.d.events(made["subscription_id"])
                   if e["type"] == "subscription.created"]
        self.assertEqual(len(created), 1)

    def test_renewals_are_invoiced_ahead_and_paid_through_satspay(self):
        made = self.subscribe()
        self.invoiced(made)
        [first] = self.sp.charges.values()
        self.sp.mark_paid(first["id"])
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")
        sub = self.d.ok("subscriptions", "get", made["subscription_id"])
        self.d.ok("clock", "set", "2025-02-07T12:30:00Z")  # 3 days before the period ends
        due = self.poll(lambda: [e for e in self.d.events(made["subscription_id"])
                                 if e["type"] == "subscription.payment_due"], len)
        pay_id = due[0]["data"]["payment_id"]
        second = self.poll(lambda: [c for c in self.sp.charges.values() if c["id"] != first["id"]],
                           len)[0]
        self.sp.mark_paid(second["id"])
        self.poll(lambda: self.d.ok("payments", "get", pay_id)["status"], lambda s: s == "paid")
        self.d.ok("clock", "set", sub["current_period_end"])
        renewed = self.d.ok("subscriptions", "get", made["subscription_id"])
        self.assertEqual((renewed["status"], renewed["current_period_start"]),
                         ("active", sub["current_period_end"]))


class BTCPayTest(PushServerTest):
    def setUp(self):
        self.bp = BTCPayStandin(api_key=BTCPAY_KEY, store_id="StoreE2E",
                                webhook_secret=BTCPAY_SECRET).start()
        self.addCleanup(self.bp.stop)
        self.start_daemon(["--btcpay-api-base", self.bp.base_url, "--btcpay-test-store-id",
                           "StoreE2E"],
                          {"JOPAY_BTCPAY_TEST_API_KEY": BTCPAY_KEY,
                           "JOPAY_BTCPAY_TEST_WEBHOOK_SECRET": BTCPAY_SECRET})
        self.bp.webhook_url = f"{self.base}/public/webhook/btcpay"

    def test_onchain_in_euros_through_btcpay(self):
        eur = self.pub.ok("POST", V1 + "/plans", {"name": "Euro", "amount": 1499,
                                                  "currency": "eur", "interval": "monthly",
                                                  "allow_onchain": True}, status=201)
        made = self.subscribe("onchain", eur)
        page = self.invoiced(made, "address")
        [invoice_id] = self.bp.invoices
        invoice = self.bp.invoices[invoice_id]
        self.assertEqual((invoice["amount"], invoice["currency"]), ("14.99", "EUR"))
        self.assertIn("EUR/BTC", page["rate"])
        self.bp.mark_paid(invoice_id)  # Settled; BTCPay sends its signed webhook
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")

    def test_forged_and_replayed_callbacks_change_nothing(self):
        made = self.subscribe()
        self.invoiced(made)
        [invoice_id] = self.bp.invoices
        before = self.d.ok("payments", "list")
        # Wrong secret, and a signature of other bytes: 400, nothing recorded.
        status, _ = self.bp.send_webhook(invoice_id, "InvoiceSettled", secret="not-the-secret")
        self.assertEqual(status, 400)
        status, _ = self.bp.send_webhook(invoice_id, "InvoiceSettled", signature="sha256=00")
        self.assertEqual(status, 400)
        # Correctly signed but the invoice is not paid: read back, nothing changes.
        status, delivery = self.bp.send_webhook(invoice_id, "InvoiceSettled")
        self.assertEqual(status, 200)
        time.sleep(1.5)
        self.assertEqual(self.d.ok("payments", "list"), before)
        self.assertEqual(self.status(made["subscription_id"]), "incomplete")
        self.bp.mark_paid(invoice_id)
        self.poll(lambda: self.status(made["subscription_id"]), lambda s: s == "active")
        status, _ = self.bp.redeliver(delivery)  # a replay: recorded once, changes nothing
        self.assertEqual(status, 200)
        self.assertEqual([p["status"] for p in self.d.payments(made["subscription_id"])],
                         ["paid"])


if __name__ == "__main__":
    unittest.main()
