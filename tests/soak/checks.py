"""What a crash round checks once jopayd has been restarted and has settled, read from the
store (read-only, one snapshot) and compared with what the driver saw answered before the kill
and with what the webhook receiver got.

Which event each paid payment writes (daemon/billing/renewal.cc, transitions.cc,
checkout/session_lifecycle.cc), with the sandbox card provider (charges answered in the same
transaction):
  - a renewal, a trial's first charge, a dunning retry that succeeds, a past_due period paid
    by a new card: one `subscription.renewed` whose data carries the subscription's
    current_period_start and the payment's attempt;
  - the first period of a subscription started without a trial (here: a subscription-mode
    checkout session): one `subscription.created` with data.status "active" (a trial start
    writes `subscription.created` with "trialing" and no payment);
  - a payment-mode checkout session: one `checkout.session.completed` with data.mode "payment"
    and data.payment_id.
A failed charge of a subscription writes `subscription.payment_failed` (period start and
attempt in its data); a declined payment-mode session writes a failed payment and
`checkout.payment.failed` (data.mode "payment"); a declined subscription-mode session leaves no
payment (its rows are rolled back to a savepoint) but writes `checkout.payment.failed`."""
import collections
import json

from jopay import CLOCK_START, rfc3339, unix

LIVE_STATUSES = ("trialing", "active", "past_due", "canceled", "incomplete")


class Findings:
    def __init__(self):
        self.failures = []  # (check, message)

    def fail(self, check, message):
        self.failures.append((check, message))

    def sample(self, check, what, items, n=5):
        items = list(items)
        if items:
            self.fail(check, f"{len(items)} {what}, e.g. {items[:n]}")


def check_store(db, expect):
    """db: a read-only sqlite3 connection (isolation_level None). expect: what the driver
    knows (see Round.expectations in rounds.py). Returns (Findings, counts dict, duplicates
    info dict)."""
    f = Findings()
    counts = {}
    q = lambda sql, *a: db.execute(sql, a).fetchall()
    db.execute("BEGIN")  # one snapshot for every query below
    try:
        _integrity(f, q)
        clock_now = clock_of(db)
        counts["clock"] = rfc3339(clock_now)
        subs = _subscriptions(q)
        payments = q("SELECT pk, id, subscription_id, status, period_start, period_end, attempt, "
                     "schedule, idempotency_key, next_send_at, amount FROM payments "
                     "WHERE livemode = 0")
        events = q("SELECT pk, id, type, object_id, data FROM events WHERE livemode = 0")
        counts["subscriptions"] = len(subs)
        counts["payments"] = len(payments)
        counts["paid"] = sum(1 for p in payments if p[3] == "paid")
        counts["events"] = len(events)
        _periods(f, q, subs, payments, counts)
        _paid_equals_events(f, payments, events, counts)
        _nothing_pending_without_work(f, q, subs, payments, clock_now)
        _sessions(f, q, expect, counts)
        _answered_before_kill(f, q, expect, clock_now)
        dups = _webhooks(f, q, events, expect, counts, clock_now)
    finally:
        db.execute("COMMIT")
    return f, counts, dups


def clock_of(db):
    """The manual clock's time: saved in meta after each move, else still where it started."""
    row = db.execute("SELECT value FROM meta WHERE key = 'clock_now'").fetchone()
    return int(row[0]) if row else unix(CLOCK_START)


def _integrity(f, q):
    ic = q("PRAGMA integrity_check")
    if ic != [("ok",)]:
        f.fail("integrity_check", f"PRAGMA integrity_check: {ic[:10]}")
    fk = q("PRAGMA foreign_key_check")
    if fk:
        f.fail("foreign_key_check", f"PRAGMA foreign_key_check: {len(fk)} rows, e.g. {fk[:10]}")


def _subscriptions(q):
    rows = q("SELECT id, status, current_period_start, current_period_end, trial_end, "
             "billing_anchor, metadata, next_action, next_action_at, schedule, "
             "cancel_at_period_end FROM subscriptions WHERE livemode = 0")
    keys = ("id", "status", "cps", "cpe", "trial_end", "anchor", "metadata", "next_action",
            "next_action_at", "schedule", "cancel_at_period_end")
    return [dict(zip(keys, r)) for r in rows]


