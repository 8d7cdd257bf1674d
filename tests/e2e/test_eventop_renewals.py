"""Eventop subscriptions renew by reading their subscription account at each period end: the
chain collects, jopayd asks a Solana node (the stand-in, solana_standin.py) with getAccountInfo
whether the account still stands, off the writer, through the charge pipeline. An account
that exists renews the period (a paid payment with provider "solana", once per period); a
closed one is a decline (subscription_account_closed) and dunning runs to expired; a node that
does not answer leaves the charge pending and it is read again, never charging a period twice,
across a kill -9 too. Test mode without a node renews in the sandbox."""
import signal
import threading
import time
import unittest

import test_eventop_complete as complete
from solana_standin import SolanaStandin, eventop_state, new_pubkey

EO = complete.EO


class RenewalTest(complete.CompleteTest):
    """A month plan of 9.99 completed on chain at 2025-01-10T12:30:00Z."""

    def subscribe(self, pda=None):
        sid = self.session()
        p = complete.proof(pda or new_pubkey())
        self.complete(sid, p)
        return self.pub.ok("GET", f"{EO}/{sid}")["subscriptionId"], p["subscriptionPda"]

    def paid_by_period(self, sub):
        """{period_start: number of paid payments}, after checking every payment is solana's."""
        pays = self.d.payments(sub)
        self.assertTrue(all(p["provider"] == "solana" for p in pays), pays)
        by_period = {}
        for p in pays:
            if p["status"] == "paid":
                by_period[p["period_start"]] = by_period.get(p["period_start"], 0) + 1
        return by_period

    def renewed(self, sub):
        return [e for e in self.d.events(sub) if e["type"] == "subscription.renewed"]


