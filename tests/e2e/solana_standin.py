"""A Solana JSON-RPC stand-in for the e2e tests (Python standard library only): a local node
that knows the transactions and accounts a test registers and answers getTransaction,
getSignatureStatuses and getAccountInfo with the shapes of solana.com/docs/rpc/http/
gettransaction, .../getsignaturestatuses and .../getaccountinfo (JSON-RPC 2.0 envelopes,
`null` for unknown signatures and accounts).

    with SolanaStandin() as node:
        node.base_url                              # jopayd's --solana-rpc-url
        node.add_transaction(sig, signers=[wallet], accounts=[pda])          # confirmed, ok
        node.add_transaction(sig, signers=[wallet], accounts=[pda],
                             err={"InstructionError": [0, {"Custom": 1}]})     # failed
        node.add_transaction(sig, ..., confirmation="processed")             # not confirmed yet
        node.calls                                 # [(method, params), ...] as received
        node.add_account(pda, data=eventop_state(wallet))   # an Eventop subscription account
        node.close_account(pda)                    # cancelled on chain: getAccountInfo -> null
        node.down = True                           # every call answers HTTP 503
        node.refused                               # calls answered 503 while down

The same controls over HTTP: POST /_standin/transactions with the add_transaction arguments
as JSON, POST /_standin/accounts {"pubkey", "active"} (an Eventop account), POST
/_standin/accounts/close {"pubkey"}, GET /_standin/calls. Run alone: python3 solana_standin.py
[PORT].
"""
import base64
import hashlib
import json
import os
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
SYSTEM_PROGRAM = "11111111111111111111111111111111"
LEVELS = {"processed": 0, "confirmed": 1, "finalized": 2}


