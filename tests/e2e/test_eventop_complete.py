"""POST /eventop/checkout/{id}/complete: a wallet's on-chain proof completes an Eventop session
(the reference's answer, field for field), proven through a Solana JSON-RPC node (the
stand-in, solana_standin.py) or, in test mode without one, by its shape alone (the sandbox).
Every refusal changes nothing; a signature completes one session; a repeat answers the same."""
import unittest

from checkout_client import API, Public
from harness import DaemonTest, LIVE_CARDS_ARGS, LIVE_CARDS_ENV
from lnbits_client import LnbitsTest
from solana_standin import SolanaStandin, b58encode, new_pubkey, new_signature

EO = "/eventop/checkout"
SUCCESS = "https://yourdomain.com/success"


def proof(pda=None, wallet=None, signature=None):
    return {"subscriptionPda": pda or new_pubkey(), "userWallet": wallet or new_pubkey(),
            "signature": signature or new_signature()}


class CompleteTest(LnbitsTest):
    """A test-mode daemon (manual clock at 2025-01-10T12:30:00Z) and an Eventop plan."""

    def setUp(self):
        super().setUp()
        self.plan = self.d.plan(name="Premium Plan", amount=999)
        self.body = {"planId": self.plan["id"], "customerEmail": "user@example.com",
                     "successUrl": SUCCESS, "metadata": {"userId": "123"}}

    def session(self, **fields):
        return self.pub.ok("POST", EO + "/create", dict(self.body, **fields))["sessionId"]

    def complete(self, sid, body, status=200):
        # No key: the reference's wallet app calls it without one.
        return self.pub.ok("POST", f"{EO}/{sid}/complete", body, status=status, key=None)

    def refused(self, sid, body, status, code=None, param=None, **kw):
        return self.error("POST", f"{EO}/{sid}/complete", body, status=status, code=code,
                          param=param, key=None, **kw)

    def assert_completed(self, sid, p):
        """The reference's answers after completion, and the subscription it started."""
        got = self.pub.ok("GET", f"{EO}/{sid}")
        self.assertEqual((got["status"], got["subscriptionPda"], got["completedAt"]),
                         ("completed", p["subscriptionPda"], "2025-01-10T12:30:00Z"))
        sub = self.d.ok("subscriptions", "get", got["subscriptionId"])
        self.assertEqual((sub["status"], sub["metadata"], sub["customer_email"]),
                         ("active", {"userId": "123"}, "user@example.com"))
        self.assertEqual([e["type"] for e in self.d.events(sid)], ["checkout.session.completed"])
        self.assertEqual([e["type"] for e in self.d.events(sub["id"])], ["subscription.created"])
        paid = self.d.payments(sub["id"])
        self.assertEqual([(p_["status"], p_["amount"]) for p_ in paid], [("paid", 999)])
        return sub


