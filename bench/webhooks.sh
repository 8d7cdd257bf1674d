#!/usr/bin/env bash
# Benchmark: webhook deliveries to a local nginx that answers 200 (keep-alive, one worker).
#   bench/webhooks.sh [N] [RATE] [SECONDS]     (defaults 200000, 2000, 10)
# 1. Alongside renewals: N due subscriptions renewed by one `jopayctl renew` (N
#    subscription.renewed events, fanned out to one endpoint); deliveries/s from nginx's access
#    log (first to last request) while the renewals run on the same two cores.
# 2. Backlog drain: nginx stopped, the next N renewals fire (`clock set`), every first attempt
#    is refused and waits for its 5 s retry; nginx started, `clock advance 10s`: N deliveries
#    due at once, deliveries/s first to last request (the sustained rate of the dispatcher).
# 3. Latency: subscriptions created at a steady RATE per second for SECONDS over the admin
#    socket; for each subscription.created event, enqueue-to-delivered = nginx's request
#    time ($msec) minus the moment the client sent the request that created it (so the figure
#    also holds the request's own handling, ~1 ms). Event ids hold row keys, not times, and the
#    manual clock dates created_at, so both ends are taken from wall clocks here.
#    p50 / p99 / max.
# Every write is durable (WAL, synchronous=FULL), including each attempt's record.
# Not part of scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
RATE=${2:-2000}
SECONDS_STEADY=${3:-10}
scripts/setup nginx
scripts/build

work=$(mktemp -d /tmp/jopay-hooks-bench-XXXXXX)
cleanup() {
  kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true
  [[ -f $work/nginx.pid ]] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
export JOPAY_SOCKET="$work/var/jopayd.sock"
ctl=build/jopayctl
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx-tmp"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  log_format hooks '\$msec \$http_webhook_id \$status';
  access_log $work/access.log hooks buffer=1m flush=1s;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 "ok"; }
  }
}
NGINX
"$nginx_bin" -c "$work/nginx.conf" -p "$work"

build/jopayd --data-dir "$work/var" --listen 127.0.0.1:0 --clock manual \
  --clock-start 2025-02-01T00:00:00Z 2>"$work/jopayd.log" &
echo $! >"$work/pid"
for _ in $(seq 100); do $ctl status >/dev/null 2>&1 && break; sleep 0.1; done
$ctl webhooks add "http://127.0.0.1:$port/hooks" >/dev/null 2>&1
plan=$($ctl -o id plans create --name Bench --amount 999 --currency eur --interval month)

