"""Lightning and on-chain (issue 14), through the test-mode sandbox: POST /public/subscribe with
payment_method lightning / onchain answers with a real regtest BOLT11 invoice or bcrt1 address;
`jopayctl payments pay` plays the customer's wallet; each period is invoiced ahead of its end
(subscription.payment_due), renewed when paid, and an unpaid one goes through grace, past_due and
reminders to expired; a late payment is kept as unapplied. The QR code decodes to the payment URI."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import JOPAYCTL, unix
from lnbits_client import NOW, REFERENCE_PLAN, LnbitsTest

DAY = 86400
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_valid(text):
    """BIP 173's checksum check (the reference implementation's polymod)."""
    text = text.lower()
    hrp, data = text[:text.rfind("1")], text[text.rfind("1") + 1:]
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    values += [BECH32.index(c) for c in data]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i, g in enumerate((0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3)):
            chk ^= g if (top >> i) & 1 else 0
    return chk == 1


class PushRailsTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        # 10,000 sats a month, 3 days of grace, Lightning and on-chain allowed.
        self.plan = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0,
                                                    allow_onchain=True), status=201)

    def public(self, method, path, body=None, status=200, **kw):
        return self.pub.ok(method, path, body, status=status, key=None, **kw)

    def subscribe(self, method="lightning", plan=None, email="ln@example.com"):
        return self.public("POST", f"/public/subscribe/{(plan or self.plan)['id']}",
                           {"email": email, "payment_method": method})

    def set_clock(self, t):
        self.d.ok("clock", "set", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)))

    def pay(self, payment_id):
        return self.d.ok("payments", "pay", payment_id)

    def due_events(self, sub_id):
        return [e for e in self.d.events(sub_id) if e["type"] == "subscription.payment_due"]

    def types(self, sub_id):
        return [e["type"] for e in self.d.events(sub_id)]

    def test_lightning_first_payment_then_a_year_paid_invoice_by_invoice(self):
        made = self.subscribe()
        self.assertEqual((made["status"], made["payment_method"], made["amount_sats"]),
                         ("incomplete", "lightning", 10000))
        self.assertTrue(made["invoice"].startswith("lnbcrt100u1"), made["invoice"])
        self.assertTrue(bech32_valid(made["invoice"]))
        self.assertEqual(made["payment_uri"], "lightning:" + made["invoice"])
        self.assertEqual((made["expires_at"], made["address"], made["payment_status"]),
                         (NOW + 1800, None, "pending"))
        base = f"http://127.0.0.1:{self.pub.port}"
        self.assertEqual(made["pay_url"], f"{base}/pay/{made['payment_id']}")
        sub_id = made["subscription_id"]
        self.assertEqual(made["qr_code_url"], f"{base}/public/checkout/{sub_id}/qr.svg")
        polled = self.public("GET", f"/public/checkout/{sub_id}")
        self.assertEqual((polled["invoice"], polled["paid"], polled["payment_method"]),
                         (made["invoice"], False, "lightning"))

        self.d.advance("10m")
        paid = self.pay(made["payment_id"])
        self.assertEqual((paid["status"], paid["applied"], paid["push"]["amount_received_sats"]),
                         ("paid", "started", 10000))
        sub = self.d.ok("subscriptions", "get", sub_id)
        started = NOW + 600
        self.assertEqual((sub["status"], sub["current_period_start"], sub["payment_method"]["rail"]),
                         ("active", "2025-01-10T12:40:00Z", "lightning"))
        self.assertEqual(self.d.ok("sessions", "get", made["session_id"])["status"], "completed")
        self.assertEqual(self.public("GET", f"/public/checkout/{sub_id}")["paid"], True)
        # Paying twice changes nothing.
        self.assertEqual(self.pay(made["payment_id"])["applied"], "already_paid")

        for month in range(12):
            sub = self.d.ok("subscriptions", "get", sub_id)
            end = unix(sub["current_period_end"])
            self.set_clock(end - 3 * DAY)
            due = self.due_events(sub_id)
            self.assertEqual(len(due), month + 1)
            data = due[-1]["data"]
            self.assertEqual((data["due_at"], data["attempt"]), (sub["current_period_end"], 1))
            pay = self.d.ok("payments", "get", data["payment_id"])
            self.assertEqual((pay["status"], pay["period_start"], pay["amount"]),
                             ("pending", sub["current_period_end"], 10000))
            self.assertTrue(pay["push"]["invoice"].startswith("lnbcrt100u1"))
            self.assertEqual(data["pay_url"], f"{base}/pay/{data['payment_id']}")
            self.assertEqual(self.pay(data["payment_id"])["applied"], "paid_ahead")
            self.set_clock(end)
            renewed = self.d.ok("subscriptions", "get", sub_id)
            self.assertEqual((renewed["status"], renewed["current_period_start"]),
                             ("active", sub["current_period_end"]))
        payments = self.d.payments(sub_id)
        self.assertEqual([p["status"] for p in payments], ["paid"] * 13)
        self.assertEqual(len({p["period_start"] for p in payments}), 13)  # no period twice
        self.assertEqual(self.types(sub_id).count("subscription.renewed"), 12)
        self.assertEqual(self.types(sub_id)[0], "subscription.created")

    def test_an_unpaid_period_goes_through_grace_and_reminders_to_expired(self):
        made = self.subscribe()
        self.pay(made["payment_id"])
        sub_id = made["subscription_id"]
        end = unix(self.d.ok("subscriptions", "get", sub_id)["current_period_end"])
        self.set_clock(end + DAY)  # in the grace period: still active
        sub = self.d.ok("subscriptions", "get", sub_id)
        self.assertEqual((sub["status"], sub["next_action"]), ("active", "retry"))
        [due] = self.due_events(sub_id)
        self.set_clock(end + 3 * DAY)  # grace over
        sub = self.d.ok("subscriptions", "get", sub_id)
        self.assertEqual(sub["status"], "past_due")
        failed = [e for e in self.d.events(sub_id) if e["type"] == "subscription.payment_failed"]
        self.assertEqual([f["data"]["failure_code"] for f in failed], ["payment_overdue"])
        self.set_clock(end + 6 * DAY)  # reminders at +1 d and +3 d
        reminders = self.due_events(sub_id)[1:]
        self.assertEqual([r["data"]["attempt"] for r in reminders], [2, 3])
        # Every reminder points at the same charge: a period is asked for once.
        self.assertEqual({r["data"]["payment_id"] for r in reminders}, {due["data"]["payment_id"]})
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "past_due")
        self.set_clock(end + 8 * DAY)  # + 5 d: the end
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "expired")
        self.assertEqual(self.types(sub_id)[-1], "subscription.expired")
        # A late payment is recorded, never lost, and changes nothing else.
        late = self.pay(due["data"]["payment_id"])
        self.assertEqual((late["status"], late["applied"], late["push"]["unapplied"]),
                         ("paid", "unapplied", True))
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "expired")
        self.assertEqual([e["type"] for e in self.d.events(late["id"])], ["payment.unapplied"])
        [warning] = [w for w in self.d.ok("status")["warnings"] if "refund or credit" in w]
        self.assertTrue(warning.startswith("1 Lightning / on-chain payment"), warning)
        # The operator refunds it (the sandbox's refund is at once): the warning goes.
        refund = self.d.ok("payments", "refund", late["id"])
        self.assertEqual(refund["status"], "succeeded")
        self.assertEqual(self.d.ok("payments", "get", late["id"])["status"], "refunded")
        self.assertFalse([w for w in self.d.ok("status")["warnings"] if "refund or credit" in w])

    def test_paying_while_past_due_renews_the_open_period(self):
        made = self.subscribe()
        self.pay(made["payment_id"])
        sub_id = made["subscription_id"]
        first = self.d.ok("subscriptions", "get", sub_id)
        end = unix(first["current_period_end"])
        self.set_clock(end + 4 * DAY)
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "past_due")
        due = self.due_events(sub_id)  # the invoice, and the reminder a day after past_due
        self.assertEqual([d["data"]["attempt"] for d in due], [1, 2])
        self.assertEqual(self.pay(due[0]["data"]["payment_id"])["applied"], "renewed")
        sub = self.d.ok("subscriptions", "get", sub_id)
        self.assertEqual((sub["status"], sub["current_period_start"], sub["next_action"]),
                         ("active", first["current_period_end"], "invoice"))
        self.assertEqual(self.types(sub_id)[-1], "subscription.renewed")

    def test_the_lnbits_api_names_the_rail(self):
        ln = self.subscribe()
        self.pay(ln["payment_id"])
        chain = self.subscribe("onchain", email="chain@example.com")
        card = self.d.subscribe(self.d.plan()["id"], "card@example.com")
        sub = self.v1("GET", f"/subscriptions/{ln['subscription_id']}")
        self.assertEqual((sub["payment_method"], sub["card"]), ("lightning", None))
        self.assertEqual([p["payment_method"] for p in sub["payments"]], ["lightning"])
        by = lambda m: {p["id"] for p in self.v1("GET", f"/payments?payment_method={m}")}
        self.assertEqual(by("lightning"), {ln["payment_id"]})
        self.assertEqual(by("onchain"), {chain["payment_id"]})
        self.assertEqual(by("card"), {p["id"] for p in self.d.payments(card["id"])})
        self.assertEqual(by("paypal"), set())

    def test_onchain_gives_a_regtest_address_and_a_bip21_uri(self):
        eur = self.v1("POST", "/plans", {"name": "Euro", "amount": 1499, "currency": "eur",
                                          "interval": "monthly", "allow_onchain": True},
                      status=201)
        made = self.subscribe("onchain", eur)
        self.assertRegex(made["address"], r"^bcrt1q[02-9ac-hj-np-z]{38}$")
        self.assertTrue(bech32_valid(made["address"]))
        # 14.99 EUR at the sandbox's 1,000 sats per euro, and the rate is recorded.
        self.assertEqual((made["amount_sats"], made["rate"], made["invoice"]),
                         (14990, "1000 sat/eur (sandbox)", None))
        self.assertEqual(made["payment_uri"], f"bitcoin:{made['address']}?amount=0.0001499")
        self.assertEqual(self.pay(made["payment_id"])["applied"], "started")
        self.assertEqual(self.d.ok("subscriptions", "get", made["subscription_id"])["status"],
                         "active")

    def test_a_trial_on_lightning_starts_at_once_and_invoices_before_it_ends(self):
        trial = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="Trial"), status=201)
        made = self.subscribe(plan=trial)
        self.assertEqual(made["status"], "trialing")
        self.assertNotIn("invoice", made)
        self.assertEqual(self.d.ok("sessions", "get", made["session_id"])["status"], "completed")
        sub_id = made["subscription_id"]
        self.d.advance("4d")  # 3 days before the 7-day trial ends: reminder and invoice
        self.assertEqual(self.types(sub_id), ["subscription.created", "subscription.trial_ending",
                                              "subscription.payment_due"])
        [due] = self.due_events(sub_id)
        self.pay(due["data"]["payment_id"])
        self.d.advance("3d")
        sub = self.d.ok("subscriptions", "get", sub_id)
        self.assertEqual((sub["status"], sub["current_period_start"]),
                         ("active", "2025-01-17T12:30:00Z"))

    def test_the_qr_code_decodes_to_the_payment_uri(self):
        zbarimg, chromium = shutil.which("zbarimg"), shutil.which("chromium")
        if not (zbarimg and chromium):
            self.skipTest("zbarimg and chromium are needed (scripts/setup --tests)")
        made = self.subscribe()
        status, svg, headers = self.pub.call("GET", f"/public/checkout/{made['subscription_id']}/qr.svg",
                                             key=None)
        self.assertEqual((status, headers["content-type"]), (200, "image/svg+xml"))
        with tempfile.TemporaryDirectory() as tmp:
            page = os.path.join(tmp, "qr.html")
            with open(page, "w") as f:
                f.write(f"<html><body style='margin:0'><div style='width:600px'>{svg}</div>"
                        "</body></html>")
            png = os.path.join(tmp, "qr.png")
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            f"--screenshot={png}", "--window-size=600,600", "file://" + page],
                           check=True, capture_output=True, timeout=120)
            out = subprocess.run([zbarimg, "--quiet", "--raw", png], capture_output=True,
                                 text=True, timeout=60)
        self.assertEqual(out.stdout.strip(), made["payment_uri"], out.stderr)

    def test_jopayctl_sessions_pay_takes_a_rail(self):
        made = self.subscribe()
        session = self.d.ok("sessions", "pay", made["session_id"], "--rail", "lightning")
        self.assertEqual(session["status"], "completed")
        sub = self.d.ok("subscriptions", "get", made["subscription_id"])
        self.assertEqual(sub["status"], "active")
        # A checkout API session, paid on-chain through the sandbox.
        s = self.pub.ok("POST", "/api/checkout/v1/sessions",
                        {"mode": "subscription", "plan": self.plan["id"],
                         "customer_email": "chain@example.com",
                         "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/"})
        self.assertEqual(self.d.ok("sessions", "pay", s["id"], "--rail", "onchain")["status"],
                         "completed")
        [paid] = self.d.ok("payments", "list", "--status", "paid", "--limit", "1")
        self.assertEqual(paid["amount"], 10000)
        before = self.full_snapshot()
        other = self.pub.ok("POST", "/api/checkout/v1/sessions",
                            {"mode": "subscription", "plan": self.plan["id"],
                             "success_url": "https://shop.example/ok",
                             "cancel_url": "https://shop.example/"})
        before = self.full_snapshot()
        for args, rc in ((["--rail", "paypal"], 2), ([], 5),
                         (["--rail", "lightning", "--card", "4242424242424242"], 5),
                         (["--rail", "lightning"], 5)):  # no email for the new subscription
            r = self.d.ctl("sessions", "pay", other["id"], *args)
            self.assertEqual(r.rc, rc, (args, r))
        self.assertEqual(self.full_snapshot(), before)

    def test_kill_9_at_random_moments_of_a_year_loses_nothing_and_pays_nothing_twice(self):
        import random
        import signal
        rng = random.Random(14)
        made = self.subscribe()
        self.pay(made["payment_id"])
        sub_id = made["subscription_id"]
        for month in range(12):
            end = unix(self.d.ok("subscriptions", "get", sub_id)["current_period_end"])
            # kill -9 while the clock runs the invoice step, or just after paying, or not at all
            moment = rng.choice(("invoice", "paid", "none"))
            if moment == "invoice":  # killed while the clock move runs, at a random moment
                mover = subprocess.Popen(
                    [JOPAYCTL, "--socket", self.d.socket, "clock", "set",
                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end - 3 * DAY))],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0, 0.03))
                self.d.stop(signal.SIGKILL)
                mover.wait()
                self.d.start()
            self.set_clock(end - 3 * DAY)  # a restart has run what was due; this is a no-op then
            due = [e for e in self.due_events(sub_id) if unix(e["data"]["due_at"]) == end]
            self.assertEqual(len(due), 1, (month, due))  # told once, whatever the crash
            self.pay(due[0]["data"]["payment_id"])
            if moment == "paid":
                self.d.stop(signal.SIGKILL)
                self.d.start()
            self.set_clock(end)
        payments = self.d.payments(sub_id)
        self.assertEqual([p["status"] for p in payments], ["paid"] * 13)
        self.assertEqual(len({p["period_start"] for p in payments}), 13)
        self.assertEqual(self.types(sub_id).count("subscription.renewed"), 12)
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "active")

    def test_status_names_the_sandbox(self):
        self.assertEqual(self.d.ok("status")["push_providers"],
                         {"test": {"lightning": "sandbox", "onchain": "sandbox"},
                          "live": {"lightning": None, "onchain": None}})
        self.assertIn("bitcoin", self.d.ok("status", output="table"))

    def test_bad_input_changes_nothing(self):
        no_onchain = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="LN only"), status=201)
        card_sub = self.d.subscribe(self.d.plan()["id"], "card@example.com")
        [card_payment] = self.d.payments(card_sub["id"])
        before = self.full_snapshot()
        path = f"/public/subscribe/{no_onchain['id']}"
        for method, code in (("onchain", "payment_method_unavailable"),
                             ("paypal", "payment_method_unavailable"), ("cash", None)):
            err = self.error("POST", path, {"email": "x@example.com", "payment_method": method},
                             param="payment_method", key=None)
            if code:
                self.assertEqual(err["code"], code)
        for payment_id, rc in ((card_payment["id"], 5), ("pay_missing", 4)):
            r = self.d.ctl("payments", "pay", payment_id)
            self.assertEqual(r.rc, rc, r)
        self.assertEqual(self.full_snapshot(), before)
        status, answer = self.d.api("POST", "/v1/payments/pay_x/pay", {"amount": 5})
        self.assertEqual((status, answer["error"]["param"]), (400, "amount"))
        self.error("GET", f"/public/checkout/{card_sub['id']}/qr.svg", status=404, key=None)


if __name__ == "__main__":
    unittest.main()
