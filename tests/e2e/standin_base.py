"""What the SatsPay and BTCPay stand-ins share (Python standard library only): a threaded HTTP
server on 127.0.0.1 and a free port, a log of the requests it got, injected failures, and
regtest-looking BOLT11 invoices and bcrt1 addresses (well-formed bech32 with valid checksums;
the invoices are not signed: the stand-in is not a Lightning node, and jopayd only relays them).

A subclass answers `route(method, path, query, headers, body) -> (status, json_obj)`."""
import json
import os
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_encode(hrp, data5):
    """hrp + "1" + data + the BIP 173 checksum (data as 5-bit values)."""
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _polymod(expanded + data5 + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data5 + checksum)


def to_5bit(data):
    acc, bits, out = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def regtest_address():
    """A P2WPKH address on regtest: bcrt1q + a random 20-byte program."""
    return bech32_encode("bcrt", [0] + to_5bit(os.urandom(20)))


def regtest_bolt11(sats, payment_hash):
    """A regtest BOLT11 for `sats`: lnbcrt<amount in n (0.1 sat)>1, a timestamp, the p (payment
    hash) field, and 104 random 5-bit groups where the signature would be."""
    stamp = int(time.time())
    data = [(stamp >> 5 * (6 - i)) & 31 for i in range(7)]
    hash5 = to_5bit(bytes.fromhex(payment_hash))
    data += [1, len(hash5) >> 5, len(hash5) & 31] + hash5  # tag p = 1, length 52
    data += list(os.urandom(104))
    data = [d & 31 for d in data]
    return bech32_encode(f"lnbcrt{sats * 10}n", data)


class Standin:
    """Start/stop, request log and failure injection. `fail_next(n, "500"|"drop"|"429")` makes
    the next n API requests fail that way (control calls of the Python API never count)."""

    name = "stand-in"

    def __init__(self):
        self.lock = threading.RLock()
        self.requests = []  # (method, path, headers dict (lowercase keys), body bytes)
        self._failures = []
        self._server = None
        self._thread = None
        self.port = None
        self.base_url = None

    # ---- life ----

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                standin._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- controls ----

    def fail_next(self, n=1, how="500"):
        assert how in ("500", "429", "drop"), how
        with self.lock:
            self._failures += [how] * n

    def count(self, method=None, path_prefix=""):
        """Requests received (failed ones too), optionally of one method and path prefix."""
        with self.lock:
            return sum(1 for m, p, _, _ in self.requests
                       if (method is None or m == method) and p.startswith(path_prefix))

    # ---- serving ----

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.requests.append((h.command, url.path, headers, body))
            how = self._failures.pop(0) if self._failures else None
        if how == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)  # no answer at all
            return
        if how:
            status, out = int(how), {"detail": f"{self.name}: injected failure"}
        else:
            try:
                with self.lock:
                    status, out = self.route(h.command, url.path,
                                             urllib.parse.parse_qs(url.query), headers, body)
            except Exception as e:  # a stand-in bug answers 500, visibly
                status, out = 500, {"detail": f"{self.name} error: {e!r}"}
        data = json.dumps(out).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def route(self, method, path, query, headers, body):
        raise NotImplementedError


def post(url, body, headers, method="POST", timeout=10):
    """Sends `body` (bytes) and returns the HTTP status (0 when no answer came)."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0