def _periods(f, q, subs, payments, counts):
    """No period paid twice; for every subscription the paid periods follow each other without
    a gap from where its billing started, up to its current period."""
    twice = q("SELECT subscription_id, period_start, count(*) FROM payments "
              "WHERE status = 'paid' AND subscription_id IS NOT NULL "
              "GROUP BY subscription_id, period_start HAVING count(*) > 1")
    f.sample("period paid twice", "(subscription, period_start) with more than one paid payment",
             twice)
    keys = q("SELECT idempotency_key, count(*) FROM payments GROUP BY 1 HAVING count(*) > 1")
    f.sample("idempotency key reused", "idempotency keys on more than one payment", keys)
    paid = collections.defaultdict(list)
    for p in payments:
        if p[3] == "paid" and p[2] is not None:
            paid[p[2]].append((p[4], p[5], p[6], p[7]))  # start, end, attempt, schedule
    gaps, current, bad_origin, unpaid_current, orphan = [], [], [], [], []
    by_id = {s["id"]: s for s in subs}
    for sub_id in paid:
        if sub_id not in by_id:
            orphan.append(sub_id)
    for s in subs:
        periods = sorted(paid.get(s["id"], []))
        meta = json.loads(s["metadata"] or "{}")
        if "soak_paid_until" in meta:
            origin = unix(meta["soak_paid_until"])  # imported: paid outside JoPay until then
        elif s["trial_end"] is not None:
            origin = s["trial_end"]  # the first paid period starts when the trial ends
        else:
            origin = s["anchor"]  # started with a paid first period
        if periods and periods[0][0] != origin:
            bad_origin.append((s["id"], rfc3339(periods[0][0]), rfc3339(origin)))
        for a, b in zip(periods, periods[1:]):
            if a[1] != b[0]:
                gaps.append((s["id"], f"paid {rfc3339(a[0])}..{rfc3339(a[1])} then "
                                      f"{rfc3339(b[0])}..{rfc3339(b[1])}"))
        st = s["status"]
        if st in ("active", "canceled"):
            # The current period is paid: by JoPay (the last paid period) or, for an imported
            # subscription not renewed yet, before the import.
            if periods:
                if (periods[-1][0], periods[-1][1]) != (s["cps"], s["cpe"]):
                    current.append((s["id"], st, f"current {rfc3339(s['cps'])}..{rfc3339(s['cpe'])}",
                                    f"last paid {rfc3339(periods[-1][0])}..{rfc3339(periods[-1][1])}"))
            elif s["cpe"] != origin:
                unpaid_current.append((s["id"], st, rfc3339(s["cps"]), rfc3339(s["cpe"])))
        elif st == "past_due":
            # The current period is the unpaid one; everything before it is paid.
            if periods and periods[-1][1] != s["cps"]:
                current.append((s["id"], st, f"current {rfc3339(s['cps'])}",
                                f"last paid ends {rfc3339(periods[-1][1])}"))
            if not periods and s["cps"] != origin:
                unpaid_current.append((s["id"], st, rfc3339(s["cps"]), rfc3339(s["cpe"])))
        elif st == "trialing" and periods:
            current.append((s["id"], st, "paid periods during the trial", periods[:3]))
    f.sample("period skipped", "subscriptions with a gap between paid periods", gaps)
    f.sample("period skipped", "subscriptions whose first paid period is not where billing "
             "started (sub, first paid start, expected)", bad_origin)
    f.sample("current period", "subscriptions whose current period does not follow the paid "
             "ones", current)
    f.sample("current period", "subscriptions with no paid payment past the imported period "
             "(or trial) yet a later current period", unpaid_current)
    f.sample("payment without subscription", "paid payments of subscriptions not in the store",
             orphan)
    counts["renewing"] = sum(1 for s in subs if s["status"] in ("active", "canceled"))


