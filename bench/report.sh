#!/usr/bin/env bash
# Benchmark: `jopayctl report` over N imported subscriptions that have each renewed once (N
# subscription.renewed events, 2N payments' worth of history). Reports the report's wall time
# and jopayd's peak resident memory before and after it.
#   bench/report.sh [N]      (default 1000000)
# Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
scripts/setup
scripts/build >/dev/null

work=$(mktemp -d /tmp/jopay-bench-XXXXXX)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export JOPAY_SOCKET="$work/var/jopayd.sock"
ctl=build/jopayctl
build/jopayd --data-dir "$work/var" --listen 127.0.0.1:0 --clock manual \
  --clock-start 2025-02-01T00:00:00Z 2>"$work/jopayd.log" &
echo $! >"$work/pid"
for _ in $(seq 100); do $ctl status >/dev/null 2>&1 && break; sleep 0.1; done

plan=$($ctl -o id plans create --name Bench --amount 999 --currency eur --interval month)
python3 bench/due_subscriptions.py "$plan" "$N" >"$work/subs.ndjson"
$ctl subscriptions import "$work/subs.ndjson" >/dev/null
$ctl renew >/dev/null
hwm() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$(cat "$work/pid")/status"; }
before=$(hwm)
t0=$(date +%s.%N)
$ctl -o json report >"$work/report.json"
t1=$(date +%s.%N)
after=$(hwm)
python3 - "$N" "$t0" "$t1" "$before" "$after" "$work/report.json" <<'PY'
import json, sys
n, t0, t1, before, after, path = sys.argv[1:]
r = json.load(open(path))
eur = r["currencies"]["EUR"] if "EUR" in r["currencies"] else r["currencies"]["eur"]
print(f"N={int(n):,}: report in {float(t1) - float(t0):.2f} s; MRR {eur['mrr']:,}; "
      f"jopayd peak RSS {before} MiB before, {after} MiB after")
PY
