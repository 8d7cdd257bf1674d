"""A webhook receiver for the e2e tests, written from the documented scheme only (no JoPay
code): Python's http.server to receive, hmac/hashlib/base64 to verify both signature schemes,
and Node's crypto (verify_webhook.js) for the JSON.stringify(JSON.parse(body)) path."""
import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Received:
    def __init__(self, path, headers, body, answered):
        self.path = path
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body  # bytes
        self.answered = answered
        self.at = time.time()

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def event_id(self):
        return self.headers.get("webhook-id")


def jopay_signatures(header):
    """X-JoPay-Signature "t=..,v1=..[,v1=..]" -> (t, [hex...])."""
    t, sigs = None, []
    for part in header.split(","):
        k, _, v = part.partition("=")
        if k == "t":
            t = v
        elif k == "v1":
            sigs.append(v)
    return t, sigs


def verify_jopay(r, secret):
    t, sigs = jopay_signatures(r.headers["x-jopay-signature"])
    expected = hmac.new(secret.encode(), f"{t}.".encode() + r.body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in sigs)


def verify_standard(r, secret):
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{r.headers['webhook-id']}.{r.headers['webhook-timestamp']}.".encode() + r.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in r.headers["webhook-signature"].split(" "):
        version, _, sig = entry.partition(",")
        if version == "v1" and hmac.compare_digest(expected, sig):
            return True
    return False


def node_verify(requests, secret):
    """Runs verify_webhook.js over the requests; returns its list of {ok, why} per request."""
    items = [{"headers": r.headers, "body": base64.b64encode(r.body).decode(), "secret": secret}
             for r in requests]
    proc = subprocess.run(["node", os.path.join(HERE, "verify_webhook.js")],
                          input=json.dumps(items), capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"node failed: {proc.stderr}")
    return json.loads(proc.stdout)


class Receiver:
    """An HTTP(S) server on 127.0.0.1 that records every POST and answers with
    self.answer(received_so_far) -> (status, headers dict, body bytes)."""

    def __init__(self, tls=None):
        self.requests = []
        self.lock = threading.Lock()
        self.answer = lambda n: (200, {}, b"ok")
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    status, headers, reply = outer.answer(len(outer.requests))
                    outer.requests.append(Received(self.path, dict(self.headers), body, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks"

    def got(self):
        with self.lock:
            return list(self.requests)

    def delivered(self):
        return [r for r in self.got() if 200 <= r.answered < 300]

    def wait_for(self, predicate, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate(self.got()):
                return self.got()
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting; received {len(self.got())} requests")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_ca(directory, host_ip="127.0.0.1"):
    """A test CA and a server certificate for host_ip signed by it (openssl CLI). Returns
    (ca.pem, server.pem, server.key)."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=JoPay Test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", f"/CN={host_ip}")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write(f"subjectAltName=IP:{host_ip},DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return tuple(os.path.join(directory, n) for n in ("ca.pem", "server.pem", "server.key"))
