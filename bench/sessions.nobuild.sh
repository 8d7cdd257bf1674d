#!/usr/bin/env bash
# Benchmark: wrk against POST /api/checkout/v1/sessions over keep-alive; reports sessions/s and
# latency percentiles, then checks that every answered session is in the store (durable: WAL,
# synchronous=FULL, group commit through the one writer).
#   bench/sessions.sh [SECONDS] [CONNECTIONS] [THREADS]   (default 20 64 2)
# Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-20}
CONNS=${2:-64}
THREADS=${3:-2}
true
true

work=$(mktemp -d /tmp/jopay-bench-XXXXXX)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export JOPAY_SOCKET="$work/var/jopayd.sock"
ctl=build/jopayctl

${JOPAYD_WRAP:-} build/jopayd --data-dir "$work/var" --listen 127.0.0.1:0 --log-level warn \
  2>"$work/jopayd.log" &
echo $! >"$work/pid"
for _ in $(seq 100); do $ctl status >/dev/null 2>&1 && break; sleep 0.1; done
listen=$($ctl -o json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')
export JOPAY_KEY=$($ctl keys create 2>/dev/null)

cpu() { awk '{print $14 + $15}' "/proc/$(cat "$work/pid")/stat"; }  # utime+stime, ticks
cpu0=$(cpu)
wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" --latency -s bench/sessions.lua \
  "http://$listen" | tee "$work/wrk.txt"
cpu1=$(cpu)
kill "$(cat "$work/pid")"; wait 2>/dev/null || true
stored=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM checkout_sessions")

python3 - "$work/wrk.txt" "$stored" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text, stored = open(sys.argv[1]).read(), int(sys.argv[2])
cpu_s = int(sys.argv[3]) / int(sys.argv[4])
m = dict(re.findall(r"(\w+)=(\d+)", text.splitlines()[-1]))
n, secs = int(m["requests"]), int(m["duration_us"]) / 1e6
print(f"sessions answered      {n}  in {secs:.1f} s = {n / secs:,.0f} sessions/s")
print(f"latency p50/p90/p99    {int(m['p50_us'])/1000:.2f} / {int(m['p90_us'])/1000:.2f} / "
      f"{int(m['p99_us'])/1000:.2f} ms (max {int(m['max_us'])/1000:.1f} ms)")
print(f"errors (non-2xx etc.)  {m['errors']}")
print(f"jopayd CPU per session {cpu_s / n * 1e6:.1f} us  ({cpu_s / secs:.2f} cores)")
print(f"sessions in the store  {stored}  (answered 200 and durable: {stored >= n - int(m['errors'])})")
PY