class SandboxTest(CompleteTest):
    def test_any_well_formed_proof_completes_a_test_session(self):
        sid = self.session()
        p = proof()
        answer = self.complete(sid, p)
        self.assertEqual(answer, {"sessionId": sid, "status": "completed",
                                  "subscriptionPda": p["subscriptionPda"],
                                  "successUrl": f"{SUCCESS}?session_id={sid}"})
        self.assert_completed(sid, p)
        # The repeat answers the same and changes nothing.
        before = self.snapshot()
        self.assertEqual(self.complete(sid, p), answer)
        self.assertEqual(self.snapshot(), before)

    def test_completion_emits_what_a_card_payment_emits(self):
        by_card, on_chain = self.session(), self.session()
        self.assertEqual(self.pay(by_card).rc, 0)
        self.complete(on_chain, proof())
        types = []
        for sid in (by_card, on_chain):
            got = self.pub.ok("GET", f"{EO}/{sid}")
            types.append(([e["type"] for e in self.d.events(sid)],
                          [e["type"] for e in self.d.events(got["subscriptionId"])]))
        self.assertEqual(types[0], types[1])

    def test_success_url_with_a_query_gets_session_id_appended(self):
        sid = self.session(successUrl=SUCCESS + "?ref=tw")
        answer = self.complete(sid, proof())
        self.assertEqual(answer["successUrl"], f"{SUCCESS}?ref=tw&session_id={sid}")

    def test_a_signature_completes_one_session_only(self):
        first, second = self.session(), self.session()
        p = proof()
        self.complete(first, p)
        before = self.snapshot()
        err = self.refused(second, dict(proof(), signature=p["signature"]), 409,
                           code="signature_already_used")
        self.assertIn(first, err["message"])
        # The first session, completed, refuses another proof (and a card can no longer pay it).
        self.refused(first, proof(), 409, code="session_completed")
        self.refused(first, dict(p, userWallet=new_pubkey()), 409, code="session_completed")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.pub.ok("GET", f"{EO}/{second}")["status"], "pending")

    def test_bad_input_changes_nothing(self):
        sid = self.session()
        good = proof()
        before = self.snapshot()
        for missing in ("subscriptionPda", "userWallet", "signature"):
            body = {k: v for k, v in good.items() if k != missing}
            self.refused(sid, body, 400, code="parameter_missing", param=missing)
        self.refused(sid, dict(good, planId="x"), 400, code="parameter_unknown", param="planId")
        bad_values = [("subscriptionPda", "0" + good["subscriptionPda"][1:]),  # not base58
                      ("userWallet", good["userWallet"][:-1] + "l"),
                      ("userWallet", b58encode(bytes(range(1, 32)))),  # 31 bytes
                      ("subscriptionPda", good["signature"]),  # 64 bytes
                      ("signature", good["userWallet"]),  # 32 bytes
                      ("signature", "5j7Km..."),  # the reference's placeholder
                      ("signature", 7), ("userWallet", None), ("subscriptionPda", "")]
        for field, value in bad_values:
            self.refused(sid, dict(good, **{field: value}), 400, param=field)
        self.refused(sid, None, 400, raw="{nope")
        self.refused(sid, None, 415, raw="{}", headers={"Content-Type": "text/plain"})
        self.refused("cs_missing", good, 404, param="sessionId")
        self.assertEqual(self.snapshot(), before)

    def test_expired_cancelled_and_payment_sessions_refuse(self):
        expired, cancelled = self.session(), self.session()
        self.pub.ok("POST", f"{EO}/{cancelled}/cancel")
        payment = self.create({"line_items": [{"name": "Beans", "amount": 2500, "currency": "eur"}],
                               "success_url": SUCCESS, "cancel_url": SUCCESS})["id"]
        self.d.advance("31m")
        before = self.snapshot()
        self.refused(expired, proof(), 409, code="session_expired")
        self.refused(cancelled, proof(), 409, code="session_not_pending")
        self.refused(payment, proof(), 409, code="session_not_subscription")
        self.assertEqual(self.snapshot(), before)
        self.d.ok("renew")  # the sweep marks it expired: still refused
        self.refused(expired, proof(), 409, code="session_expired")

    def test_a_trial_starts_trialing_with_nothing_charged(self):
        plan = self.d.plan(name="Trial Plan", amount=500, trial_days=7)
        sid = self.session(planId=plan["id"])
        self.complete(sid, proof())
        sub = self.d.ok("subscriptions", "get", self.pub.ok("GET", f"{EO}/{sid}")["subscriptionId"])
        self.assertEqual(sub["status"], "trialing")
        self.assertEqual(self.d.payments(sub["id"]), [])