def _paid_equals_events(f, payments, events, counts):
    """paid payments = subscription.renewed + first-charge events, matched one to one."""
    renewed = collections.Counter()
    first = collections.Counter()
    failed_ev = collections.Counter()
    completed_payment_ids = collections.Counter()
    failed_checkout_payment_mode = 0
    for pk, eid, type_, obj, data in events:
        if type_ == "subscription.renewed":
            d = json.loads(data)
            renewed[(obj, unix(d["current_period_start"]), d.get("attempt"))] += 1
        elif type_ == "subscription.created":
            d = json.loads(data)
            if d["status"] == "active":
                first[(obj, unix(d["current_period_start"]), 1)] += 1
        elif type_ == "subscription.payment_failed":
            d = json.loads(data)
            failed_ev[(obj, unix(d["current_period_start"]), d.get("attempt"))] += 1
        elif type_ == "checkout.session.completed":
            d = json.loads(data)
            if d["mode"] == "payment":
                completed_payment_ids[d["payment_id"]] += 1
        elif type_ == "checkout.payment.failed":
            d = json.loads(data)
            if d["mode"] == "payment":
                failed_checkout_payment_mode += 1
    paid_sub = collections.Counter()
    paid_once = collections.Counter()
    failed_sub = collections.Counter()
    failed_once = 0
    for pk, pid, sub, status, ps, pe, attempt, schedule, key, nsa, amount in payments:
        if status == "paid":
            if sub is not None:
                paid_sub[(sub, ps, attempt)] += 1
            else:
                paid_once[pid] += 1
        elif status == "failed":
            if sub is not None:
                failed_sub[(sub, ps, attempt)] += 1
            else:
                failed_once += 1
    n_paid = sum(paid_sub.values()) + sum(paid_once.values())
    n_renewed, n_first = sum(renewed.values()), sum(first.values())
    n_completed = sum(completed_payment_ids.values())
    counts.update(renewed=n_renewed, first_charges=n_first, checkout_paid=n_completed)
    if n_paid != n_renewed + n_first + n_completed:
        f.fail("paid = events", f"{n_paid} paid payments != {n_renewed} subscription.renewed + "
               f"{n_first} subscription.created (active) + {n_completed} "
               "checkout.session.completed (payment mode)")
    events_sub = renewed + first
    f.sample("paid = events", "paid subscription payments (sub, period_start, attempt) without "
             "their event", ((k, n - events_sub[k]) for k, n in paid_sub.items()
                             if events_sub[k] != n))
    f.sample("paid = events", "renewed/first-charge events without their paid payment",
             ((k, n - paid_sub[k]) for k, n in events_sub.items() if paid_sub[k] != n))
    f.sample("paid = events", "paid one-time payments without one checkout.session.completed",
             (p for p in paid_once if completed_payment_ids[p] != 1))
    f.sample("paid = events", "checkout.session.completed (payment mode) without their paid "
             "payment", (p for p, n in completed_payment_ids.items() if paid_once[p] != 1 or n != 1))
    # Failed charges the same way (not asked for, cheap, and it would show a torn decline).
    f.sample("failed = events", "failed subscription charges without one payment_failed event",
             (k for k, n in failed_sub.items() if failed_ev[k] != n))
    f.sample("failed = events", "payment_failed events without their failed charge",
             (k for k, n in failed_ev.items() if failed_sub[k] != n))
    if failed_once != failed_checkout_payment_mode:
        f.fail("failed = events", f"{failed_once} failed one-time payments != "
               f"{failed_checkout_payment_mode} checkout.payment.failed (payment mode)")


