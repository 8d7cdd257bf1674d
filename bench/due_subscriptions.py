"""Writes N import lines (`jopayctl subscriptions import`) of monthly subscriptions to PLAN,
each with a card and a period that ended 2025-02-01, so all are due at the benchmarks' clock
start. Usage: python3 bench/due_subscriptions.py PLAN N > subs.ndjson"""
import sys

plan, n = sys.argv[1], int(sys.argv[2])
line = ('{"email":"u%d@example.com","plan":"' + plan + '","card":"4242424242424242",'
        '"current_period_start":"2025-01-01T00:00:00Z","current_period_end":"2025-02-01T00:00:00Z",'
        '"metadata":{"user_id":"usr_%d"}}\n')
out = sys.stdout
for i in range(n):
    out.write(line % (i, i))