class RpcTest(CompleteTest):
    """Test mode proven through the stand-in (solana-rpc-url)."""

    def setUp(self):
        self.node = SolanaStandin().start()
        self.addCleanup(self.node.stop)
        self.daemon_args = ("--solana-rpc-url", self.node.base_url)
        super().setUp()
        self.wallet, self.pda = new_pubkey(), new_pubkey()

    def on_chain(self, **kw):
        tx = self.node.add_transaction(signers=kw.pop("signers", [self.wallet]),
                                       accounts=kw.pop("accounts", [self.pda]), **kw)
        return proof(self.pda, self.wallet, tx.signature)

    def test_a_confirmed_transaction_completes_once_proven(self):
        sid = self.session()
        p = self.on_chain()
        answer = self.complete(sid, p)
        self.assertEqual(answer["subscriptionPda"], self.pda)
        method, params = self.node.calls[0]
        self.assertEqual((method, params[0]), ("getTransaction", p["signature"]))
        self.assertEqual(params[1], {"commitment": "confirmed", "encoding": "jsonParsed",
                                     "maxSupportedTransactionVersion": 0})
        self.assert_completed(sid, p)
        calls = len(self.node.calls)
        self.assertEqual(self.complete(sid, p), answer)  # the repeat asks the node nothing
        self.assertEqual(len(self.node.calls), calls)

    def test_the_account_may_come_from_a_lookup_table(self):
        sid = self.session()
        p = self.on_chain(accounts=[], lookup=[self.pda])
        self.complete(sid, p)
        self.assertEqual(self.pub.ok("GET", f"{EO}/{sid}")["status"], "completed")

    def test_proofs_the_chain_does_not_show_are_refused_and_change_nothing(self):
        sid = self.session()
        before = self.snapshot()
        self.refused(sid, proof(self.pda, self.wallet), 400, code="transaction_not_found",
                     param="signature")  # forged: never on chain
        failed = self.on_chain(err={"InstructionError": [0, {"Custom": 6001}]})
        self.refused(sid, failed, 400, code="transaction_failed", param="signature")
        other_account = self.on_chain(accounts=[new_pubkey()])
        self.refused(sid, other_account, 400, code="transaction_mismatch", param="subscriptionPda")
        not_signed = self.on_chain(signers=[new_pubkey()], accounts=[self.pda, self.wallet])
        self.refused(sid, not_signed, 400, code="transaction_mismatch", param="userWallet")
        processing = self.on_chain(confirmation="processed")
        self.refused(sid, processing, 409, code="transaction_not_confirmed")
        self.node.down = True
        self.refused(sid, self.on_chain(), 503, code="unavailable")
        self.node.down = False
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.node.methods().count("getSignatureStatuses"), 2)
        # The transaction once confirmed completes the same session.
        self.node.transactions[processing["signature"]].confirmation = "confirmed"
        self.complete(sid, processing)
        self.assert_completed(sid, processing)

    def test_a_proven_signature_completes_one_session_only(self):
        first, second = self.session(), self.session()
        p = self.on_chain()
        self.complete(first, p)
        before, calls = self.snapshot(), len(self.node.calls)
        self.refused(second, p, 409, code="signature_already_used")
        self.assertEqual((self.snapshot(), len(self.node.calls)), (before, calls))


class LiveTest(DaemonTest):
    """Live mode: proofs are checked on chain or not taken at all."""

    clock = "system"
    daemon_args = LIVE_CARDS_ARGS
    daemon_env = LIVE_CARDS_ENV

    def test_live_mode_without_a_node_refuses(self):
        live = Public(self.d, self.d.ok("keys", "create", live=True)["secret"])
        plan = self.d.ok("plans", "create", "--name", "Live", "--amount", 999, "--currency",
                         "eur", "--interval", "month", live=True)
        body = {"planId": plan["id"], "customerEmail": "u@example.com", "successUrl": SUCCESS}
        sid = live.ok("POST", EO + "/create", body)["sessionId"]
        code, answer, _ = live.call("POST", f"{EO}/{sid}/complete", proof(), key=None)
        self.assertEqual((code, answer["error"]["code"]), (400, "provider_unavailable"))
        self.assertIn("solana-rpc-url", answer["error"]["message"])
        self.assertEqual(live.ok("GET", f"{EO}/{sid}")["status"], "pending")


if __name__ == "__main__":
    unittest.main()