def _nothing_pending_without_work(f, q, subs, payments, clock_now):
    pending = [p[1] for p in payments if p[3] == "pending" and p[9] is None]
    f.sample("pending without work", "pending payments without next_send_at", pending)
    no_next, ended_with_work, overdue = [], [], []
    for s in subs:
        if s["status"] in LIVE_STATUSES:
            if s["next_action"] is None or (s["next_action_at"] is None and s["next_action"] != "charge"):
                no_next.append((s["id"], s["status"], s["next_action"], s["next_action_at"]))
            elif s["next_action_at"] is not None and s["next_action_at"] <= clock_now:
                overdue.append((s["id"], s["status"], s["next_action"], rfc3339(s["next_action_at"])))
        elif s["next_action"] is not None or s["next_action_at"] is not None:
            ended_with_work.append((s["id"], s["status"], s["next_action"]))
    f.sample("pending without work", "subscriptions needing a next action without "
             "next_action_at", no_next)
    f.sample("pending without work", "due work left undone after settling (next_action_at <= "
             "the clock)", overdue)
    f.sample("pending without work", "expired/paused subscriptions with work scheduled",
             ended_with_work)
    charging = [s for s in subs if s["next_action"] == "charge"]
    pending_keys = {(p[2], p[4], p[7]) for p in payments if p[3] == "pending" and p[9] is not None}
    f.sample("pending without work", "subscriptions awaiting a charge with no pending payment",
             (s["id"] for s in charging if (s["id"], s["cps"], s["schedule"]) not in pending_keys))
    stale = q("SELECT id, expires_at FROM checkout_sessions WHERE status = 'pending' "
              "AND expires_at <= ?", clock_now)
    f.sample("pending without work", "pending checkout sessions past their expiry", stale)


def _sessions(f, q, expect, counts):
    rows = q("SELECT s.id, s.mode, s.status, s.payment_id, s.subscription_id, "
             "(SELECT status FROM payments p WHERE p.id = s.payment_id), "
             "(SELECT status FROM subscriptions u WHERE u.id = s.subscription_id) "
             "FROM checkout_sessions s WHERE livemode = 0")
    by_id = {r[0]: r for r in rows}
    counts["sessions_completed"] = sum(1 for r in rows if r[2] == "completed")
    torn = []
    for sid, mode, status, pay, sub, pay_status, sub_status in rows:
        if status == "completed":
            if mode == "payment" and pay_status != "paid":
                torn.append((sid, mode, pay, pay_status))
            if mode == "subscription" and sub_status is None:
                torn.append((sid, mode, sub, "no subscription"))
    f.sample("sessions", "completed sessions without their paid payment/subscription", torn)
    once = q("SELECT p.id FROM payments p WHERE p.subscription_id IS NULL AND p.status = 'paid' "
             "AND (SELECT count(*) FROM checkout_sessions s WHERE s.payment_id = p.id "
             "AND s.status = 'completed') != 1")
    f.sample("sessions", "paid one-time payments not the payment of exactly one completed "
             "session", once)
    lost = []
    for sid, answer in expect["answered_paid"]:
        r = by_id.get(sid)
        if r is None or r[2] != "completed":
            lost.append((sid, answer, r[2] if r else "missing"))
    f.sample("sessions", "sessions answered paid before the kill and not completed after it",
             lost)
    # A session whose last pay attempt was answered declined (and none came after it) stays
    # uncompleted.
    declined = [sid for sid in expect["answered_declined"]
                if sid in by_id and by_id[sid][2] == "completed"]
    f.sample("sessions", "sessions answered declined, never paid again, and completed",
             declined)


def _answered_before_kill(f, q, expect, clock_now):
    if expect["clock_answered"] and clock_now < expect["clock_answered"]:
        f.fail("answered before the kill", f"the clock was answered at "
               f"{rfc3339(expect['clock_answered'])} before the kill and reads "
               f"{rfc3339(clock_now)} after it")
    lost = []
    for sub_id, period_start in expect["updates_paid"]:
        n = q("SELECT count(*) FROM payments WHERE subscription_id = ? AND period_start = ? "
              "AND status = 'paid'", sub_id, period_start)[0][0]
        if n != 1:
            lost.append((sub_id, rfc3339(period_start), n))
    f.sample("answered before the kill", "card updates answered active (period paid) whose "
             "paid payment is not in the store", lost)
    imported = q("SELECT count(*) FROM subscriptions WHERE livemode = 0 AND "
                 "json_extract(metadata, '$.soak_paid_until') IS NOT NULL")[0][0]
    if imported != expect["imported"]:
        f.fail("answered before the kill", f"{expect['imported']} subscriptions imported "
               f"(answered) and {imported} in the store")


