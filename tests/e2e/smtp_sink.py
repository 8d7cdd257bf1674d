#!/usr/bin/python3
"""A real SMTP relay for the e2e email tests: aiosmtpd (Debian's python3-aiosmtpd), which
imports only under the system's /usr/bin/python3, so tests start this file as a subprocess.

Every message it takes (250 to the final dot) is written to DIR as <n>.eml, atomically, with
<n>.json beside it (envelope sender and recipients, AUTH user, whether TLS was on). It prints
"READY" on stdout once it listens.

  --port N                 listen on 127.0.0.1:N
  --starttls CERT KEY      offer STARTTLS with this certificate, and require it
  --tls CERT KEY           TLS from the first byte (smtp-tls = tls)
  --auth USER:PASSWORD     require AUTH PLAIN/LOGIN with these (over plain text too)
  --reject PREFIX          answer 550 to RCPT TO addresses starting with PREFIX (repeatable)
  --delay SECONDS          think this long before answering the final dot; a client that hung up
                           meanwhile gets nothing taken (a relay accepts only what it answers)
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, reject, delay):
        self.directory = directory
        self.reject = reject
        self.delay = delay
        self.lock = threading.Lock()
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if any(address.startswith(p) for p in self.reject):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            marker = os.path.join(self.directory, "data-started")
            with open(marker, "a") as f:
                f.write(envelope.mail_from + "\n")
            await asyncio.sleep(self.delay)
            transport = server.transport
            if transport is None or transport.is_closing():
                return "451 4.3.0 the client went away"
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, "%06d" % n)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "auth": session.auth_data.login.decode()
                if isinstance(session.auth_data, LoginPassword) else None,
                "tls": session.ssl is not None}
        for suffix, data in ((".json", json.dumps(meta).encode()), (".eml", envelope.content)):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 2.0.0 Ok: queued as %d" % n


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("directory")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--starttls", nargs=2)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--auth")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--delay", type=float, default=0)
    a = p.parse_args()

    kwargs = {"auth_require_tls": False}
    if a.starttls:
        kwargs["tls_context"] = tls_context(*a.starttls)
        kwargs["require_starttls"] = True
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
                auth_data.password.decode() == password
            # handled=False: aiosmtpd answers the refusal (535) itself
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs["authenticator"] = authenticate
        kwargs["auth_required"] = True
    controller = Controller(Sink(a.directory, a.reject, a.delay), hostname="127.0.0.1",
                            port=a.port, ssl_context=tls_context(*a.tls) if a.tls else None,
                            server_hostname="localhost", **kwargs)
    controller.start()
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
