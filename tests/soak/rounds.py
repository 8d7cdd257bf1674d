"""Crash rounds (issue 16): jopayd on one data dir that persists across rounds, some load in
flight, SIGKILL at a random (seeded) moment, restart, settle, check. See scripts/soak."""
import collections
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time

from checks import check_store, clock_of
from jopay import (CLOCK_START, Jopayd, SoakError, copy_binaries, describe_binary, rfc3339,
                   unix)
from receiver import Receiver

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"  # refused when saved (card_declined)
DUNNING_CARD = "4000000000000341"  # saved fine, every charge fails
RETRY_SCHEDULE = "2h,6h,12h"  # dunning within a round's clock moves
KINDS = ("renewal", "dunning", "payments", "deliveries", "mixed")
WHAT = ("renewal", "clock move", "payment", "delivery")  # what a kill can land in


class Inflight:
    """Counts the requests on the wire per kind of work, so that the moment of the kill can be
    told from what was in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.n = collections.Counter()
        self.stop = threading.Event()

    def __call__(self, what):
        outer = self

        class Scope:
            def __enter__(self):
                with outer.lock:
                    outer.n[what] += 1

            def __exit__(self, *exc):
                with outer.lock:
                    outer.n[what] -= 1

        return Scope()

    def snapshot(self):
        with self.lock:
            return {k: v for k, v in self.n.items() if v > 0}


class RoundState:
    """What the load saw answered before the kill."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answered_paid = []  # (session id, how)
        self.pay_attempts = collections.defaultdict(list)  # session -> ["paid"|"declined"|"?"]
        self.clock_answered = 0
        self.updates_paid = []  # (subscription id, period start)
        self.counts = collections.Counter()
        self.errors = []  # unexpected answers (not a lost connection)
        self.finished = []  # when each load thread ended (monotonic)

    def note(self, **kw):
        with self.lock:
            for k, v in kw.items():
                self.counts[k] += v


