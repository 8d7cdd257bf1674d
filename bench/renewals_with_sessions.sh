#!/usr/bin/env bash
# Benchmark: checkout sessions created while a large renewal run holds the writer (#16 item 4).
# Imports N subscriptions that are all due; starts creating checkout sessions over CONNECTIONS
# keep-alive connections; after a few seconds runs one `jopayctl renew`. Reports renewals per
# second and the sessions' latency before and during the run, side by side, with the raw SQLite
# baseline of bench/renewals.sh for the machine's phase.
#   bench/renewals_with_sessions.sh [N] [CONNECTIONS]     (default 1000000 4)
# Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
CONNS=${2:-4}
scripts/setup sqlite3
scripts/build
cmake --build build --target raw_sqlite_baseline -j"$(nproc)" >/dev/null

settle() {  # as in bench/renewals.sh: every run starts from the same page cache
  sync
  if [ "$(id -u)" = 0 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
settle

work=$(mktemp -d /tmp/jopay-bench-XXXXXX)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; kill $(cat "$work/load.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export JOPAY_SOCKET="$work/var/jopayd.sock"
ctl=build/jopayctl

${JOPAYD_WRAP:-} build/jopayd --data-dir "$work/var" --listen 127.0.0.1:0 --clock manual \
  --clock-start 2025-02-01T00:00:00Z --log-level warn 2>"$work/jopayd.log" &
echo $! >"$work/pid"
for _ in $(seq 100); do $ctl status >/dev/null 2>&1 && break; sleep 0.1; done
listen=$($ctl -o json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')
export JOPAY_KEY=$($ctl keys create 2>/dev/null)

plan=$($ctl -o id plans create --name Bench --amount 999 --currency eur --interval month)
python3 bench/due_subscriptions.py "$plan" "$N" >"$work/subs.ndjson"
$ctl subscriptions import "$work/subs.ndjson" >/dev/null
sqlite3 "$work/var/jopay.db" "PRAGMA wal_checkpoint(PASSIVE)" >/dev/null
sync

now() { date +%s.%N; }
node bench/session_load.mjs "http://$listen" "$work/load.txt" "$CONNS" &
echo $! >"$work/load.pid"
sleep 6  # sessions alone first: the figure to compare with
t1=$(now); $ctl -o json renew >"$work/renew.json"; t2=$(now)
sleep 3
kill -TERM "$(cat "$work/load.pid")"; wait "$(cat "$work/load.pid")" 2>/dev/null || true
kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true
paid=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM payments WHERE status='paid'")
stored=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM checkout_sessions")
settle
raw=$(build/raw_sqlite_baseline schema.sql "$work/raw.db" "$N")

python3 - "$work/load.txt" "$work/renew.json" "$t1" "$t2" "$paid" "$stored" "$raw" "$CONNS" <<'PY'
import json, sys
load, renew, t1, t2, paid, stored, raw, conns = sys.argv[1:]
t1, t2 = float(t1) * 1000, float(t2) * 1000
rows = [l.split() for l in open(load) if l.strip()]
reqs = [(float(s), float(l), int(c)) for s, l, c in rows]
renewed = json.load(open(renew))["renewed"]
raw_rate = float(raw.split("per_second=")[1])

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

def window(name, lo, hi):
    inside = [r for r in reqs if lo <= r[0] < hi]
    lat = [r[1] for r in inside]
    bad = sum(1 for r in inside if r[2] != 200)
    secs = (hi - lo) / 1000
    print(f"{name:<22} {len(inside) / secs:>8,.0f} sessions/s   p50 {pct(lat, 50):6.2f}  "
          f"p99 {pct(lat, 99):6.2f}  max {max(lat):7.2f} ms   non-200: {bad}")

first = min(r[0] for r in reqs)
print(f"subscriptions          {renewed} renewed in {(t2 - t1) / 1000:.1f} s = "
      f"{renewed / ((t2 - t1) / 1000):,.0f} renewals/s, with sessions created alongside")
print(f"raw SQLite baseline    {raw_rate:,.0f} renewals/s (same writes, no engine, no sessions)")
print(f"sessions over {conns} keep-alive connections:")
window("  before the run", first + 1000, t1)
window("  during the run", t1, t2)
ok = sum(1 for r in reqs if r[2] == 200)
print(f"paid payments {paid} (one per renewal); sessions answered 200: {ok}, stored: {stored}")
PY
