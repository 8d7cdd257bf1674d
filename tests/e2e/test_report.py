"""`jopayctl report` (GET /v1/report) over a known year on the manual clock: two currencies,
monthly, yearly, weekly and quarterly plans, sign-ups spread over the months, a cancellation at
period end, a yearly plan canceled that still runs, a dunning that expires, one that recovers
with a new card, a trial, a pause and resume, an incomplete sign-up, and refunds. Every figure
of the answer is checked against numbers worked out by hand below. Plan changes (upgrades,
issue #15) do not exist yet, so the year has none.

The year, all at 10:00:00Z (clock from 2025-01-01):
  A  alice  eur 1500 / month     Jan 1 - (renews the 1st; 500 of its Feb payment refunded Mar 15)
  B  bob    eur 12000 / year     Jan 1; canceled at period end Jun 1 (runs to 2026-01-01)
  C  carol  usd 700 / week       Feb 1; paid Feb 1, 8, 15, 22, Mar 1; canceled Mar 3, expired
                                 Mar 8; the Mar 1 payment refunded in full Mar 10
  D  dave   eur 1500 / month     Mar 1 (paid); card that fails: Apr 1 past_due, retries Apr 2,
                                 4, 6 fail, expired Apr 6
  E  erin   usd 1000 / 3 months  May 1 (paid); card that fails: Aug 1 past_due, Aug 2 retry
                                 fails, Aug 3 a good card pays at once; Nov 1 paid
  F  frank  eur 1500 / month     Jun 10 with a 14-day trial; first charge Jun 24, Jul 24,
                                 Aug 24; paused Sep 5; resumed Oct 10 (charged, new anchor),
                                 Nov 10, Dec 10
  G  gina   eur 1500 / month     Jul 1 with a card whose first charge fails: incomplete, never
                                 started, expired unannounced a day later
The report is taken on 2025-12-31T12:00:00Z.
"""
import unittest

from harness import DaemonTest, GOOD_CARD, FAILING_CARD

NOW = "2025-12-31T12:00:00Z"
MONTHS = ["2024-12"] + [f"2025-{m:02}" for m in range(1, 13)]

# MRR at each month end (the last second of the month; until for December):
#   eur: Jan-Feb A 1500 + B 12000/12 = 2500; Mar + D 1500 = 4000; Apr-May D expired: 2500;
#        Jun-Aug + F 1500 (active from Jun 24; B canceled still counts) = 4000;
#        Sep F paused: 2500; Oct-Dec F active again: 4000.
#   usd: Feb C 700 x 52 / 12 = 3033.33 -> 3033; Mar-Apr C expired: 0;
#        May-Dec E 1000 / 3 = 333.33 -> 333 (past_due Aug 1-3 still counts).
EUR_MRR = [0, 2500, 2500, 4000, 2500, 2500, 4000, 4000, 4000, 2500, 4000, 4000, 4000]
USD_MRR = [0, 0, 3033, 0, 0, 333, 333, 333, 333, 333, 333, 333, 333]
# Paid per month: eur A 1500 every month; Jan + B 12000; Mar + D 1500; F Jun, Jul, Aug, Oct,
# Nov, Dec 1500 each (none in Sep: paused). usd C 4 x 700 in Feb, 700 Mar; E 1000 May, Aug, Nov.
EUR_PAID = [0, 13500, 1500, 3000, 1500, 1500, 3000, 3000, 3000, 1500, 3000, 3000, 3000]
USD_PAID = [0, 0, 2800, 700, 0, 1000, 0, 0, 1000, 0, 0, 1000, 0]
EUR_REFUNDED = [0, 0, 0, 500, 0, 0, 0, 0, 0, 0, 0, 0, 0]    # A's Feb payment, in part, Mar 15
USD_REFUNDED = [0, 0, 0, 700, 0, 0, 0, 0, 0, 0, 0, 0, 0]    # C's Mar 1 payment, in full, Mar 10


def months(mrr, paid, refunded, names=MONTHS):
    return [{"month": m, "mrr": a, "payments": p, "refunds": r, "revenue": p - r}
            for m, a, p, r in zip(names, mrr, paid, refunded)]