class Soak:
    def __init__(self, rounds, seed, keep=False, verbose=False, out=sys.stdout):
        self.rounds = rounds
        self.seed = seed
        self.rng = random.Random(seed)
        self.keep = keep
        self.verbose = verbose
        self.out = out
        self.root = tempfile.mkdtemp(prefix="jopay-soak-")
        self.receiver = None
        self.d = None
        self.incarnation = 0
        self.killed = set()
        self.imported = 0
        self.cohort = 0
        self.clock_answered = 0
        self.paid_sessions = []  # every session answered paid, all rounds
        self.final_declined = {}  # session -> round (last attempt answered declined)
        self.updates = []  # (subscription, period start) answered paid by a new card
        self.landed = collections.Counter()
        self.totals = collections.Counter()
        self.dups_before = 0

    # -- output -----------------------------------------------------------------------------
    def say(self, text):
        print(text, file=self.out, flush=True)

    def debug(self, text):
        if self.verbose:
            self.say("    " + text)

    # -- lifecycle --------------------------------------------------------------------------
    def start_daemon(self, extra=()):
        if not self.receiver.wait_closed():
            raise SoakError("the webhook receiver still has connections of the jopayd that "
                            "exited 60 s ago")
        self.incarnation += 1
        self.receiver.incarnation = self.incarnation
        return self.d.start(extra)

    def cleanup(self, success):
        if self.d and self.d.running():
            self.d.kill()
        if self.receiver:
            self.receiver.close()
            self.receiver = None
        if success and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def run(self):
        t_start = time.monotonic()
        self.say(f"soak: {self.rounds} rounds, seed {self.seed}, data dir {self.root}")
        bins = copy_binaries(os.path.join(self.root, "bin"))
        self.say(f"soak: {describe_binary(bins[0])}")
        self.receiver = Receiver()
        self.d = Jopayd(self.root, *bins, CLOCK_START, ["--retry-schedule", RETRY_SCHEDULE])
        self.setup()
        for n in range(1, self.rounds + 1):
            ok = self.round(n)
            if not ok:
                self.say(f"FAILED in round {n} (seed {self.seed}); data dir kept for inspection: "
                         f"{self.root} (store {self.d.db_path}, log {self.d.log_path})")
                return False
        took = time.monotonic() - t_start
        t = self.totals
        self.say(f"soak: {self.rounds} rounds passed in {took:.0f} s (seed {self.seed}); kills "
                 f"landed during: " + ", ".join(f"{w} {self.landed[w]}" for w in WHAT) +
                 f", nothing in flight {self.landed['idle']}; at the end: {t['subscriptions']} "
                 f"subscriptions, {t['paid']} paid payments = {t['renewed']} renewed + "
                 f"{t['first_charges']} first charges + {t['checkout_paid']} checkout payments, "
                 f"{t['events']} events, {t['received']} deliveries received, "
                 f"{t['duplicates']} duplicates (deliveries cut by a kill)")
        return True

    def setup(self):
        self.start_daemon()
        d = self.d
        self.plan_monthly = d.ok("plans", "create", "--name", "Soak Monthly", "--amount", 1000,
                                 "--currency", "eur", "--interval", "month")["id"]
        self.plan_daily = d.ok("plans", "create", "--name", "Soak Daily", "--amount", 300,
                               "--currency", "eur", "--interval", "day")["id"]
        self.endpoint = d.ok("webhooks", "add", self.receiver.url)["id"]
        self.key = d.ok("keys", "create")["secret"]
        rc = d.term()
        if rc != 0:
            raise SoakError(f"jopayd did not stop cleanly after the set-up (exit {rc})")

    # -- one round --------------------------------------------------------------------------
    def round(self, n):
        t0 = time.monotonic()
        rng = self.rng
        kind = rng.choice(KINDS)
        due_batch = rng.choice((100, 500, 2000, 10000))
        st = RoundState()
        inflight = Inflight()
        status = self.start_daemon(["--due-batch", str(due_batch)])
        now = unix(status["clock"]["now"])
        loads, delay, target, cohort = self.prepare(kind, rng, now, st, inflight)
        # The load, then the kill at a random moment in it.
        threads = [threading.Thread(target=self.guard, args=(fn, st), daemon=True) for fn in loads]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(max(0.0, started + delay - time.monotonic()))
        inflight.stop.set()
        in_flight = inflight.snapshot()
        with st.lock:
            done_before = (max(st.finished) - started if len(st.finished) == len(threads)
                           and threads else None)
        last_receipt = self.receiver.last_at()
        killed_at = time.time()
        rc = self.d.kill()
        self.killed.add(self.incarnation)
        died_early = rc != -signal.SIGKILL  # it had exited by itself before the kill
        for t in threads:
            t.join(120)
            if t.is_alive():
                raise SoakError("a load thread still runs 120 s after the kill")
        peek = self.peek(cohort)
        landed = [w for w, busy in (("renewal", in_flight.get("renewal")),
                                    ("clock move", in_flight.get("clock")),
                                    ("payment", in_flight.get("payment")),
                                    ("delivery", peek["deliveries_due"] > 0 or
                                     killed_at - last_receipt < 0.1)) if busy]
        for w in landed or ["idle"]:
            self.landed[w] += 1
        # Restart on the same data dir and let it settle.
        self.start_daemon(["--due-batch", str(due_batch)])
        self.debug(f"killed at {killed_at:.3f}, restarted as #{self.incarnation} at {time.time():.3f}")
        settle = self.settle(target)
        # Check.
        expect = self.expectations(st, settle)
        db = self.d.db()
        try:
            findings, counts, _ = check_store(db, expect)
        finally:
            db.close()
        self.ctl_checks(findings, counts)
        for what, why in st.errors:
            findings.fail("load", f"{what}: {why}")
        if died_early:
            findings.fail("crash", f"jopayd exited by itself ({rc}) before the kill; see "
                          f"{self.d.log_path}")
        rc_term = self.d.term()
        if rc_term != 0:
            findings.fail("clean stop", f"jopayd exited {rc_term} on SIGTERM after the round "
                          "(None: still running after 30 s, killed)")
        self.totals = collections.Counter(counts)
        new_dups = counts["duplicates"] - self.dups_before
        self.dups_before = counts["duplicates"]
        took = time.monotonic() - t0
        load_desc = self.describe(kind, st, peek, cohort)
        if done_before is not None:
            load_desc += f", load done at {done_before * 1000:.0f} ms"
        result = "ok" if not findings.failures else "FAILED"
        self.say(f"round {n:>3}/{self.rounds}  {kind:<10} batch {due_batch:<5} kill "
                 f"{delay * 1000:6.0f} ms  in flight: {'+'.join(landed) or 'nothing':<28} "
                 f"{load_desc}  | after: {settle['summary']}  | rows: {counts['subscriptions']} "
                 f"subs, {counts['paid']} paid = {counts['renewed']}+{counts['first_charges']}+"
                 f"{counts['checkout_paid']}, {counts['events']} events, {counts['deliveries']} "
                 f"deliveries, {counts['received']} received, +{new_dups} dup  | {took:.1f} s  "
                 f"{result}")
        for check, message in findings.failures:
            self.say(f"  check failed: {check}: {message}")
        return not findings.failures

    def guard(self, fn, st):
        try:
            fn()
        except Exception as e:  # a bug in the driver must not pass for a lost connection
            with st.lock:
                st.errors.append((fn.__name__, f"{type(e).__name__}: {e}"))
        finally:
            with st.lock:
                st.finished.append(time.monotonic())

    # -- loads ------------------------------------------------------------------------------
    def prepare(self, kind, rng, now, st, inflight):
        """Sets up the round's load. Returns (load functions, kill delay in s, the clock time the
        round moves to (None: the clock stays), cohort number or None)."""
        loads, target, cohort = [], None, None
        if kind in ("renewal", "deliveries", "mixed"):
            n = rng.randint(2000, 8000)
            cohort = self.import_cohort(rng, now, n, self.plan_monthly, GOOD_CARD, 3000)
            st.note(cohort=n)
            target = now + 3600
            if kind == "deliveries":
                # The renewals are done and answered; the kill lands while their thousands of
                # events are delivered (the receiver takes a few hundred a second).
                summary = self.d.ok("clock", "advance", "1h")
                if unix(summary["now"]) != target:
                    raise SoakError(f"clock advance 1h: {summary}")
                self.clock_answered = max(self.clock_answered, target)
                st.note(renewed_before=summary["fired"]["renewed"])
                delay = rng.uniform(0.1, n / 800.0)
            else:
                loads.append(self.load_advance("1h", target, st, inflight))
                delay = rng.uniform(0.005, n * 70e-6)
            if kind == "mixed":
                loads += [self.load_payments(rng.random(), st, inflight) for _ in range(3)]
                delay = rng.uniform(0.005, max(0.3, n * 90e-6))
        elif kind == "dunning":
            failing, good = rng.randint(150, 400), rng.randint(100, 300)
            cohort = self.import_cohort(rng, now, failing, self.plan_daily, DUNNING_CARD, 3600)
            self.import_cohort(rng, now, good, self.plan_daily, GOOD_CARD, 3600, cohort=cohort)
            st.note(cohort=failing + good)
            hours = [rng.randint(1, 3) for _ in range(8)]
            target = now + 3600 * sum(hours)
            loads.append(self.load_dunning(rng.random(), now, hours, st, inflight))
            delay = rng.uniform(0.005, 1.5)
        elif kind == "payments":
            loads += [self.load_payments(rng.random(), st, inflight) for _ in range(4)]
            delay = rng.uniform(0.05, 2.5)
        return loads, delay, target, cohort

    def import_cohort(self, rng, now, n, plan, card, spread, cohort=None):
        """n subscriptions whose imported period ends within `spread` s from now."""
        if cohort is None:
            self.cohort += 1
            cohort = self.cohort
        lines = []
        for i in range(n):
            end = rfc3339(now + rng.randint(60, spread))
            lines.append(json.dumps({"email": f"c{cohort}-{card[-4:]}-{i}@soak.example",
                                     "plan": plan, "card": card, "current_period_end": end,
                                     "metadata": {"soak_paid_until": end,
                                                  "soak_cohort": str(cohort)}}))
        got = self.d.ok("subscriptions", "import", "-", stdin="\n".join(lines) + "\n")
        if got["imported"] != n:
            raise SoakError(f"import: {got}")
        self.imported += n
        return cohort

    def load_advance(self, by, target, st, inflight):
        def renewal_run():
            with inflight("renewal"):
                r = self.d.ctl("clock", "advance", by)
            if r.rc == 0:
                self.clock_answered = max(self.clock_answered, unix(r.json["now"]))
                st.note(renewal_answered=1)
                if unix(r.json["now"]) != target:
                    st.errors.append(("clock advance", f"now {r.json['now']}, not {rfc3339(target)}"))
            elif r.rc != 8:
                st.errors.append(("clock advance", repr(r)))
        return renewal_run

    def load_dunning(self, seed, now, hours, st, inflight):
        rng = random.Random(seed)

        def clock_moves():
            t = now
            for h in hours:
                if inflight.stop.is_set():
                    return
                t += 3600 * h
                with inflight("clock"):
                    r = self.d.ctl("clock", "advance", f"{h}h")
                if r.rc != 0:
                    if r.rc != 8:
                        st.errors.append(("clock advance", repr(r)))
                    return
                if unix(r.json["now"]) != t:
                    st.errors.append(("clock advance", f"now {r.json['now']}, not {rfc3339(t)}"))
                    return
                self.clock_answered = max(self.clock_answered, unix(r.json["now"]))
                st.note(moves=1, failed=r.json["fired"]["failed"],
                        retried=r.json["fired"]["retried"], expired=r.json["fired"]["expired"])
                # A new card for a few past_due subscriptions: pays the open period at once.
                with inflight("clock"):
                    r = self.d.ctl("subscriptions", "list", "--status", "past_due", "--limit", 100)
                if r.rc != 0:
                    return
                past_due = r.json
                for s in rng.sample(past_due, min(len(past_due), rng.randint(0, 3))):
                    if inflight.stop.is_set():
                        return
                    with inflight("clock"):
                        u = self.d.ctl("subscriptions", "update", s["id"], "--card", GOOD_CARD)
                    if u.rc == 0:
                        got = u.json
                        if got["status"] == "active" and got["current_period_start"] == s["current_period_start"]:
                            st.updates_paid.append((s["id"], unix(s["current_period_start"])))
                            st.note(cards_updated=1)
                        else:
                            st.errors.append(("update", f"{s['id']} past_due -> {got['status']}"))
                    elif u.rc != 8:
                        st.errors.append(("update", repr(u)))
                        return
                    else:
                        return
        return clock_moves

    def load_payments(self, seed, st, inflight):
        rng = random.Random(seed)

        def payments():
            while not inflight.stop.is_set():
                mode = rng.choice(("payment", "payment", "subscription", "trial"))
                tag = f"{rng.getrandbits(40):x}"
                if mode == "payment":
                    body = {"line_items": [{"name": "Soak beans", "amount": rng.randint(100, 5000),
                                            "currency": "eur", "quantity": rng.randint(1, 3)}]}
                else:
                    body = {"mode": "subscription",
                            "plan": {"name": "Soak Checkout", "amount": 999, "interval": "month"}}
                    if mode == "trial":  # mostly short, to end within the run's clock
                        body["trial_period_days"] = rng.choice((1, 1, 2, 7))
                body.update(customer_email=f"s-{tag}@soak.example",
                            success_url="https://shop.example/ok",
                            cancel_url="https://shop.example/cancel",
                            metadata={"soak": "checkout"})
                try:
                    with inflight("payment"):
                        code, text, _ = self.d.public_call("POST", "/api/checkout/v1/sessions",
                                                           body=body, key=self.key)
                except OSError:
                    return  # the daemon is gone
                if code != 200:
                    st.errors.append(("create session", f"{code} {text[:200]}"))
                    return
                sid = json.loads(text)["id"]
                st.note(sessions=1)
                card = rng.choices((GOOD_CARD, DECLINED_CARD, DUNNING_CARD), (85, 10, 5))[0]
                outcome = self.pay(sid, card, rng.random() < 0.5, st, inflight)
                if outcome == "declined" and rng.random() < 0.5 and not inflight.stop.is_set():
                    self.pay(sid, GOOD_CARD, rng.random() < 0.5, st, inflight)
        return payments

    def pay(self, sid, card, hosted_page, st, inflight):
        """Pays a session with jopayctl or through the hosted page's form. Returns "paid",
        "declined" or None (no answer: the daemon is gone)."""
        with st.lock:
            st.pay_attempts[sid].append("?")
            slot = len(st.pay_attempts[sid]) - 1
        outcome = None
        try:
            with inflight("payment"):
                if hosted_page:
                    code, text, _ = self.d.public_call("GET", f"/checkout/{sid}")
                    m = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', text) or \
                        re.search(r'value="([0-9a-f]{64})"[^>]*name="token"', text)
                    if code != 200 or not m:
                        st.errors.append(("checkout page", f"{sid}: {code} {text[:200]}"))
                        return None
                    code, text, headers = self.d.public_call(
                        "POST", f"/checkout/{sid}", form={"token": m.group(1), "card": card})
                    if code == 303 and f"session_id={sid}" in headers.get("location", ""):
                        outcome = "paid"
                    elif code == 402:
                        outcome = "declined"
                    else:
                        st.errors.append(("checkout form", f"{sid}: {code} {text[:200]}"))
                else:
                    r = self.d.ctl("sessions", "pay", sid, "--card", card, timeout=60)
                    if r.rc == 0 and r.json["status"] == "completed":
                        outcome = "paid"
                    elif r.rc == 5 and ("declined" in r.err or "card" in r.err):
                        outcome = "declined"
                    elif r.rc != 8:
                        st.errors.append(("sessions pay", repr(r)))
        except OSError:
            return None
        with st.lock:
            if outcome:
                st.pay_attempts[sid][slot] = outcome
            if outcome == "paid":
                st.answered_paid.append((sid, "hosted page" if hosted_page else "jopayctl"))
                st.counts["paid_answers"] += 1
            elif outcome == "declined":
                st.counts["declined_answers"] += 1
        return outcome

    # -- after the kill ---------------------------------------------------------------------
    def peek(self, cohort):
        """The store right after the kill, before the restart (read-only)."""
        db = self.d.db()
        try:
            q = lambda sql, *a: db.execute(sql, a).fetchone()[0]
            out = {
                "events": q("SELECT count(*) FROM events"),
                "deliveries_due": q("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
                + max(0, q("SELECT coalesce(max(pk), 0) FROM events") -
                      int(q("SELECT coalesce((SELECT value FROM meta WHERE key = "
                            "'webhooks_event_cursor'), -1)"))),
                "cohort_renewed": 0,
            }
            if cohort is not None:
                out["cohort_renewed"] = q(
                    "SELECT count(DISTINCT p.subscription_id) FROM payments p JOIN subscriptions s "
                    "ON s.id = p.subscription_id WHERE json_extract(s.metadata, '$.soak_cohort') = ?",
                    str(cohort))
            return out
        finally:
            db.close()

    def settle(self, target, timeout=180):
        """Finishes what the killed run was asked to do (the clock to its target; renew), then
        waits for the webhook deliveries to drain."""
        out = {"summary": ""}
        parts = []
        now = unix(self.d.ok("clock", "show")["now"])
        if target is not None and now < target:
            fired = self.d.ok("clock", "set", rfc3339(target), timeout=300)["fired"]
            parts.append(f"clock +{(target - now) // 60}m: renewed {fired['renewed']} failed "
                         f"{fired['failed']} expired {fired['expired']}")
        renew = self.d.ok("renew", timeout=300)
        if any(renew[k] for k in ("renewed", "failed", "retried", "expired", "reminders")):
            parts.append(f"renew: renewed {renew['renewed']} failed {renew['failed']} "
                         f"expired {renew['expired']} reminders {renew['reminders']}")
        # Drained: every event fanned out, nothing pending that is due, the receiver quiet.
        deadline = time.time() + timeout
        drained = False
        while time.time() < deadline:
            db = self.d.db()
            try:
                q = lambda sql, *a: db.execute(sql, a).fetchone()[0]
                clock_now = clock_of(db)
                newest = q("SELECT coalesce(max(pk), 0) FROM events")
                cursor = int(q("SELECT coalesce((SELECT value FROM meta WHERE key = "
                               "'webhooks_event_cursor'), -1)"))
                due = q("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND "
                        "(next_attempt_at IS NULL OR next_attempt_at <= ?)", clock_now)
                later = q("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND "
                          "next_attempt_at > ?", clock_now)
            finally:
                db.close()
            if cursor >= newest and due == 0 and time.time() - self.receiver.last_at() > 0.3:
                drained = True
                break
            time.sleep(0.2)
        out["drained"] = drained
        if later:
            parts.append(f"{later} deliveries retry later")
        if not drained:
            parts.append(f"NOT DRAINED after {timeout}s (cursor {cursor}/{newest}, {due} due)")
        out["summary"] = "; ".join(parts) or "nothing left to do"
        return out

    def expectations(self, st, settle):
        with st.lock:
            self.paid_sessions += st.answered_paid
            self.updates += st.updates_paid
            for sid, attempts in st.pay_attempts.items():
                if attempts[-1] == "declined":
                    self.final_declined[sid] = True
                elif sid in self.final_declined:
                    del self.final_declined[sid]
        return {
            "answered_paid": self.paid_sessions,
            "answered_declined": list(self.final_declined),
            "clock_answered": self.clock_answered,
            "updates_paid": list(self.updates),
            "imported": self.imported,
            "endpoint_id": self.endpoint,
            "receipts": self.receiver.snapshot(),
            "malformed": list(self.receiver.malformed),
            "killed_incarnations": set(self.killed),
            "drained": settle["drained"],
        }

    def ctl_checks(self, findings, counts):
        """The same store seen through jopayctl: status counts and a dry run with nothing due."""
        status = self.d.ok("status")
        db = self.d.db()
        try:
            by_status = dict(db.execute("SELECT status, count(*) FROM subscriptions WHERE "
                                        "livemode = 0 GROUP BY status").fetchall())
        finally:
            db.close()
        shown = {k: v for k, v in status["subscriptions"].items() if v}
        if shown != by_status:
            findings.fail("jopayctl status", f"status shows {shown}, the store has {by_status}")
        dry = self.d.ok("renew", "--dry-run")
        if any(dry[k] for k in ("renewed", "failed", "retried", "expired", "reminders")):
            findings.fail("jopayctl renew --dry-run", f"due work left after settling: {dry}")
        if status["charges"]["pending"]:
            findings.fail("jopayctl status", f"charges pending: {status['charges']}")
        counts["by_status"] = by_status

    def describe(self, kind, st, peek, cohort):
        c = st.counts
        if kind in ("renewal", "mixed"):
            text = f"cohort {c['cohort']}: {peek['cohort_renewed']} renewed at the kill"
            if kind == "mixed":
                text += f", {c['sessions']} sessions ({c['paid_answers']} answered paid)"
            return text
        if kind == "deliveries":
            return (f"cohort {c['cohort']} renewed before, {peek['deliveries_due']} deliveries "
                    f"to go at the kill")
        if kind == "dunning":
            return (f"cohort {c['cohort']}: {c['moves']} clock moves answered (failed "
                    f"{c['failed']}, retried {c['retried']}, expired {c['expired']}), "
                    f"{c['cards_updated']} new cards")
        return (f"{c['sessions']} sessions, {c['paid_answers']} answered paid, "
                f"{c['declined_answers']} declined")
