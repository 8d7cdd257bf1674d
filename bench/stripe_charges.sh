#!/usr/bin/env bash
# Benchmark: N due renewals charged through the Stripe provider against the local stand-in
# (tests/stripe) answering every request after LATENCY ms, with jopayd's rate limit at RATE
# requests/s. Reports charges/s (renew start to the last charge settled), the stand-in's
# busiest second (must not exceed RATE), that every period was charged exactly once (counted
# by the stand-in), jopayd's CPU per charge, and the checkout API's latency while the charges
# run (a paced client creating sessions at 100/s).
#   bench/stripe_charges.sh [N] [RATE] [LATENCY_MS] [IN_FLIGHT]   (defaults 100000 2500 100 400)
# Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RATE=${2:-2500}
LATENCY=${3:-100}
IN_FLIGHT=${4:-400}
scripts/setup --tests sqlite3
scripts/build

work=$(mktemp -d /tmp/jopay-stripe-bench-XXXXXX)
cleanup() {
  kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true
  kill "$(cat "$work/standin.pid" 2>/dev/null)" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export JOPAY_SOCKET="$work/var/jopayd.sock"
ctl=build/jopayctl

node tests/stripe/standin.js --port 0 --secret-key sk_test_bench --latency-ms "$LATENCY" \
  --warmup 3000 >"$work/standin.out" 2>"$work/standin.log" &
echo $! >"$work/standin.pid"
for _ in $(seq 100); do [ -s "$work/standin.out" ] && break; sleep 0.1; done
sport=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$work/standin.out")
standin="http://127.0.0.1:$sport"

JOPAY_STRIPE_TEST_SECRET_KEY=sk_test_bench build/jopayd --data-dir "$work/var" \
  --listen 127.0.0.1:0 --log-level warn --stripe-api-base "$standin" \
  --stripe-test-rate-limit "$RATE" --stripe-max-in-flight "$IN_FLIGHT" 2>"$work/jopayd.log" &
echo $! >"$work/pid"
for _ in $(seq 100); do $ctl status >/dev/null 2>&1 && break; sleep 0.1; done
listen=$($ctl -o json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["listen"])')
key=$($ctl keys create 2>/dev/null)
plan=$($ctl -o id plans create --name Bench --amount 999 --currency eur --interval month)

# One card saved through Stripe Checkout (as a customer would) stands in for N migrated ones.
python3 - "$listen" "$key" "$plan" "$standin" >"$work/card.json" <<'PY'
import http.client, json, re, sys, urllib.request
listen, key, plan, standin = sys.argv[1:]
host, port = listen.rsplit(":", 1)
def call(method, path, body=None, headers=None, form=None):
    c = http.client.HTTPConnection(host, int(port))
    h = dict(headers or {})
    data = None
    if body is not None:
        data, h["Content-Type"] = json.dumps(body), "application/json"
    if form is not None:
        data, h["Content-Type"] = form, "application/x-www-form-urlencoded"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    return r.status, r.read().decode(), dict(r.getheaders())
_, s, _ = call("POST", "/api/checkout/v1/sessions", {"mode": "subscription", "plan": plan,
    "customer_email": "bench@example.com", "success_url": "https://example.com/ok",
    "cancel_url": "https://example.com/c"},
    {"Authorization": "Bearer " + key})
sid = json.loads(s)["id"]
_, page, _ = call("GET", f"/checkout/{sid}")
token = re.search(r'name="token" value="([^"]+)"', page).group(1)
_, _, h = call("POST", f"/checkout/{sid}/stripe", form=f"token={token}")
cs = h["Location"].rsplit("/", 1)[1]
req = urllib.request.Request(f"{standin}/_standin/checkout/{cs}/complete",
                             data=json.dumps({"card": "4242424242424242"}).encode(),
                             headers={"Content-Type": "application/json"})
redirect = json.load(urllib.request.urlopen(req))["redirect"]
call("GET", redirect[redirect.index("/checkout/"):])
print(json.dumps({"session": sid}))
PY
read -r pm cus < <(sqlite3 -separator ' ' "$work/var/jopay.db" \
  "SELECT provider_ref, provider_customer FROM payment_methods LIMIT 1")
python3 - "$plan" "$N" "$pm" "$cus" >"$work/subs.ndjson" <<'PY'
import sys
plan, n, pm, cus = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
import datetime
# Due a second ago: every one renews at once, one period each.
now = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)).strftime(
    "%Y-%m-%dT%H:%M:%SZ")
line = ('{"email":"u%d@example.com","plan":"' + plan + '","stripe_customer":"' + cus +
        '","stripe_payment_method":"' + pm + '","current_period_end":"' + now + '"}\n')