def line(key, value):
    """A line of the table view: keys are padded to the longest, "subscribers now"."""
    return f"{key:<17}{value}"


EXPECTED_YEAR = {
    "object": "report",
    "livemode": False,
    "since": "2024-12-01T00:00:00Z",  # the start of the month 12 months before until
    "until": NOW,
    "now": NOW,
    "currencies": {
        "eur": {
            "mrr": 4000,    # A 1500 + B 1000 (canceled, runs to Jan 1) + F 1500
            "arr": 48000,   # 12 x 4000
            "subscribers": {"incomplete": 0, "trialing": 0, "active": 2, "past_due": 0,
                            "canceled": 1, "paused": 0, "expired": 2},  # A F / B / D G
            "new_subscriptions": 4,  # A B D F (G never started)
            "churned": {"voluntary": 0, "failed_payment": 1, "total": 1},  # D
            "reactivated": 1,  # F resumed Oct 10
            "recovery": {"went_past_due": 1, "recovered": 0, "rate_bp": 0},  # D
            # 13500 + 1500 + 3000 + 1500 + 1500 + 3000 x 3 + 1500 + 3000 x 3 = 40500
            "revenue": {"payments": 40500, "refunds": 500, "net": 40000},
            "months": months(EUR_MRR, EUR_PAID, EUR_REFUNDED),
        },
        "usd": {
            "mrr": 333,     # E 1000 / 3 = 333.33, rounded half up
            "arr": 4000,    # 12 x 333.33... = 4000 exactly (not 12 x 333)
            "subscribers": {"incomplete": 0, "trialing": 0, "active": 1, "past_due": 0,
                            "canceled": 0, "paused": 0, "expired": 1},  # E / C
            "new_subscriptions": 2,  # C E
            "churned": {"voluntary": 1, "failed_payment": 0, "total": 1},  # C
            "reactivated": 0,
            "recovery": {"went_past_due": 1, "recovered": 1, "rate_bp": 10000},  # E
            # 2800 + 700 + 1000 x 3 = 6500
            "revenue": {"payments": 6500, "refunds": 700, "net": 5800},
            "months": months(USD_MRR, USD_PAID, USD_REFUNDED),
        },
    },
}