def b58encode(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def new_pubkey():
    return b58encode(os.urandom(32))


def new_signature():
    return b58encode(os.urandom(64))


def b58decode(text):
    n = 0
    for c in text:
        n = n * 58 + ALPHABET.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


EVENTOP_PROGRAM = "ES4jrcNmiwq87RFZ8dXhbXdc6aYSrwQDoJ8CyGsyjNF8"


def eventop_state(user, active=True, fee=999, interval=2592000, paid_at=1736512200):
    """The bytes of Eventop's SubscriptionState account (an Anchor account: the discriminator
    sha256("account:SubscriptionState")[:8], then its fields in order, Borsh-encoded)."""
    keys = b58decode(user).rjust(32, b"\0") + os.urandom(4 * 32)
    return (hashlib.sha256(b"account:SubscriptionState").digest()[:8] + keys +
            struct.pack("<QqqQI?", fee, interval, paid_at, fee, 1, active) +
            struct.pack("<I", 3) + b"tok" + bytes([254]))


class Account:
    def __init__(self, pubkey, data=b"", owner=EVENTOP_PROGRAM, lamports=2039280):
        self.pubkey, self.data, self.owner, self.lamports = pubkey, data, owner, lamports

    def as_value(self, encoding):
        if encoding == "base58":
            data = [b58encode(self.data), "base58"]
        else:  # jsonParsed falls back to base64 for a program it cannot parse
            data = [base64.b64encode(self.data).decode(), "base64"]
        return {"data": data, "executable": False, "lamports": self.lamports,
                "owner": self.owner, "rentEpoch": 18446744073709551615,
                "space": len(self.data)}


class Transaction:
    def __init__(self, signature, signers, accounts=(), lookup=(), err=None,
                 confirmation="finalized", slot=423108383, version="legacy"):
        self.signature = signature
        self.signers = list(signers)
        self.accounts = list(accounts)
        self.lookup = list(lookup)  # keys loaded from an address lookup table (v0 only)
        self.err = err
        self.confirmation = confirmation
        self.slot = slot
        self.version = 0 if self.lookup else version

    def keys(self):
        return self.signers + self.accounts + [SYSTEM_PROGRAM]

    def message(self, encoding):
        keys = self.keys()
        if encoding == "jsonParsed":
            listed = [{"pubkey": k, "signer": i < len(self.signers), "source": "transaction",
                       "writable": k != SYSTEM_PROGRAM} for i, k in enumerate(keys)]
            listed += [{"pubkey": k, "signer": False, "source": "lookupTable", "writable": True}
                       for k in self.lookup]
            msg = {"accountKeys": listed, "instructions": [], "recentBlockhash": SYSTEM_PROGRAM}
        else:
            msg = {"accountKeys": keys,
                   "header": {"numRequiredSignatures": len(self.signers),
                              "numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 1},
                   "instructions": [{"accounts": list(range(len(keys) - 1)), "data": "3Bxs4",
                                     "programIdIndex": len(keys) - 1, "stackHeight": None}],
                   "recentBlockhash": SYSTEM_PROGRAM}
        if self.version == 0:
            msg["addressTableLookups"] = [{"accountKey": SYSTEM_PROGRAM,
                                           "writableIndexes": list(range(len(self.lookup))),
                                           "readonlyIndexes": []}] if self.lookup else []
        return msg

    def as_result(self, encoding):
        n = len(self.keys()) + len(self.lookup)
        meta = {"err": self.err, "fee": 5000, "innerInstructions": [], "logMessages": [],
                "preBalances": [1000000000] + [0] * (n - 1),
                "postBalances": [999995000] + [0] * (n - 1),
                "preTokenBalances": [], "postTokenBalances": [], "rewards": [],
                "status": {"Ok": None} if self.err is None else {"Err": self.err},
                "computeUnitsConsumed": 2900}
        if encoding == "json":
            meta["loadedAddresses"] = {"writable": self.lookup, "readonly": []}
        return {"blockTime": 1763751415, "meta": meta, "slot": self.slot,
                "transaction": {"message": self.message(encoding),
                                "signatures": [self.signature]},
                "version": self.version}

    def status(self):
        return {"slot": self.slot,
                "confirmations": None if self.confirmation == "finalized" else 1,
                "err": self.err,
                "status": {"Ok": None} if self.err is None else {"Err": self.err},
                "confirmationStatus": self.confirmation}


class SolanaStandin:
    def __init__(self):
        self.transactions = {}
        self.accounts = {}
        self.slot = 423108400  # moves on with every getAccountInfo, as the chain does
        self.calls = []
        self.down = False
        self.refused = 0
        self.lock = threading.Lock()
        self.server = None
        self.base_url = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self, port=0):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/_standin/calls":
                    with standin.lock:
                        return self.reply(200, [list(c) for c in standin.calls])
                self.reply(404, {"error": "not found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/_standin/transactions":
                    tx = standin.add_transaction(**json.loads(body))
                    return self.reply(200, {"signature": tx.signature})
                if self.path == "/_standin/accounts":
                    args = json.loads(body)
                    data = eventop_state(args["pubkey"], active=args.get("active", True))
                    standin.add_account(args["pubkey"], data=data)
                    return self.reply(200, {"pubkey": args["pubkey"]})
                if self.path == "/_standin/accounts/close":
                    standin.close_account(json.loads(body)["pubkey"])
                    return self.reply(200, {})
                if standin.down:
                    with standin.lock:
                        standin.refused += 1
                    return self.reply(503, {"error": "node is down"})
                self.reply(200, standin.answer(body))

            def reply(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def add_transaction(self, signature=None, signers=(), accounts=(), **kw):
        tx = Transaction(signature or new_signature(), signers, accounts, **kw)
        with self.lock:
            self.transactions[tx.signature] = tx
        return tx

    def add_account(self, pubkey, **kw):
        account = Account(pubkey, **kw)
        with self.lock:
            self.accounts[pubkey] = account
        return account

    def close_account(self, pubkey):
        """As Eventop's cancel_subscription does (Anchor's close): the account is gone."""
        with self.lock:
            self.accounts.pop(pubkey, None)

    def methods(self):
        with self.lock:
            return [m for m, _ in self.calls]

    # ---- JSON-RPC ----

    def answer(self, body):
        try:
            req = json.loads(body)
        except ValueError:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"},
                    "id": None}
        method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
        with self.lock:
            self.calls.append((method, params))
        handler = {"getTransaction": self.get_transaction,
                   "getSignatureStatuses": self.get_signature_statuses,
                   "getAccountInfo": self.get_account_info}.get(method)
        if handler is None:
            return {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"},
                    "id": rid}
        result, error = handler(params)
        if error:
            return {"jsonrpc": "2.0", "error": error, "id": rid}
        return {"jsonrpc": "2.0", "result": result, "id": rid}

    def get_transaction(self, params):
        config = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        encoding = config.get("encoding", "json")
        if encoding not in ("json", "jsonParsed"):
            return None, {"code": -32602,
                          "message": f"Invalid params: unsupported encoding: {encoding}"}
        commitment = config.get("commitment", "finalized")
        if commitment == "processed":
            return None, {"code": -32602,
                          "message": "Method does not support commitment below `confirmed`"}
        with self.lock:
            tx = self.transactions.get(params[0])
        if tx is None or LEVELS[tx.confirmation] < LEVELS[commitment]:
            return None, None
        if tx.version == 0 and config.get("maxSupportedTransactionVersion") is None:
            return None, {"code": -32015, "message": "Transaction version (0) is not supported by "
                          "the requesting client. Please try the request again with the following "
                          "configuration parameter: \"maxSupportedTransactionVersion\": 0"}
        return tx.as_result(encoding), None

    def get_signature_statuses(self, params):
        with self.lock:
            found = [self.transactions.get(s) for s in params[0]]
        return {"context": {"apiVersion": "2.2.0", "slot": 423108400},
                "value": [t.status() if t else None for t in found]}, None

    def get_account_info(self, params):
        config = params[1] if len(params) > 1 and isinstance(params[1], dict) else {}
        encoding = config.get("encoding", "base58")
        if encoding not in ("base58", "base64", "jsonParsed"):
            return None, {"code": -32602,
                          "message": f"Invalid params: unsupported encoding: {encoding}"}
        try:
            ok = bool(params) and isinstance(params[0], str) and len(b58decode(params[0])) == 32
        except ValueError:
            ok = False
        if not ok:
            return None, {"code": -32602, "message": "Invalid param: Invalid"}
        with self.lock:
            self.slot += 1
            account = self.accounts.get(params[0])
            slot = self.slot
        return {"context": {"apiVersion": "2.2.0", "slot": slot},
                "value": account.as_value(encoding) if account else None}, None


if __name__ == "__main__":
    node = SolanaStandin().start(int(sys.argv[1]) if len(sys.argv) > 1 else 8899)
    print(node.base_url, flush=True)
    threading.Event().wait()