delivered() { sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM webhook_deliveries WHERE status='delivered'"; }
wait_delivered() {
  local want=$1
  for _ in $(seq 6000); do (( $(delivered) >= want )) && return 0; sleep 0.2; done
  echo "timed out: $(delivered) of $want delivered" >&2; return 1
}

# 1. Throughput.
python3 bench/due_subscriptions.py "$plan" "$N" >"$work/subs.ndjson"
$ctl subscriptions import "$work/subs.ndjson" >/dev/null
t0=$(date +%s.%N); $ctl -o json renew >"$work/renew.json"; t1=$(date +%s.%N)
wait_delivered "$N"; t2=$(date +%s.%N)

# 2. Backlog drain.
kill -QUIT "$(cat "$work/nginx.pid")"; sleep 1; mv "$work/access.log" "$work/access1.log"
$ctl clock set 2025-03-01T00:00:00Z >/dev/null
waiting() { sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM webhook_deliveries WHERE status='pending' AND attempts>=1"; }
for _ in $(seq 6000); do (( $(waiting) >= N )) && break; sleep 0.2; done
"$nginx_bin" -c "$work/nginx.conf" -p "$work"; sleep 0.5
# CPU seconds (user + system) of a process and its threads.
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"; }
worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
j0=$(cpu "$(cat "$work/pid")"); n0=$(cpu "$worker"); load0=$(cut -d' ' -f1 /proc/loadavg)
$ctl clock advance 10s >/dev/null
wait_delivered $((2 * N))
j1=$(cpu "$(cat "$work/pid")"); n1=$(cpu "$worker"); load1=$(cut -d' ' -f1 /proc/loadavg)
echo "$j0 $j1 $n0 $n1 $load0 $load1" >"$work/drain_cpu.txt"
kill -QUIT "$(cat "$work/nginx.pid")"; sleep 1; mv "$work/access.log" "$work/access2.log"
"$nginx_bin" -c "$work/nginx.conf" -p "$work"; sleep 0.5

# 2. Latency at a steady rate.
python3 - "$JOPAY_SOCKET" "$plan" "$RATE" "$SECONDS_STEADY" "$work/created_at.txt" \
  >"$work/steady.txt" <<'PY'
import http.client, json, socket, sys, threading, time
path, plan, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
answered = {}  # email -> wall-clock ms of the request that created it
class Conn(http.client.HTTPConnection):
    def __init__(self): super().__init__("localhost")
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(path)
threads, per = 8, rate / 8
sent = [0] * threads
def run(k):
    c = Conn(); start = time.time(); i = 0
    while time.time() - start < seconds:
        due = start + i / per
        if due > time.time(): time.sleep(due - time.time())
        body = json.dumps({"plan": plan, "email": f"s{k}_{i}@example.com", "card": "4242424242424242"})
        sent_ms = time.time() * 1000
        c.request("POST", "/v1/subscriptions", body, {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 201: raise SystemExit(f"create failed: {r.status}")
        answered[f"s{k}_{i}@example.com"] = sent_ms
        i += 1
    sent[k] = i
ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
t0 = time.time(); [t.start() for t in ts]; [t.join() for t in ts]
print(sum(sent), time.time() - t0)
with open(sys.argv[5], "w") as f:
    f.writelines(f"{email} {ms:.3f}\n" for email, ms in answered.items())
PY
read -r steady_n steady_s <"$work/steady.txt"
wait_delivered $((2 * N + steady_n))
kill -QUIT "$(cat "$work/nginx.pid")"; sleep 1   # flushes the access log
kill "$(cat "$work/pid")"; wait 2>/dev/null || true
sqlite3 -separator ' ' "$work/var/jopay.db" "SELECT id, json_extract(data, '\$.customer_email') \
  FROM events WHERE type='subscription.created'" >"$work/created.txt"
failed=$(sqlite3 "$work/var/jopay.db" "SELECT count(*) FROM webhook_deliveries WHERE status<>'delivered'")

python3 - "$work" "$work/created.txt" "$N" "$t0" "$t1" "$t2" "$steady_n" "$steady_s" "$failed" \
  "$work/created_at.txt" <<'PY'
import sys
work, created, n, t0, t1, t2, steady_n, steady_s, failed, answered = sys.argv[1:]
n, steady_n, t0, t1, t2 = int(n), int(steady_n), float(t0), float(t1), float(t2)
at = dict((e, float(ms)) for e, ms in (l.split() for l in open(answered)))
email_of = dict(l.split() for l in open(created) if len(l.split()) == 2)
created = {evt: at[email] for evt, email in email_of.items() if email in at}
def times(path):
    out = sorted(float(l.split()[0]) for l in open(path) if l.split()[2] == "200")
    return out, out[-1] - out[0]
lat = []
for line in open(work + "/access.log"):
    ms, evt, status = line.split()
    if status == "200" and evt in created:
        lat.append(float(ms) * 1000 - created[evt])
lat.sort()
def pct(p): return lat[min(len(lat) - 1, int(p * len(lat)))]
bulk, span = times(work + "/access1.log")
drain, dspan = times(work + "/access2.log")
print(f"renewals (N)             {n}: renew took {t1 - t0:.1f} s ({n / (t1 - t0):,.0f}/s) with the endpoint live")
print(f"deliveries with renewals {len(bulk)} in {span:.1f} s first to last = {len(bulk) / span:,.0f} deliveries/s")
print(f"renew start to all delivered {t2 - t0:.1f} s ({n / (t2 - t0):,.0f}/s end to end)")
print(f"backlog drain            {len(drain)} in {dspan:.1f} s first to last = {len(drain) / dspan:,.0f} deliveries/s")
j0, j1, n0, n1, l0, l1 = map(float, open(work + "/drain_cpu.txt").read().split())
per = (j1 - j0) / len(drain) * 1e6
nper = (n1 - n0) / len(drain) * 1e6
print(f"  CPU per delivery       jopayd {per:.0f} us, nginx {nper:.0f} us: two idle cores would carry "
      f"~{2e6 / (per + nper):,.0f}/s (load average {l0:.1f} -> {l1:.1f} from other work on the box)")
print(f"steady load              {steady_n} subscriptions in {float(steady_s):.1f} s ({steady_n / float(steady_s):,.0f}/s)")
print(f"enqueue-to-delivered     p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms, max {lat[-1]:.1f} ms ({len(lat)} events)")
print(f"not delivered            {failed}")
PY