sys.stdout.writelines(line % i for i in range(n))
PY
$ctl subscriptions import "$work/subs.ndjson" >/dev/null
curl -s -X POST "$standin/_standin/reset" -H 'Content-Type: application/json' -d '{}' >/dev/null

cpu() { awk '{print $14 + $15}' "/proc/$(cat "$work/pid")/stat"; }
standin_cpu() { awk '{print $14 + $15}' "/proc/$(cat "$work/standin.pid")/stat"; }
# The paced checkout client runs alongside; it stops when the charges have settled.
python3 - "$listen" "$key" "$work/lat.txt" "$work/stop" <<'PY' &
import http.client, json, os, sys, threading, time
listen, key, out, stop = sys.argv[1:]
host, port = listen.rsplit(":", 1)
body = json.dumps({"line_items": [{"name": "Beans", "amount": 2500, "currency": "eur",
                   "quantity": 1}], "success_url": "https://example.com/s",
                   "cancel_url": "https://example.com/c"})
lat, errors = [], 0
c = http.client.HTTPConnection(host, int(port))
t_next = time.time()
while not os.path.exists(stop):
    t0 = time.time()
    try:
        c.request("POST", "/api/checkout/v1/sessions", body=body,
                  headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 200: errors += 1
    except Exception:
        errors += 1; c = http.client.HTTPConnection(host, int(port))
    lat.append((time.time() - t0) * 1000)
    t_next += 0.01  # 100 sessions/s
    time.sleep(max(0, t_next - time.time()))
open(out, "w").write(json.dumps({"lat": lat, "errors": errors}))
PY
client=$!
now() { date +%s.%N; }
cpu0=$(cpu); scpu0=$(standin_cpu); t0=$(now)
if [ -n "${PERF_OUT:-}" ]; then perf record -e cpu-clock -g -p "$(cat "$work/pid")" -o "$PERF_OUT" -- sleep 5 &>/dev/null & fi
$ctl -o json renew >"$work/renew.json"
# Polled in the store itself through the partial index of pending charges: `jopayctl status`
# also counts every subscription, which at this size cost jopayd's io threads more CPU than
# the charges did (measured: 16 s of 46 s at 5 polls a second).
until [ "$(sqlite3 "$work/var/jopay.db" \
           "SELECT count(*) FROM payments WHERE next_send_at IS NOT NULL")" = 0 ]; do
  sleep 0.2
done
t1=$(now); cpu1=$(cpu); scpu1=$(standin_cpu)
# Where jopayd's CPU went, by thread (utime+stime ticks since it started).
for t in /proc/"$(cat "$work/pid")"/task/*; do
  echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort -k2 -n -r >"$work/threads.txt"
touch "$work/stop"; wait "$client"
curl -s "$standin/_standin/stats" >"$work/stats.json"
paid=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM payments WHERE status='paid'")

python3 - "$N" "$RATE" "$LATENCY" "$t0" "$t1" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" \
  "$work/stats.json" "$work/lat.txt" "$paid" "$work/renew.json" "$work/threads.txt" \
  "$((scpu1 - scpu0))" <<'PY'
import json, sys
n, rate, latency = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1, ticks, hz = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
stats, client = json.load(open(sys.argv[8])), json.load(open(sys.argv[9]))
paid, renew = int(sys.argv[10]), json.load(open(sys.argv[11]))
secs = t1 - t0
periods = {k: v for k, v in stats["succeeded_by_period"].items()}
once = sum(1 for v in periods.values() if v == 1)
lat = sorted(client["lat"])
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100))]
print(f"renewals due            {n}")
print(f"renew to all settled    {secs:.1f} s = {n / secs:,.0f} charges/s "
      f"(stand-in latency {latency} ms, jopayd limit {rate}/s)")
print(f"stand-in busiest second {stats['max_requests_in_any_second']} requests "
      f"({'within' if stats['max_requests_in_any_second'] <= rate else 'ABOVE'} the limit); "
      f"429s {stats['rejected_429']}")
print(f"charged once per period {once} of {len(periods)} periods; "
      f"PaymentIntents created {stats['payment_intents_created']}, replays {stats['replays']}")
print(f"paid payments in store  {paid} (+1: the checkout that saved the card)")
print(f"jopayd CPU per charge   {ticks / hz / n * 1e6:.0f} us ({ticks / hz / secs:.2f} cores)")
threads = open(sys.argv[12]).read().split("\n")
standin_s = int(sys.argv[13]) / hz
print(f"stand-in CPU            {standin_s / secs:.2f} cores ({standin_s / n * 1e6:.0f} us per charge)")
print("jopayd threads (ticks)  " + ", ".join(t for t in threads if t)[:300])
print(f"checkout API meanwhile  {len(lat)} sessions, p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, "
      f"max {lat[-1]:.1f} ms, errors {client['errors']}")
PY