class NodeTest(RenewalTest):
    def setUp(self):
        self.node = SolanaStandin().start()
        self.addCleanup(self.node.stop)
        self.daemon_args = ("--solana-rpc-url", self.node.base_url)
        super().setUp()
        self.wallet = new_pubkey()

    def subscribe(self, active=True):
        pda = new_pubkey()
        tx = self.node.add_transaction(signers=[self.wallet], accounts=[pda])
        self.node.add_account(pda, data=eventop_state(self.wallet, active=active))
        sid = self.session()
        self.complete(sid, complete.proof(pda, self.wallet, tx.signature))
        return self.pub.ok("GET", f"{EO}/{sid}")["subscriptionId"], pda

    def reads(self, pda):
        return [p for m, p in list(self.node.calls) if m == "getAccountInfo" and p[0] == pda]

    def wait(self, predicate, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = predicate()
            if got:
                return got
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}\n--- jopayd log ---\n{self.d.log()[-3000:]}")

    def settled(self):
        self.wait(lambda: self.d.ok("status")["charges"]["pending"] == 0, "charges to settle", 30)

    def test_each_period_end_reads_the_account_and_renews_the_period_once(self):
        sub, pda = self.subscribe()
        fired = self.d.advance("3mo")  # the clock waits for each read's answer as it moves
        self.assertEqual(fired["fired"]["charges_sent"], 3)
        self.assertEqual(self.paid_by_period(sub), {
            "2025-01-10T12:30:00Z": 1, "2025-02-10T12:30:00Z": 1, "2025-03-10T12:30:00Z": 1,
            "2025-04-10T12:30:00Z": 1})
        renewals = self.d.payments(sub)[1:]
        self.assertTrue(all(p["provider_ref"].startswith(f"solana:{pda}:") for p in renewals))
        self.assertEqual(len({p["provider_ref"] for p in renewals}), 3)  # each its own slot
        self.assertEqual(len(self.renewed(sub)), 3)
        reads = self.reads(pda)
        self.assertEqual(len(reads), 3)  # one read per period end, nothing more
        self.assertEqual(reads[0][1], {"commitment": "confirmed", "encoding": "base64"})
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["current_period_start"]),
                         ("active", "2025-04-10T12:30:00Z"))

    def test_a_closed_account_fails_the_period_and_dunning_runs_to_expired(self):
        sub, pda = self.subscribe()
        self.d.advance("1mo")
        self.node.close_account(pda)  # the customer cancelled on chain
        self.d.advance("1mo")
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["next_action"]), ("past_due", "retry"))
        failed = [e for e in self.d.events(sub) if e["type"] == "subscription.payment_failed"]
        self.assertEqual(failed[0]["data"]["failure_code"], "subscription_account_closed")
        last = self.d.payments(sub)[-1]
        self.assertEqual((last["status"], last["failure_code"]),
                         ("failed", "subscription_account_closed"))
        self.d.advance("6d")  # retries at +1d, +3d, +5d, each reading the account again
        pays = self.d.payments(sub)
        self.assertEqual([(p["status"], p["attempt"]) for p in pays[2:]],
                         [("failed", 1), ("failed", 2), ("failed", 3), ("failed", 4)])
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["status"], "expired")
        self.assertEqual(len(self.reads(pda)), 5)
        self.assertEqual(self.paid_by_period(sub), {"2025-01-10T12:30:00Z": 1,
                                                    "2025-02-10T12:30:00Z": 1})

    def test_an_eventop_account_marked_inactive_fails_the_period(self):
        sub, pda = self.subscribe(active=False)
        self.d.advance("1mo")
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual(got["status"], "past_due")
        self.assertEqual(self.d.payments(sub)[-1]["failure_code"], "subscription_inactive")

    def advance_while_down(self, by):
        """Moves the clock on a thread (it waits for the charge) with the node down, and
        returns the thread once the period's charge is pending and was refused twice."""
        self.node.down = True
        mover = threading.Thread(target=lambda: self.d.ctl("clock", "advance", by))
        mover.start()
        self.wait(lambda: self.node.refused >= 2, "the read to be sent again")
        return mover

    def test_a_node_that_does_not_answer_leaves_the_charge_pending_until_it_does(self):
        sub, pda = self.subscribe()
        mover = self.advance_while_down("1mo")
        pending = [p for p in self.d.payments(sub) if p["status"] == "pending"]
        self.assertEqual(len(pending), 1)
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["next_action"]), ("active", "charge"))
        self.assertEqual(self.renewed(sub), [])
        self.node.down = False
        mover.join(60)
        self.settled()
        self.assertEqual(self.paid_by_period(sub), {"2025-01-10T12:30:00Z": 1,
                                                    "2025-02-10T12:30:00Z": 1})
        self.assertEqual([p["idempotency_key"] for p in self.d.payments(sub)][1],
                         pending[0]["idempotency_key"])  # the same charge, answered at last
        self.assertEqual(len(self.renewed(sub)), 1)
        self.assertEqual(len(self.reads(pda)), 1)

    def test_kill_9_while_the_node_is_down_still_renews_each_period_once(self):
        sub, _ = self.subscribe()
        mover = self.advance_while_down("1mo")
        self.assertEqual(self.d.stop(signal.SIGKILL), -signal.SIGKILL)
        mover.join(60)
        self.node.down = False
        self.d.start()
        self.settled()
        self.assertEqual(self.paid_by_period(sub), {"2025-01-10T12:30:00Z": 1,
                                                    "2025-02-10T12:30:00Z": 1})
        self.d.ok("clock", "set", "2025-03-11T00:00:00Z")
        self.settled()
        self.assertEqual(self.paid_by_period(sub), {"2025-01-10T12:30:00Z": 1,
                                                    "2025-02-10T12:30:00Z": 1,
                                                    "2025-03-10T12:30:00Z": 1})
        self.assertEqual(len(self.renewed(sub)), 2)
        self.assertEqual([p["status"] for p in self.d.payments(sub)], ["paid"] * 3)


class SandboxTest(RenewalTest):
    """Test mode without a node: completions and renewals are the sandbox's."""

    def test_sandbox_subscriptions_renew_every_period(self):
        sub, pda = self.subscribe()
        self.d.advance("3mo")
        self.assertEqual(len(self.paid_by_period(sub)), 4)
        self.assertTrue(all(n == 1 for n in self.paid_by_period(sub).values()))
        self.assertEqual([p["provider_ref"] for p in self.d.payments(sub)[1:]],
                         [f"solana:{pda}:sandbox"] * 3)
        self.assertEqual(len(self.renewed(sub)), 3)
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["status"], "active")


if __name__ == "__main__":
    unittest.main()
