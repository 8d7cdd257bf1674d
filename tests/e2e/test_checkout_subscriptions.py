"""/api/checkout/v1/subscriptions: the reference's list, cancel (at period end and
immediately) and portal examples against jopayd, with cursor pagination and filters."""
import unittest
from urllib.parse import quote

from checkout_client import API, CheckoutTest

REFERENCE_FIELDS = {"id", "status", "customer_email", "plan_name", "amount_cents", "currency",
                    "current_period_end"}


class SubscriptionsApiTest(CheckoutTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan()  # Pro Monthly, 14.99 EUR
        self.active = self.d.subscribe(self.plan["id"], "customer@example.com")
        self.trialing = self.d.subscribe(self.plan["id"], "trial@example.com", "4242424242424242",
                                         "--trial-days", "14")

    def test_reference_list_active(self):
        answer = self.pub.ok("GET", API + "/subscriptions?status=active")
        self.assertEqual(answer["total"], 1)
        self.assertEqual(len(answer["subscriptions"]), 1)
        sub = answer["subscriptions"][0]
        self.assertLessEqual(REFERENCE_FIELDS, set(sub))
        self.assertEqual({k: sub[k] for k in REFERENCE_FIELDS}, {
            "id": self.active["id"], "status": "active", "customer_email": "customer@example.com",
            "plan_name": "Pro Monthly", "amount_cents": 1499, "currency": "eur",
            "current_period_end": "2025-02-10T12:30:00Z"})
        self.assertEqual(self.pub.ok("GET", API + "/subscriptions")["total"], 2)
        by_email = self.pub.ok("GET", API + "/subscriptions?customer_email=Trial%40Example.com")
        self.assertEqual([s["id"] for s in by_email["subscriptions"]], [self.trialing["id"]])
        none = self.pub.ok("GET", API + "/subscriptions?status=expired")
        self.assertEqual(none, {"subscriptions": [], "total": 0, "has_more": False})

    def test_cursor_pagination(self):
        for i in range(3):
            self.d.subscribe(self.plan["id"], f"p{i}@example.com")
        seen, after = [], None
        while True:
            path = API + "/subscriptions?limit=2" + (f"&starting_after={after}" if after else "")
            page = self.pub.ok("GET", path)
            self.assertEqual(page["total"], 5)
            self.assertLessEqual(len(page["subscriptions"]), 2)
            seen += [s["id"] for s in page["subscriptions"]]
            if not page["has_more"]:
                break
            after = page["subscriptions"][-1]["id"]
        everything = [s["id"] for s in self.d.ok("subscriptions", "list")]
        self.assertEqual(seen, everything)  # newest first, each once
        code, body, _ = self.pub.call("GET", API + "/subscriptions?starting_after=sub_missing")
        self.assertEqual((code, body["error"]["param"]), (404, "starting_after"))

    def test_get_one(self):
        sub = self.pub.ok("GET", f"{API}/subscriptions/{self.trialing['id']}")
        self.assertEqual(sub["status"], "trialing")
        self.assertEqual(sub["id"], self.trialing["id"])
        self.assertEqual(sub["trial_end"], "2025-01-24T12:30:00Z")

    def test_reference_cancel_at_period_end(self):
        path = f"{API}/subscriptions/{self.active['id']}/cancel"
        answer = self.pub.ok("POST", path)  # no body at all, as the reference's curl sends
        self.assertEqual(answer, {"id": self.active["id"], "status": "canceled",
                                  "cancel_at_period_end": True,
                                  "current_period_end": "2025-02-10T12:30:00Z"})
        self.assertEqual([e["type"] for e in self.d.events(self.active["id"])][-1],
                         "subscription.cancelled")
        self.d.advance("32d")
        self.assertEqual(self.d.ok("subscriptions", "get", self.active["id"])["status"], "expired")

    def test_reference_cancel_immediately(self):
        path = f"{API}/subscriptions/{self.active['id']}/cancel"
        answer = self.pub.ok("POST", path, {"immediate": True})
        self.assertEqual(set(answer), {"id", "status", "cancel_at_period_end",
                                       "current_period_end"})
        self.assertEqual(answer["status"], "expired")
        self.assertEqual(self.d.ok("subscriptions", "get", self.active["id"])["status"], "expired")
        code, body, _ = self.pub.call("POST", path)
        self.assertEqual(code, 409, body)
        code, body, _ = self.pub.call("POST", path, {"immediate": "yes"})
        self.assertEqual((code, body["error"]["param"]), (400, "immediate"))

    def test_reference_portal_url(self):
        path = (f"{API}/subscriptions/{self.active['id']}/portal"
                f"?return_url={quote('https://yourapp.com/account', safe='')}")
        answer = self.pub.ok("GET", path)
        self.assertEqual(set(answer), {"portal_url"})
        self.assertRegex(answer["portal_url"],
                         rf"^http://127\.0\.0\.1:{self.pub.port}/portal/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
        again = self.pub.ok("GET", path)["portal_url"]
        self.d.advance("1s")
        self.assertNotEqual(self.pub.ok("GET", path)["portal_url"], again)  # a new expiry
        for query, param in (("", "return_url"), ("?return_url=/account", "return_url"),
                             ("?return_url=ftp%3A%2F%2Fx.y", "return_url"),
                             ("?return_url=https%3A%2F%2Fa.b&x=1", "x")):
            code, body, _ = self.pub.call(
                "GET", f"{API}/subscriptions/{self.active['id']}/portal{query}")
            self.assertEqual((code, body["error"]["param"]), (400, param), query)
        code, _, _ = self.pub.call(
            "GET", f"{API}/subscriptions/sub_missing/portal?return_url=https%3A%2F%2Fa.b")
        self.assertEqual(code, 404)

    def test_unknown_ids(self):
        for method, path in (("GET", "/subscriptions/sub_missing"),
                             ("POST", "/subscriptions/sub_missing/cancel")):
            code, body, _ = self.pub.call(method, API + path)
            self.assertEqual(code, 404, (path, body))
            self.assertEqual(body["error"]["code"], "resource_missing")

    def test_subscription_made_by_a_checkout_session_is_listed(self):
        s = self.create({"mode": "subscription", "plan": self.plan["id"],
                         "customer_email": "new@example.com", "success_url": "https://a.example",
                         "cancel_url": "https://a.example/c"})
        sub_id = self.pay(s["id"]).json["subscription_id"]
        listed = self.pub.ok("GET", API + "/subscriptions?customer_email=new@example.com")
        self.assertEqual([x["id"] for x in listed["subscriptions"]], [sub_id])


if __name__ == "__main__":
    unittest.main()
