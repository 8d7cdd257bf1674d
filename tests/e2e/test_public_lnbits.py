"""/public (no key), LNbits-style: a plan's public face, POST /public/subscribe -> the
subscription id up front and the hosted checkout URL, paying starts that very subscription,
and GET /public/checkout/{subscription_id} for a polling page."""
import http.client
import json
import re
import unittest
from urllib.parse import urlencode

from checkout_client import Public
from harness import DaemonTest, LIVE_CARDS_ARGS, LIVE_CARDS_ENV
from lnbits_client import NOW, REFERENCE_PLAN, V1, LnbitsTest

PUBLIC_PLAN_KEYS = {"id", "name", "description", "amount_sats", "amount", "currency",
                    "interval", "interval_unit", "interval_count", "trial_days",
                    "allow_lightning", "allow_onchain", "allow_stripe", "allow_paypal"}
FORM = {"email": "user@example.com", "name": "John Doe", "telegram": "@username",
        "nostr": "npub1...", "payment_method": "card"}


class PublicTest(LnbitsTest):
    def setUp(self):
        super().setUp()
        self.plan = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)

    def public(self, method, path, body=None, status=200, **kw):
        return self.pub.ok(method, path, body, status=status, key=None, **kw)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.getheader("Location"), resp.read().decode()
        finally:
            conn.close()

    def get_page(self, path):
        status, _, text = self.request("GET", path)
        self.assertEqual(status, 200, text)
        return text

    def post_form(self, path, fields):
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def test_public_plan_shows_nothing_private(self):
        got = self.public("GET", f"/public/plan/{self.plan['id']}")
        self.assertEqual(set(got), PUBLIC_PLAN_KEYS)  # no livemode, grace, counts, timestamps
        self.assertEqual((got["name"], got["amount_sats"], got["interval"], got["trial_days"],
                          got["description"]),
                         ("Pro Plan", 10000, "monthly", 0, "Access to premium features"))
        eur = self.d.plan(amount=1499)
        got = self.public("GET", f"/public/plan/{eur['id']}")
        self.assertEqual((got["amount"], got["currency"]), (1499, "eur"))
        self.assertNotIn("amount_sats", got)
        self.error("GET", "/public/plan/plan_missing", status=404, key=None)
        self.v1("DELETE", f"/plans/{eur['id']}")
        self.error("GET", f"/public/plan/{eur['id']}", status=404, key=None)

    def test_subscribe_then_pay_starts_that_subscription(self):
        made = self.public("POST", f"/public/subscribe/{self.plan['id']}", FORM)
        self.assertEqual(set(made), {"subscription_id", "status", "payment_method", "session_id",
                                     "checkout_url", "expires_at"})
        sub_id, cs = made["subscription_id"], made["session_id"]
        self.assertRegex(sub_id, r"^sub_[0-9A-Za-z]{24}$")
        self.assertEqual((made["status"], made["payment_method"], made["expires_at"]),
                         ("incomplete", "card", NOW + 1800))
        self.assertEqual(made["checkout_url"], f"http://127.0.0.1:{self.pub.port}/checkout/{cs}")
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "incomplete")
        self.assertEqual(self.d.events(sub_id), [])  # announced only once it starts
        subscriber = self.v1("GET", "/subscribers?search=@username")[0]
        self.assertEqual({k: subscriber[k] for k in ("email", "name", "telegram", "nostr")},
                         {k: FORM[k] for k in ("email", "name", "telegram", "nostr")})
        session = self.pub.ok("GET", f"/api/checkout/v1/sessions/{cs}")
        self.assertEqual((session["mode"], session["customer_email"], session["subscription_id"]),
                         ("subscription", "user@example.com", sub_id))
        polled = self.public("GET", f"/public/checkout/{sub_id}")
        self.assertEqual({k: polled[k] for k in ("subscription_id", "status", "paid", "session_id",
                                                 "session_status", "checkout_url", "attempts",
                                                 "amount_sats", "interval")},
                         {"subscription_id": sub_id, "status": "incomplete", "paid": False,
                          "session_id": cs, "session_status": "pending",
                          "checkout_url": made["checkout_url"], "attempts": 0,
                          "amount_sats": 10000, "interval": "monthly"})
        # A declined card leaves the subscription waiting, with no payment row.
        self.assertEqual(self.pay(cs, "4000000000000002").rc, 5)
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "incomplete")
        self.assertEqual(self.v1("GET", f"/payments?subscription_id={sub_id}"), [])
        self.assertEqual(self.public("GET", f"/public/checkout/{sub_id}")["attempts"], 1)
        paid = self.pay(cs)
        self.assertEqual(paid.rc, 0, paid)
        self.assertEqual(paid.json["subscription_id"], sub_id)
        sub = self.v1("GET", f"/subscriptions/{sub_id}")
        self.assertEqual((sub["status"], sub["payment_method"], len(sub["payments"])),
                         ("active", "card", 1))
        self.assertEqual(len(self.v1("GET", "/subscriptions")), 1)  # no second subscription
        self.assertEqual([e["type"] for e in self.d.events(sub_id)], ["subscription.created"])
        polled = self.public("GET", f"/public/checkout/{sub_id}")
        self.assertEqual((polled["paid"], polled["status"], polled["session_status"],
                          polled["checkout_url"]), (True, "active", "completed", None))
        self.assertEqual(polled["current_period_end"], sub["current_period_end"])

    def test_subscribe_may_say_where_the_hosted_page_returns(self):
        made = self.public("POST", f"/public/subscribe/{self.plan['id']}",
                           dict(FORM, success_url="https://shop.example/welcome"))
        session = self.pub.ok("GET", f"/api/checkout/v1/sessions/{made['session_id']}")
        self.assertEqual((session["success_url"], session["cancel_url"]),
                         ("https://shop.example/welcome", "https://shop.example/welcome"))
        made = self.public("POST", f"/public/subscribe/{self.plan['id']}",
                           dict(FORM, email="other@example.com"))
        session = self.pub.ok("GET", f"/api/checkout/v1/sessions/{made['session_id']}")
        # No merchant page: the customer ends on the hosted page itself, which says what happened
        # in words (not on the JSON status API), with no link back to a merchant.
        own_page = f"http://127.0.0.1:{self.pub.port}/checkout/{made['session_id']}"
        self.assertEqual((session["success_url"], session["cancel_url"]), (own_page, own_page))
        page = self.get_page(f"/checkout/{made['session_id']}")
        self.assertNotIn('id="cancel"', page)
        token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
        status, location, _ = self.post_form(f"/checkout/{made['session_id']}",
                                             {"token": token, "card": "4242424242424242"})
        self.assertEqual(status, 303)
        self.assertEqual(location, own_page + f"?session_id={made['session_id']}")
        done = self.get_page(location.replace(f"http://127.0.0.1:{self.pub.port}", ""))
        self.assertIn("Payment complete", done)
        self.assertIn("your subscription is active", done)
        self.assertNotIn('id="continue"', done)

    def test_trial_plan_starts_trialing_when_the_card_is_given(self):
        trial = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="Trial"), status=201)
        made = self.public("POST", f"/public/subscribe/{trial['id']}", {"email": "t@example.com"})
        self.assertEqual(self.pay(made["session_id"]).rc, 0)
        sub = self.v1("GET", f"/subscriptions/{made['subscription_id']}")
        self.assertEqual((sub["status"], sub["trial_end"], sub["payments"]),
                         ("trialing", NOW + 7 * 86400, []))

    def test_an_unpaid_subscription_ends_with_its_session(self):
        made = self.public("POST", f"/public/subscribe/{self.plan['id']}", FORM)
        self.d.advance("31m")
        self.assertEqual(self.d.ok("subscriptions", "get", made["subscription_id"])["status"],
                         "expired")
        self.assertEqual(self.d.ok("sessions", "get", made["session_id"])["status"], "expired")
        self.assertEqual(self.d.events(made["subscription_id"]), [])
        polled = self.public("GET", f"/public/checkout/{made['subscription_id']}")
        self.assertEqual((polled["paid"], polled["session_status"], polled["checkout_url"]),
                         (False, "expired", None))
        self.assertEqual(self.pay(made["session_id"]).rc, 5)

    def test_incomplete_subscriptions_are_hidden_from_the_checkout_api_lists(self):
        paid = self.public("POST", f"/public/subscribe/{self.plan['id']}", FORM)
        self.assertEqual(self.pay(paid["session_id"]).rc, 0)
        waiting = self.public("POST", f"/public/subscribe/{self.plan['id']}",
                              dict(FORM, email="later@example.com"))
        listed = self.pub.ok("GET", "/api/checkout/v1/subscriptions")
        self.assertEqual([s["id"] for s in listed["subscriptions"]], [paid["subscription_id"]])
        self.assertEqual(listed["total"], 1)
        asked = self.pub.ok("GET", "/api/checkout/v1/subscriptions?status=incomplete")
        self.assertEqual([s["id"] for s in asked["subscriptions"]], [waiting["subscription_id"]])
        self.assertEqual(asked["total"], 1)

    def test_subscribe_takes_json_only(self):
        # A page of another site can post a form or text/plain without asking: refused.
        path = f"/public/subscribe/{self.plan['id']}"
        before = self.full_snapshot()
        for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", None):
            headers = {"Content-Type": content_type} if content_type else {}
            status, _, text = self.request("POST", path, json.dumps(FORM), headers)
            self.assertEqual(status, 415, (content_type, text))
            self.assertEqual(json.loads(text)["error"]["code"], "content_type_unsupported")
        self.assertEqual(self.full_snapshot(), before)
        status, _, _ = self.request("POST", path, json.dumps(FORM),
                                    {"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 200)

    def test_existing_contacts_are_not_overwritten_anonymously(self):
        self.public("POST", f"/public/subscribe/{self.plan['id']}", FORM)
        self.public("POST", f"/public/subscribe/{self.plan['id']}",
                    dict(FORM, name="Mallory", telegram="@mallory", nostr="npub1evil"))
        subscribers = self.v1("GET", "/subscribers")
        self.assertEqual(len(subscribers), 1)
        self.assertEqual((subscribers[0]["name"], subscribers[0]["telegram"],
                          subscribers[0]["nostr"]), ("John Doe", "@username", "npub1..."))
        # Blank fields of an existing customer are not filled in by an anonymous caller either.
        self.d.subscribe(self.d.plan()["id"], "known@example.com")
        self.public("POST", f"/public/subscribe/{self.plan['id']}",
                    dict(FORM, email="known@example.com", name="Mallory"))
        known = self.d.ok("customers", "get", "known@example.com")
        self.assertEqual(known["name"], "")
        [row] = [s for s in self.v1("GET", "/subscribers") if s["email"] == "known@example.com"]
        self.assertEqual((row["name"], row["telegram"], row["nostr"]), ("", None, None))

    def test_idempotency_key_makes_one_subscription(self):
        h = {"Idempotency-Key": "form-1"}
        path = f"/public/subscribe/{self.plan['id']}"
        first = self.public("POST", path, FORM, headers=h)
        self.assertEqual(self.public("POST", path, FORM, headers=h), first)
        self.assertEqual(len(self.v1("GET", "/subscriptions")), 1)
        self.error("POST", path, dict(FORM, name="Other"), status=409,
                   code="idempotency_key_reused", key=None, headers=h)
        self.assertEqual(len(self.d.ok("sessions", "list")), 1)

    def test_bad_input_changes_nothing(self):
        path = f"/public/subscribe/{self.plan['id']}"
        no_cards = self.v1("POST", "/plans", dict(REFERENCE_PLAN, name="LN only",
                                                  allow_stripe=False), status=201)
        archived = self.d.plan()
        self.v1("DELETE", f"/plans/{archived['id']}")
        card_sub = self.d.subscribe(self.d.plan()["id"],
                                    "direct@example.com")
        before = self.full_snapshot()
        for body, param in (({}, "email"), ({"email": "not-an-email"}, "email"),
                            ({"email": 5}, "email"), (dict(FORM, colour="red"), "colour"),
                            (dict(FORM, name=["x"]), "name"), (dict(FORM, telegram=1), "telegram"),
                            (dict(FORM, nostr="n" * 201), "nostr"),
                            (dict(FORM, payment_method="onchain"), "payment_method"),
                            (dict(FORM, payment_method="paypal"), "payment_method"),
                            (dict(FORM, payment_method="cash"), "payment_method"),
                            (dict(FORM, success_url="/relative"), "success_url"),
                            (dict(FORM, cancel_url="ftp://x.example/"), "cancel_url"),
                            (dict(FORM, success_url=7), "success_url")):
            self.error("POST", path, body, param=param, key=None)
        self.error("POST", path, raw="{oops", key=None)
        self.error("POST", f"/public/subscribe/{no_cards['id']}", FORM, param="payment_method",
                   code="payment_method_unavailable", key=None)
        for plan_id in ("plan_missing", archived["id"]):
            self.error("POST", f"/public/subscribe/{plan_id}", FORM, status=404, key=None)
        self.error("GET", "/public/checkout/sub_missing", status=404, key=None)
        # A subscription that never went through a checkout has no public checkout page.
        self.error("GET", f"/public/checkout/{card_sub['id']}", status=404, key=None)
        self.error("GET", path, status=405, key=None)
        self.error("DELETE", f"/public/plan/{self.plan['id']}", status=405, key=None)
        self.assertEqual(self.full_snapshot(), before)


class PublicModesTest(DaemonTest):
    clock = "system"
    daemon_args = LIVE_CARDS_ARGS
    daemon_env = LIVE_CARDS_ENV

    def test_public_routes_act_in_the_plans_own_mode(self):
        test_pub = Public(self.d, self.d.ok("keys", "create")["secret"])
        live_pub = Public(self.d, self.d.ok("keys", "create", live=True)["secret"])
        live_plan = live_pub.ok("POST", V1 + "/plans", REFERENCE_PLAN, status=201)
        self.assertEqual(test_pub.ok("GET", f"/public/plan/{live_plan['id']}", key=None)["name"],
                         "Pro Plan")
        made = test_pub.ok("POST", f"/public/subscribe/{live_plan['id']}", FORM, key=None)
        sub = live_pub.ok("GET", f"{V1}/subscriptions/{made['subscription_id']}")
        self.assertEqual((sub["livemode"], sub["status"]), (True, "incomplete"))
        code, _, _ = test_pub.call("GET", f"{V1}/subscriptions/{made['subscription_id']}")
        self.assertEqual(code, 404)
        self.assertEqual(test_pub.ok("GET", V1 + "/subscribers"), [])
        polled = test_pub.ok("GET", f"/public/checkout/{made['subscription_id']}", key=None)
        self.assertEqual(polled["session_status"], "pending")



class RateLimitTest(LnbitsTest):
    daemon_args = ("--public-rate-limit", "5")
    def setUp(self):
        super().setUp()
        self.plan = self.v1("POST", "/plans", dict(REFERENCE_PLAN, trial_days=0), status=201)

    public = PublicTest.public
    request = PublicTest.request

    def test_one_address_gets_a_burst_then_429_with_retry_after(self):
        path = f"/public/subscribe/{self.plan['id']}"
        for i in range(5):
            self.public("POST", path, dict(FORM, email=f"u{i}@example.com"))
        before = self.full_snapshot()
        status, _, text = self.request("POST", path, json.dumps(dict(FORM, email="u9@example.com")),
                                       {"Content-Type": "application/json"})
        self.assertEqual(status, 429, text)
        self.assertEqual(json.loads(text)["error"]["code"], "rate_limited")
        conn = http.client.HTTPConnection(self.pub.host, self.pub.port, timeout=30)
        conn.request("POST", path, json.dumps(FORM), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 429)
        self.assertGreaterEqual(int(resp.getheader("Retry-After")), 1)
        self.assertEqual(self.full_snapshot(), before)  # nothing made
        self.v1("GET", "/plans")  # keyed routes are not limited by it

if __name__ == "__main__":
    unittest.main()