def _webhooks(f, q, events, expect, counts, clock_now):
    """Every event the receiver got is in the store (with its type); every event for the
    endpoint is delivered or has a pending delivery scheduled; duplicates at the receiver only
    for deliveries cut by a kill."""
    endpoint = expect["endpoint_id"]
    after = q("SELECT after_event_rowid FROM webhook_endpoints WHERE id = ?", endpoint)[0][0]
    cursor_row = q("SELECT value FROM meta WHERE key = 'webhooks_event_cursor'")
    cursor = int(cursor_row[0][0]) if cursor_row else -1
    type_of = {e[1]: e[2] for e in events}
    pk_of = {e[1]: e[0] for e in events}
    deliveries = collections.defaultdict(list)
    for eid, status, nxt, attempts in q("SELECT event_id, status, next_attempt_at, attempts "
                                        "FROM webhook_deliveries WHERE endpoint_id = ?", endpoint):
        deliveries[eid].append((status, nxt, attempts))
    receipts = expect["receipts"]
    got = collections.defaultdict(list)
    for r in receipts:
        got[r.event_id].append(r)
    counts["deliveries"] = sum(len(v) for v in deliveries.values())
    counts["received"] = len(receipts)
    f.sample("receiver vs store", "events received by the webhook receiver and not in the "
             "store", (e for e in got if e not in type_of))
    f.sample("receiver vs store", "events received with another type than the store's",
             ((e, rs[0].type, type_of[e]) for e, rs in got.items()
              if e in type_of and any(r.type != type_of[e] for r in rs)))
    f.sample("receiver vs store", "malformed requests at the receiver", expect["malformed"])
    lost, not_fanned, undelivered, two_rows = [], [], [], []
    pending = 0
    for pk, eid, type_, obj, data in events:
        if pk <= after:
            continue
        ds = deliveries.get(eid, [])
        if len(ds) > 1:
            two_rows.append((eid, ds))
        if any(d[0] == "delivered" for d in ds):
            continue
        if any(d[0] == "pending" and d[1] is not None for d in ds):
            pending += 1
            continue
        if not ds and pk > cursor:
            not_fanned.append(eid)  # its delivery is still to be written: scheduled
            continue
        lost.append((eid, type_, ds))
    counts["pending_deliveries"] = pending + len(not_fanned)
    f.sample("event lost", "events for the endpoint neither delivered nor pending", lost)
    f.sample("event lost", "events with more than one delivery row for the endpoint", two_rows)
    if not_fanned and expect["drained"]:
        f.fail("event lost", f"{len(not_fanned)} events not fanned out after settling "
               f"(cursor {cursor}), e.g. {not_fanned[:5]}")
    twice_ok = q("SELECT a.delivery_id, count(*) FROM webhook_attempts a JOIN webhook_deliveries d "
                 "ON d.id = a.delivery_id WHERE d.endpoint_id = ? AND a.status_code BETWEEN 200 "
                 "AND 299 GROUP BY a.delivery_id HAVING count(*) > 1", endpoint)
    f.sample("duplicate deliveries", "deliveries with more than one 2xx attempt recorded", twice_ok)
    delivered_not_received = [eid for eid, ds in deliveries.items()
                              if any(d[0] == "delivered" for d in ds) and eid not in got]
    f.sample("receiver vs store", "deliveries recorded delivered that the receiver never got",
             delivered_not_received)
    # Duplicates: every receipt but the last of an event must come from a jopayd that was
    # killed (its record of the 200 died with it), and one jopayd sends an event once.
    killed = expect["killed_incarnations"]
    cut, bad = 0, []
    for eid, rs in got.items():
        if len(rs) < 2:
            continue
        per_life = collections.Counter(r.incarnation for r in rs)
        earlier = sorted(rs, key=lambda r: r.at)[:-1]
        if any(n > 1 for n in per_life.values()) or any(r.incarnation not in killed for r in earlier):
            bad.append((eid, type_of.get(eid), sorted(rs, key=lambda r: r.at), deliveries.get(eid)))
        else:
            cut += len(rs) - 1
    f.sample("duplicate deliveries", "events received more than once other than after a kill "
             "(event, type, receipts, delivery rows)", bad)
    counts["duplicates"] = cut
    return {"cut_by_kill": cut}
