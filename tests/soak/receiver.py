"""The webhook receiver of the crash rounds: a threaded HTTP server on 127.0.0.1 that answers
every POST 200 and records each delivery it gets (event id, event type, which jopayd
incarnation sent it, wall-clock time), duplicates included. A request is put down to the
jopayd that was started last; the driver waits for every connection of a jopayd that has
exited to close (wait_closed) before it starts the next one, so that requests a killed jopayd
left in the socket buffers are not put down to its successor. Lean on purpose: a soak run
receives a few hundred thousand deliveries, so bodies and headers are not kept."""
import http.server
import json
import threading
import time


class Receipt:
    __slots__ = ("event_id", "type", "incarnation", "at", "port", "timestamp")

    def __init__(self, event_id, type_, incarnation, at, port, timestamp):
        self.event_id = event_id
        self.type = type_
        self.incarnation = incarnation
        self.at = at  # wall-clock time it was recorded
        self.port = port  # the sender's port: one per connection
        self.timestamp = timestamp  # webhook-timestamp: when jopayd signed this attempt

    def __repr__(self):
        return (f"<{self.event_id} jopayd #{self.incarnation} port {self.port} signed "
                f"{self.timestamp} got {self.at:.3f}>")


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.receipts = []
        self.malformed = []  # (path, why): requests that were not a JoPay delivery
        self.incarnation = 0  # set by the driver before each jopayd start
        self.resets = 0
        self.open_connections = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"


            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                event_id = self.headers.get("webhook-id")
                try:
                    type_ = json.loads(body)["event"]
                except (ValueError, KeyError, TypeError):
                    type_ = None
                with outer.lock:
                    if not event_id or type_ is None:
                        outer.malformed.append((self.path, body[:200]))
                    outer.receipts.append(Receipt(event_id, type_, outer.incarnation, time.time(),
                                                  self.client_address[1],
                                                  self.headers.get("webhook-timestamp")))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # jopayd opens up to 32 connections at once
            daemon_threads = True

            def process_request(self, request, client_address):
                with outer.lock:  # counted from the accept, before its thread runs
                    outer.open_connections += 1
                super().process_request(request, client_address)

            def shutdown_request(self, request):
                try:
                    super().shutdown_request(request)
                finally:
                    with outer.lock:
                        outer.open_connections -= 1

            def handle_error(self, request, client_address):
                # A connection reset by a killed jopayd, mid-request or mid-answer: counted,
                # not printed.
                with outer.lock:
                    outer.resets += 1

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def count(self):
        with self.lock:
            return len(self.receipts)

    def snapshot(self):
        with self.lock:
            return list(self.receipts)

    def last_at(self):
        with self.lock:
            return self.receipts[-1].at if self.receipts else 0.0

    def accept_queue(self):
        """Connections the kernel has established on the listening socket and the server has
        not accepted yet (Linux: rx_queue of the LISTEN row in /proc/net/tcp), or 0."""
        try:
            with open("/proc/net/tcp") as f:
                next(f)
                for line in f:
                    cols = line.split()
                    local, state, queues = cols[1], cols[3], cols[4]
                    if state == "0A" and int(local.split(":")[1], 16) == self.port:
                        return int(queues.split(":")[1], 16)
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def wait_closed(self, timeout=60):
        """Waits until no connection is left, accepted or waiting to be: after jopayd has
        exited, until the requests it left in the sockets' buffers have been read and recorded
        (with its incarnation). Returns whether that happened in time."""
        deadline = time.time() + timeout
        quiet = 0
        while time.time() < deadline:
            with self.lock:
                idle = self.open_connections == 0
            if idle and self.accept_queue() == 0:
                quiet += 1
                if quiet >= 3:
                    return True
            else:
                quiet = 0
            time.sleep(0.02)
        return False

    def close(self):
        self.server.shutdown()
        self.server.server_close()