class ReportTest(DaemonTest):
    clock_start = "2025-01-01T10:00:00Z"

    def at(self, time):
        """Moves the clock (firing what falls due) and runs the engine as cron would."""
        self.d.ok("clock", "set", time)
        self.d.ok("renew")

    def set_card(self, sub_id, card):
        status, body = self.d.api("POST", f"/v1/subscriptions/{sub_id}", {"card": card})
        self.assertEqual(status, 200, body)
        return body

    def paid_payment(self, sub_id, period_start):
        pays = [p for p in self.d.payments(sub_id)
                if p["status"] == "paid" and p["period_start"] == period_start]
        self.assertEqual(len(pays), 1, pays)
        return pays[0]["id"]

    def build_year(self):
        pro = self.d.plan("Pro", 1500, "eur", "month")["id"]
        yearly = self.d.plan("Pro yearly", 12000, "eur", "year")["id"]
        weekly = self.d.plan("Weekly", 700, "usd", "week")["id"]
        quarterly = self.d.plan("Quarterly", 1000, "usd", "month", interval_count=3)["id"]
        a = self.d.subscribe(pro, "alice@example.com")["id"]
        b = self.d.subscribe(yearly, "bob@example.com")["id"]
        self.at("2025-02-01T10:00:00Z")
        c = self.d.subscribe(weekly, "carol@example.com")["id"]
        self.at("2025-03-01T10:00:00Z")
        d = self.d.subscribe(pro, "dave@example.com")["id"]
        self.set_card(d, FAILING_CARD)
        self.at("2025-03-03T10:00:00Z")
        self.d.ok("subscriptions", "cancel", c)
        self.at("2025-03-10T10:00:00Z")
        self.d.ok("payments", "refund", self.paid_payment(c, "2025-03-01T10:00:00Z"))
        self.at("2025-03-15T10:00:00Z")
        self.d.ok("payments", "refund", self.paid_payment(a, "2025-02-01T10:00:00Z"),
                  "--amount", "500")
        self.at("2025-05-01T10:00:00Z")
        self.assertEqual(self.d.ok("subscriptions", "get", d)["status"], "expired")
        e = self.d.subscribe(quarterly, "erin@example.com")["id"]
        self.set_card(e, FAILING_CARD)
        self.at("2025-06-01T10:00:00Z")
        self.d.ok("subscriptions", "cancel", b)
        self.at("2025-06-10T10:00:00Z")
        f = self.d.subscribe(pro, "frank@example.com", GOOD_CARD, "--trial-days", "14")["id"]
        self.at("2025-07-01T10:00:00Z")
        declined = self.d.ctl("subscriptions", "create", "--plan", pro, "--email",
                              "gina@example.com", "--card", FAILING_CARD)
        self.assertEqual(declined.rc, 5, declined)
        self.at("2025-08-02T10:00:00Z")
        self.assertEqual(self.d.ok("subscriptions", "get", e)["status"], "past_due")
        self.at("2025-08-03T10:00:00Z")
        self.assertEqual(self.set_card(e, GOOD_CARD)["status"], "active")
        self.at("2025-09-05T10:00:00Z")
        self.d.ok("subscriptions", "pause", f)
        self.at("2025-10-10T10:00:00Z")
        self.d.ok("subscriptions", "resume", f)
        for time in ("2025-11-01T10:00:00Z", "2025-12-01T10:00:00Z", NOW):
            self.at(time)
        return dict(a=a, b=b, c=c, d=d, e=e, f=f)

    def test_a_year_of_billing_reports_every_figure_as_worked_out_by_hand(self):
        self.build_year()
        self.assertEqual(self.d.ok("report"), EXPECTED_YEAR)

        # A period within the year: March and April.
        part = self.d.ok("report", "--since", "2025-03-01", "--until", "2025-04-30T23:59:59Z")
        self.assertEqual((part["since"], part["until"], part["now"]),
                         ("2025-03-01T00:00:00Z", "2025-04-30T23:59:59Z", NOW))
        eur, usd = part["currencies"]["eur"], part["currencies"]["usd"]
        # As of Apr 30 23:59:59: A 1500 + B 1000 (D expired Apr 6); the subscribers are now's.
        self.assertEqual((eur["mrr"], eur["arr"]), (2500, 30000))
        self.assertEqual(eur["subscribers"], EXPECTED_YEAR["currencies"]["eur"]["subscribers"])
        self.assertEqual(eur["new_subscriptions"], 1)  # D (A and B signed up in January)
        self.assertEqual(eur["churned"], {"voluntary": 0, "failed_payment": 1, "total": 1})
        self.assertEqual(eur["recovery"], {"went_past_due": 1, "recovered": 0, "rate_bp": 0})
        # Mar 3000 - 500, Apr 1500.
        self.assertEqual(eur["revenue"], {"payments": 4500, "refunds": 500, "net": 4000})
        self.assertEqual(eur["months"], months(EUR_MRR[3:5], EUR_PAID[3:5], EUR_REFUNDED[3:5],
                                               MONTHS[3:5]))
        self.assertEqual((usd["mrr"], usd["new_subscriptions"], usd["churned"]["voluntary"]),
                         (0, 0, 1))  # C expired Mar 8; it signed up in February
        self.assertEqual(usd["revenue"], {"payments": 700, "refunds": 700, "net": 0})

        only_usd = self.d.ok("report", "--currency", "USD")
        self.assertEqual(list(only_usd["currencies"]), ["usd"])
        self.assertEqual(only_usd["currencies"]["usd"], EXPECTED_YEAR["currencies"]["usd"])

        # The table view shows the same figures, and the charts when asked.
        table = self.d.ok("report", "--chart", output=None)
        for text in (line("MRR", "40.00 EUR"), line("ARR", "480.00 EUR"),
                     line("subscribers now", "2 active, 1 canceled, 2 expired"),
                     line("new", "4"), line("reactivated", "1"),
                     line("churned", "1: 0 voluntary, 1 failed payment"),
                     line("recovered", "0 of 1 that went past_due (0.00%)"),
                     line("revenue", "400.00 EUR: paid 405.00 EUR, refunded 5.00 EUR"),
                     line("MRR", "3.33 USD"), line("ARR", "40.00 USD"),
                     line("recovered", "1 of 1 that went past_due (100.00%)"),
                     line("revenue", "58.00 USD: paid 65.00 USD, refunded 7.00 USD"),
                     "\nEUR\n", "\nUSD\n",
                     "MRR 2025-01 .. 2025-12, max 40.00 EUR",
                     "revenue 2025-01 .. 2025-12, max 135.00 EUR",
                     "01 02 03 04 05 06 07 08 09 10 11 12"):
            self.assertIn(text, table)
        self.assertRegex(table, r"2025-03 +40.00 EUR +30.00 EUR +5.00 EUR +25.00 EUR\n")
        # eur MRR 2500 / 4000 = 5/8 -> ▅, 4000 -> █ (Jan .. Dec).
        self.assertIn("▅▅ ▅▅ ██ ▅▅ ▅▅ ██ ██ ██ ▅▅ ██ ██ ██", table)
        self.assertNotIn("█", self.d.ok("report", output=None))  # no terminal, no --chart

    def test_bad_input_is_refused_and_changes_nothing(self):
        self.d.plan("Pro", 1500, "eur", "month")
        events = self.d.events()
        clock = self.d.ok("clock", "show")
        for query, param in (("since=yesterday", "since"), ("until=2025-02-30", "until"),
                             ("since=2025-01-01&until=2025-01-01", "since"),
                             ("since=2024-12-31&until=2024-12-01", "since"),
                             ("until=2025-01-02", "until"),  # after now
                             ("since=2010-01-01", "since"),  # more than 121 months
                             ("currency=xyz", "currency"), ("currency=", None),
                             ("limit=5", "limit")):
            status, body = self.d.api("GET", "/v1/report?" + query)
            if param is None:
                self.assertEqual(status, 200, body)  # empty = every currency
                continue
            self.assertEqual(status, 400, (query, body))
            self.assertEqual(body["error"]["param"], param, body)
            self.assertTrue(body["error"]["message"], body)

        self.assertFails(self.d.ctl("report", "--since", "2024-12-02", "--until", "2024-12-01"),
                         5, "since (2024-12-02T00:00:00Z) must be before until")
        self.assertFails(self.d.ctl("report", "--currency", "xyz"), 5, 'unknown currency "xyz"')
        self.assertFails(self.d.ctl("report", "--until", "2026-01-01"), 5,
                         "until must not be later than now")
        self.assertFails(self.d.ctl("report", "--since", "last week"), 2, "since")
        self.assertEqual(self.d.events(), events)
        self.assertEqual(self.d.ok("clock", "show"), clock)

    def test_plan_changes_move_each_months_mrr_to_the_price_billed_then(self):
        basic = self.d.plan(name="Basic", amount=1000)
        pro = self.d.plan(name="Pro", amount=2999)
        yearly = self.d.plan(name="Yearly", amount=12000, currency="usd", interval="year")
        sub = self.d.subscribe(basic["id"], "mover@example.com")["id"]
        self.d.advance("40d")  # Feb 10: renewed on Feb 1 at 1000
        self.d.ok("subscriptions", "update", sub, "--plan", pro["id"])  # an upgrade: now
        self.d.advance("30d")  # Mar 12
        self.d.ok("subscriptions", "update", sub, "--plan", yearly["id"], "--proration", "none")
        r = self.d.ok("report", "--since", "2025-01-01")  # until now: Mar 12
        eur, usd = r["currencies"]["eur"], r["currencies"]["usd"]
        self.assertEqual([m["mrr"] for m in eur["months"]], [1000, 2999, 0])
        self.assertEqual([m["mrr"] for m in usd["months"]], [0, 0, 1000])  # 12000 / 12
        self.assertEqual((eur["subscribers"]["active"], usd["subscribers"]["active"]), (0, 1))

    def test_a_new_store_reports_nothing_but_its_months(self):
        r = self.d.ok("report")
        self.assertEqual(r["currencies"], {})
        self.assertEqual((r["since"], r["until"]), ("2024-01-01T00:00:00Z", "2025-01-01T10:00:00Z"))
        self.assertIn("No subscriptions or payments", self.d.ok("report", output=None))


if __name__ == "__main__":
    unittest.main()
