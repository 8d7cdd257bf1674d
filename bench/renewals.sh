#!/usr/bin/env bash
# Benchmark: import N subscriptions that are all due, then one `jopayctl renew`; reports
# renewals per second next to a raw SQLite baseline doing the same writes in the same run.
#   bench/renewals.sh [N]      (default 1000000)
# Every write is durable (WAL, synchronous=FULL) in both. Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
scripts/setup
scripts/build
cmake --build build --target raw_sqlite_baseline -j"$(nproc)" >/dev/null

# Every run starts from the same page cache: the files of an earlier run (or of anything else)
# are written back and dropped first, when this runs as root; otherwise their writeback lands
# in the middle of the timed run (run-to-run spread was 62k-86k/s without this).
settle() {
  sync
  if [ "$(id -u)" = 0 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
settle

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

now() { date +%s.%N; }
t0=$(now); $ctl subscriptions import "$work/subs.ndjson" >/dev/null; t1=$(now)
# The import's own debts are not the renewals' to pay: its WAL frames are copied into the
# database (what jopayd's checkpointer would do in the background by the time renewals fall
# due) and its writes reach the disk.
sqlite3 "$work/var/jopay.db" "PRAGMA wal_checkpoint(PASSIVE)" >/dev/null
sync
t1r=$(now); $ctl -o json renew >"$work/renew.json"; t2=$(now)
# Checkpoints wait while a due run holds the writer; time jopayd's catch-up after it, until
# every WAL frame is in the database ("0|N|N": not busy, N frames, N checkpointed).
until [ "$(sqlite3 "$work/var/jopay.db" "PRAGMA wal_checkpoint(PASSIVE)" | awk -F'|' '$1==0 && $2==$3')" ]; do
  sleep 0.1
done
t3=$(now)
wal_mib=$(( $(stat -c %s "$work/var/jopay.db-wal") >> 20 ))
renewed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["renewed"])' "$work/renew.json")
kill "$(cat "$work/pid")"; wait 2>/dev/null || true
paid=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM payments WHERE status='paid'")
settle
raw=$(build/raw_sqlite_baseline schema.sql "$work/raw.db" "$N")
rm -f "$work"/raw.db*
settle
# The same floor with what invoices write per renewal (an invoice row, two more events).
raw_inv=$(build/raw_sqlite_baseline schema.sql "$work/raw_inv.db" "$N" --invoices)

python3 - "$N" "$t0" "$t1" "$t1r" "$t2" "$t3" "$wal_mib" "$renewed" "$paid" "$raw" "$raw_inv" <<'PY'
import sys
n, t0, t1, t1r, t2, t3, wal_mib, renewed, paid, raw, raw_inv = sys.argv[1:]
n, t0, t1, t1r, t2, t3 = int(n), float(t0), float(t1), float(t1r), float(t2), float(t3)
renewed, paid = int(renewed), int(paid)
imp, ren = t1 - t0, t2 - t1r
raw_rate = float(raw.split("per_second=")[1])
raw_inv_rate = float(raw_inv.split("per_second=")[1])
print(f"subscriptions          {n}")
print(f"import                 {imp:.1f} s  ({n / imp:,.0f} lines/s)")
print(f"renew                  {ren:.1f} s  ({renewed / ren:,.0f} renewals/s, {renewed} renewed)")
print(f"checkpoint catch-up    {t3 - t2:.1f} s after the renew (a {wal_mib} MiB WAL into the database)")
print(f"paid payments in store {paid} (imports charge nothing; one per renewal)")
print(f"raw SQLite baseline    {raw_rate:,.0f} renewals/s (same writes, no engine)")
print(f"jopayd / raw           {renewed / ren / raw_rate:.0%}")
print(f"raw with invoices      {raw_inv_rate:,.0f} renewals/s (plus an invoice row and two invoice events)")
print(f"jopayd / raw invoices  {renewed / ren / raw_inv_rate:.0%}")
PY
