"""Hostile clients (issue 16, item 8 and "Tests that keep these out"): idle connections by the
thousand, clients that trickle their request heads, header floods. jopayd raises its
descriptor limit, caps connections overall and per address, answers the ones it refuses, keeps
answering everyone else promptly, and its admin socket keeps working when the public face is
full."""
import json
import resource
import socket
import time
import unittest

from checkout_client import API, PAYMENT_BODY, CheckoutTest
from harness import Daemon


def soft_limit_of(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    raise AssertionError("no open-files line")


class LowDescriptorLimit:
    """Runs the block with this process's soft open-files limit at `soft` (children inherit
    it), then puts it back."""

    def __init__(self, soft):
        self.soft = soft

    def __enter__(self):
        self.saved = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.soft, self.saved[1]))

    def __exit__(self, *exc):
        resource.setrlimit(resource.RLIMIT_NOFILE, self.saved)


def connect(port, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def answer_of(sock, timeout=5):
    """Reads what the server sends until it closes; returns (status, JSON body or None)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if not data:
        return None, None
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body else None


class ConnectionCapsTest(CheckoutTest):
    """2,000 idle connections under the usual 1,024-descriptor soft limit stalled every
    request for up to 10 s; now one address holds at most 50 and the server 300."""

    daemon_args = ("--public-max-connections", "300",
                   "--public-max-connections-per-address", "50")

    def setUp(self):
        # jopayd starts under a 1,024 soft limit, as from a shell; the test itself needs more.
        with LowDescriptorLimit(1024):
            super().setUp()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        self.held = []
        self.addCleanup(lambda: [s.close() for s in self.held])

    def timed_request(self, source="127.0.0.2"):
        """A checkout session from another address; returns its seconds."""
        start = time.monotonic()
        s = connect(self.pub.port, source)
        body = json.dumps(PAYMENT_BODY).encode()
        s.sendall(b"POST " + API.encode() + b"/sessions HTTP/1.1\r\nHost: x\r\n"
                  b"Authorization: Bearer " + self.key.encode() + b"\r\n"
                  b"Content-Type: application/json\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        status, answer = answer_of(s)
        s.close()
        self.assertEqual(status, 200, answer)
        return time.monotonic() - start

    def settled_connections(self, want, timeout=5):
        """The public connections jopayd holds, once they reach `want` (refused connections
        take up to a second to close) or the timeout passes."""
        deadline = time.monotonic() + timeout
        while True:
            n = self.d.ok("status")["connections"]["public"]
            if n == want or time.monotonic() > deadline:
                return n
            time.sleep(0.05)

    def hold(self, n, source):
        for _ in range(n):
            self.held.append(connect(self.pub.port, source))

    def test_descriptor_limit_is_raised_to_the_hard_limit(self):
        soft, hard = soft_limit_of(self.d.proc.pid)
        self.assertEqual(soft, hard)
        self.assertGreater(soft, 1024)

    def test_one_address_with_2000_idle_connections_cannot_stall_others(self):
        self.hold(2000, "127.0.0.1")
        time.sleep(0.5)  # let jopayd accept them all
        worst = max(self.timed_request() for _ in range(20))
        self.assertLess(worst, 1.0)
        status = self.d.ok("status")["connections"]
        self.assertEqual(status["public_max"], 300)
        self.assertEqual(status["public_max_per_address"], 50)
        self.assertEqual(self.settled_connections(50), 50)  # the refused ones are closed
        # A connection over the address's cap is told so, not left hanging.
        refused = connect(self.pub.port)
        code, answer = answer_of(refused)
        refused.close()
        self.assertEqual(code, 429)
        self.assertEqual(answer["error"]["code"], "too_many_connections")

    def test_a_full_public_face_refuses_with_503_and_the_admin_socket_still_answers(self):
        for i in range(2, 8):  # six addresses at 50 each fill the server's 300
            self.hold(50, f"127.0.0.{i}")
        time.sleep(0.5)
        before = self.snapshot()
        refused = connect(self.pub.port, "127.0.0.20")
        code, answer = answer_of(refused)
        refused.close()
        self.assertEqual(code, 503)
        self.assertEqual(answer["error"]["code"], "server_busy")
        self.assertEqual(self.settled_connections(300), 300)
        status = self.d.ok("status")  # the admin socket is not the public face
        self.assertTrue(any("public face holds 300" in w for w in status["warnings"]), status)
        self.assertEqual(self.snapshot(), before)
        # Once clients leave, others are served again.
        for s in self.held[:10]:
            s.close()
        self.assertEqual(self.settled_connections(290), 290)
        self.assertLess(self.timed_request("127.0.0.20"), 1.0)


class PrlimitDaemon(Daemon):
    """jopayd started under `prlimit --nofile=SOFT:HARD` (which execs it: same pid)."""

    def __init__(self, nofile, **kw):
        super().__init__(**kw)
        self.nofile = nofile

    def args(self):
        return ["prlimit", f"--nofile={self.nofile}", "--"] + super().args()


class SmallHardLimitTest(unittest.TestCase):
    def test_the_connection_cap_is_lowered_to_fit_the_descriptors_and_says_so(self):
        d = PrlimitDaemon("512:512").start()
        self.addCleanup(d.cleanup)
        self.assertEqual(soft_limit_of(d.proc.pid), (512, 512))
        self.assertEqual(d.ok("status")["connections"]["public_max"], 256)
        self.assertIn("public-max-connections lowered from 10000 to 256", d.log())


class SlowClientsTest(CheckoutTest):
    daemon_args = ("--public-read-timeout", "2")

    def test_clients_trickling_their_heads_are_cut_off_and_others_served(self):
        slow = [connect(self.pub.port) for _ in range(100)]
        self.addCleanup(lambda: [s.close() for s in slow])
        start = time.monotonic()
        served = 0
        while time.monotonic() - start < 1.5:  # one byte each every 100 ms: never a whole head
            for s in slow:
                s.send(b"G")
            t = time.monotonic()
            self.pub.ok("GET", API + "/subscriptions")
            self.assertLess(time.monotonic() - t, 0.5)
            served += 1
            time.sleep(0.1)
        self.assertGreater(served, 5)
        for s in slow:  # closed at the read timeout, well before the 10 s a trickle could last
            s.settimeout(5)
            try:
                while s.recv(4096):
                    pass
            except ConnectionResetError:
                pass
        self.assertLess(time.monotonic() - start, 5)

    def test_a_client_that_stops_midway_through_a_body_is_cut_off(self):
        before = self.snapshot()
        s = connect(self.pub.port)
        self.addCleanup(s.close)
        s.sendall(b"POST " + API.encode() + b"/sessions HTTP/1.1\r\nHost: x\r\n"
                  b"Authorization: Bearer " + self.key.encode() + b"\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"line_")
        start = time.monotonic()
        status, _ = answer_of(s, timeout=10)
        self.assertIsNone(status)  # closed, nothing to answer a request that never came
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(self.snapshot(), before)


class HeaderFloodTest(CheckoutTest):
    def flood(self, head_lines):
        s = connect(self.pub.port)
        body = json.dumps(PAYMENT_BODY).encode()
        head = (b"POST " + API.encode() + b"/sessions HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + self.key.encode() + b"\r\n"
                b"Content-Type: application/json\r\n" + head_lines +
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        try:
            s.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it may stop reading once the head is too large: the answer is still there
        answer = answer_of(s)
        s.close()
        return answer

    def test_floods_of_headers_are_refused_with_431_and_make_nothing(self):
        before = self.snapshot()
        cases = {
            "10,000 small headers": b"".join(b"X-F%d: y\r\n" % i for i in range(10000)),
            "one 1 MB header": b"X-Big: " + b"a" * 1_000_000 + b"\r\n",
            "a 64 KB cookie": b"Cookie: " + b"c=d; " * 13000 + b"\r\n",
        }
        for what, lines in cases.items():
            status, answer = self.flood(lines)
            self.assertEqual(status, 431, what)
            self.assertEqual(answer["error"]["code"], "header_too_large", what)
        self.assertEqual(self.snapshot(), before)
        # Headers within the limit are served as usual.
        status, answer = self.flood(b"".join(b"X-F%d: y\r\n" % i for i in range(50)))
        self.assertEqual(status, 200, answer)

    def test_a_head_that_is_not_http_answers_400_and_changes_nothing(self):
        before = self.snapshot()
        for junk in (b"\x00\xff\xfe GARBAGE\r\n\r\n",
                     b"POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                     b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            s = connect(self.pub.port)
            s.sendall(junk)
            status, answer = answer_of(s)
            s.close()
            self.assertEqual(status, 400, junk)
            self.assertEqual(answer["error"]["code"], "http_malformed", junk)
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    unittest.main()
