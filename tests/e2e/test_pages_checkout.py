"""The hosted checkout page over HTTP: what it shows, paying through its form (success 303,
decline, bad input), its form token, escaping, and the pages of expired, cancelled, completed
and unknown sessions. Refused posts change nothing."""
import unittest

from checkout_client import API, PAYMENT_BODY, SUBSCRIPTION_BODY
from pages_client import PagesTest

XSS = "<script>alert(\"x\")</script>'"
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;"


class CheckoutPageTest(PagesTest):
    def session(self, body=None, **extra):
        return self.create(dict(body or PAYMENT_BODY, **extra))

    def form_of(self, session_id, **fields):
        token = self.get(f"/checkout/{session_id}").field("token")
        self.assertRegex(token, r"^[0-9a-f]{64}$")
        return dict({"token": token}, **fields)

    def status_of(self, session_id):
        return self.pub.ok("GET", f"{API}/sessions/{session_id}")["status"]

    # -- what the page shows -------------------------------------------------------------
    def test_payment_page_shows_items_amount_email_form_and_test_cards(self):
        s = self.session(line_items=[
            {"name": "Premium Coffee Beans", "amount": 2500, "currency": "eur", "quantity": 2},
            {"name": "Mug", "amount": 999, "currency": "eur"}])
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("amount"), "59.99 EUR")
        items = page.by_id("items")
        for text in ("Premium Coffee Beans", "2 × 25.00 EUR", "50.00 EUR", "Mug", "1 × 9.99 EUR",
                     "Total", "59.99 EUR"):
            self.assertIn(text, items)
        self.assertEqual(page.by_id("email"), "customer@example.com")
        self.assertIsNone(page.field("email"))  # shown, not asked
        self.assertIn('name="card"', page.text)
        self.assertIn('<form method="post" id="pay-form"', page.text)  # to its own URL
        self.assertTrue(page.has_id("test-mode"))
        cards = page.by_id("test-cards")
        self.assertIn("4242424242424242 succeeds", cards)
        self.assertIn("4000000000000002 is declined", cards)
        self.assertIn('href="https://yoursite.com/cancel"', page.text)
        self.assertEqual(page.by_id("pay"), "Pay 59.99 EUR")
        # The merchant's metadata is theirs (order and user ids): never shown to the customer.
        self.assertFalse(page.has_id("metadata"))
        self.assertNotIn("order_id", page.text)
        self.assertNotIn("12345", page.text)
        # No merchant configured: no header, no support line (jopayd warned at start).
        self.assertFalse(page.has_id("merchant-name"))
        self.assertFalse(page.has_id("support"))

    def test_amounts_follow_the_currency_exponent(self):
        jpy = self.session(line_items=[{"name": "Tea", "amount": 500, "currency": "jpy",
                                        "quantity": 3}])
        page = self.get(f"/checkout/{jpy['id']}")
        self.assertEqual(page.by_id("amount"), "1500 JPY")
        self.assertIn("3 × 500 JPY", page.by_id("items"))
        kwd = self.session(line_items=[{"name": "Tea", "amount": 1500, "currency": "kwd"}])
        self.assertEqual(self.get(f"/checkout/{kwd['id']}").by_id("amount"), "1.500 KWD")

    def test_subscription_page_shows_plan_interval_and_trial(self):
        body = dict(SUBSCRIPTION_BODY, plan={"name": "Pro Quarterly", "amount": 3999,
                                             "interval": "month", "interval_count": 3})
        page = self.get(f"/checkout/{self.create(body)['id']}")
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("plan-name"), "Pro Quarterly")
        self.assertEqual(page.by_id("terms"), "7-day free trial, then 39.99 EUR every 3 months")
        self.assertEqual(page.by_id("due-today"), "Due today: 0.00 EUR")
        self.assertEqual(page.by_id("pay"), "Start free trial")
        no_trial = dict(SUBSCRIPTION_BODY, trial_period_days=0,
                        plan={"name": "Yearly", "amount": 12000, "interval": "year"})
        page = self.get(f"/checkout/{self.create(no_trial)['id']}")
        self.assertEqual(page.by_id("terms"), "120.00 EUR every year")
        self.assertEqual(page.by_id("pay"), "Subscribe for 120.00 EUR")

    def test_unknown_session_is_a_404_page(self):
        page = self.get("/checkout/cs_doesnotexist000000000000")
        self.assertHtmlPage(page, 404)
        self.assertIn("Checkout not found", page.text)
        page = self.post("/checkout/cs_doesnotexist000000000000", {"token": "x", "card": "4242"})
        self.assertHtmlPage(page, 404)

    # -- paying --------------------------------------------------------------------------
    def test_paying_redirects_to_success_url_with_the_session_id(self):
        s = self.session()
        page = self.post(f"/checkout/{s['id']}", self.form_of(s["id"], card="4242424242424242"))
        self.assertHtmlPage(page, 303)
        self.assertEqual(page.location, f"https://yoursite.com/success?session_id={s['id']}")
        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        self.assertEqual(full["status"], "completed")
        self.assertIsNotNone(full["payment_id"])
        self.assertEqual([e["type"] for e in self.d.events(s["id"])][-1],
                         "checkout.session.completed")

    def test_success_url_with_a_query_gets_an_ampersand(self):
        s = self.session(success_url="https://shop.example/done?order=7&lang=en")
        page = self.post(f"/checkout/{s['id']}", self.form_of(s["id"], card="4242 4242 4242 4242"))
        self.assertEqual(page.status, 303, page)
        self.assertEqual(page.location,
                         f"https://shop.example/done?order=7&lang=en&session_id={s['id']}")

    def test_subscription_checkout_asks_the_email_and_creates_the_subscription(self):
        body = dict(SUBSCRIPTION_BODY)
        del body["customer_email"]
        s = self.create(body)
        page = self.get(f"/checkout/{s['id']}")
        self.assertEqual(page.field("email"), "")
        self.assertIn('type="email"', page.text)
        missing = self.post(f"/checkout/{s['id']}", self.form_of(s["id"], card="4242424242424242"))
        self.assertHtmlPage(missing, 400)
        self.assertIn("email", missing.by_id("error"))
        self.assertEqual(self.status_of(s["id"]), "pending")
        done = self.post(f"/checkout/{s['id']}",
                         self.form_of(s["id"], card="4242424242424242", email="New@Example.com",
                                      name="Ada"))
        self.assertEqual(done.status, 303, done)
        self.assertEqual(done.location, f"https://yoursite.com/welcome?session_id={s['id']}")
        full = self.pub.ok("GET", f"{API}/sessions/{s['id']}")
        sub = self.pub.ok("GET", f"{API}/subscriptions/{full['subscription_id']}")
        self.assertEqual((sub["status"], sub["customer_email"]), ("trialing", "new@example.com"))

    def test_decline_shows_the_page_again_with_the_reason(self):
        body = dict(PAYMENT_BODY)
        del body["customer_email"]
        s = self.create(body)
        page = self.post(f"/checkout/{s['id']}",
                         self.form_of(s["id"], card="4000000000000002", email="me@example.com"))
        self.assertHtmlPage(page, 402)
        self.assertEqual(page.by_id("error"), "Your card was declined. (card_declined)")
        self.assertEqual(page.field("email"), "me@example.com")  # kept, the card is not
        self.assertNotIn("4000000000000002\"", page.text)
        self.assertRegex(page.field("token"), r"^[0-9a-f]{64}$")
        self.assertEqual(self.status_of(s["id"]), "pending")
        self.assertEqual([e["type"] for e in self.d.events(s["id"])], ["checkout.payment.failed"])
        funds = self.post(f"/checkout/{s['id']}",
                          self.form_of(s["id"], card="4000000000009995", email="me@example.com"))
        self.assertEqual(funds.status, 402)
        self.assertIn("insufficient funds", funds.by_id("error"))
        ok = self.post(f"/checkout/{s['id']}",
                       self.form_of(s["id"], card="4242424242424242", email="me@example.com"))
        self.assertEqual(ok.status, 303, ok)
        self.assertEqual(self.status_of(s["id"]), "completed")

    def test_an_invalid_card_number_is_a_400_and_changes_nothing(self):
        s = self.session()
        before = self.snapshot()
        for card in ("1234", "", "4242424242424241"):
            page = self.post(f"/checkout/{s['id']}", self.form_of(s["id"], card=card))
            self.assertHtmlPage(page, 400)
            self.assertTrue(page.by_id("error"), page)
            self.assertTrue(page.has_id("pay-form"))
        self.assertEqual(self.snapshot(), before)

    # -- the form token and bad posts ----------------------------------------------------
    def test_a_missing_or_wrong_form_token_is_refused_and_changes_nothing(self):
        s = self.session()
        other = self.session()
        before = self.snapshot()
        for form in ({"card": "4242424242424242"},
                     {"card": "4242424242424242", "token": ""},
                     {"card": "4242424242424242", "token": "0" * 64},
                     self.form_of(other["id"], card="4242424242424242")):
            page = self.post(f"/checkout/{s['id']}", form)
            self.assertHtmlPage(page, 403)
            self.assertIn("This form has expired", page.text)
            self.assertIn(f'href="{s["id"]}"', page.text)  # relative: back to this page
        self.assertEqual(self.snapshot(), before)

    def test_bad_bodies_are_refused_and_change_nothing(self):
        s = self.session()
        form = self.form_of(s["id"], card="4242424242424242")
        before = self.snapshot()
        json_body = self.request("POST", f"/checkout/{s['id']}", raw='{"card": "4242424242424242"}',
                                 content_type="application/json")
        self.assertHtmlPage(json_body, 400)
        bad_escape = self.request("POST", f"/checkout/{s['id']}",
                                  raw=f"token={form['token']}&card=%zz")
        self.assertHtmlPage(bad_escape, 400)
        self.assertEqual(self.snapshot(), before)

    # -- escaping ------------------------------------------------------------------------
    def test_every_merchant_string_is_escaped(self):
        body = {"line_items": [{"name": XSS, "amount": 100, "currency": "eur"}],
                "success_url": "https://shop.example/ok?a=1&b=2",
                "cancel_url": "https://shop.example/cancel?x=1&y='q'",
                "client_reference_id": XSS,
                "metadata": {XSS: XSS}}
        s = self.create(body)
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertNotIn(XSS, page.text)
        self.assertIn(XSS, page.by_id("items"))  # shown as text (by_id unescapes)
        self.assertEqual(page.text.count(XSS_ESCAPED), 1)  # the item; metadata is never shown
        self.assertIn('href="https://shop.example/cancel?x=1&amp;y=&#39;q&#39;"', page.text)

    def test_customer_typed_values_are_escaped_when_shown_again(self):
        body = dict(PAYMENT_BODY)
        del body["customer_email"]
        s = self.create(body)
        page = self.post(f"/checkout/{s['id']}",
                         self.form_of(s["id"], card="4000000000000002", email="me@example.com",
                                      name='"><script>alert(1)</script>'))
        self.assertEqual(page.status, 402)
        self.assertNotIn("<script", page.text)
        self.assertEqual(page.field("name"), '"><script>alert(1)</script>')

    # -- sessions that can no longer be paid ---------------------------------------------
    def test_expired_session_shows_a_clear_page_and_refuses_payment(self):
        s = self.session()
        form = self.form_of(s["id"], card="4242424242424242")
        self.d.advance("31m")
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("state"), "Checkout expired")
        self.assertIn('data-status="expired"', page.text)
        self.assertFalse(page.has_id("pay-form"))
        self.assertIn('href="https://yoursite.com/cancel"', page.text)
        before = self.snapshot()
        late = self.post(f"/checkout/{s['id']}", form)
        self.assertHtmlPage(late, 409)
        self.assertEqual(late.by_id("state"), "Checkout expired")
        self.assertEqual(self.snapshot(), before)

    def test_pending_past_expiry_before_the_sweep_is_shown_expired(self):
        s = self.session()
        self.d.ok("clock", "set", "2025-01-10T13:00:00Z")  # exactly expires_at
        page = self.get(f"/checkout/{s['id']}")
        self.assertIn('data-status="expired"', page.text)
        self.assertFalse(page.has_id("pay-form"))

    def test_cancelled_session_shows_a_clear_page(self):
        s = self.session()
        form = self.form_of(s["id"], card="4242424242424242")
        self.pub.ok("POST", f"{API}/sessions/{s['id']}/cancel")
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("state"), "Checkout cancelled")
        self.assertFalse(page.has_id("pay-form"))
        before = self.snapshot()
        self.assertHtmlPage(self.post(f"/checkout/{s['id']}", form), 409)
        self.assertEqual(self.snapshot(), before)

    def test_completed_session_links_to_success_and_is_not_paid_twice(self):
        s = self.session()
        form = self.form_of(s["id"], card="4242424242424242")
        self.assertEqual(self.post(f"/checkout/{s['id']}", form).status, 303)
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("state"), "Payment complete")
        self.assertIn(f'href="https://yoursite.com/success?session_id={s["id"]}"', page.text)
        self.assertFalse(page.has_id("pay-form"))
        before = self.snapshot()
        again = self.post(f"/checkout/{s['id']}", form)
        self.assertHtmlPage(again, 409)
        self.assertEqual(again.by_id("state"), "Payment complete")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(len(self.d.ok("payments", "list")), 1)


class MerchantOnPagesTest(PagesTest):
    """merchant-name, merchant-logo-url and merchant-support-email on every page (issue 16,
    item 9), escaped, with the logo's origin and nothing more allowed for images."""

    daemon_args = ("--merchant-name", "Coffee & Co <Roasters>",
                   "--merchant-logo-url", "https://cdn.shop.example/logo.png?v=2",
                   "--merchant-support-email", "help@shop.example")

    def assertNamesTheMerchant(self, page):
        self.assertEqual(page.by_id("merchant-name"), "Coffee & Co <Roasters>")
        self.assertIn("Coffee &amp; Co &lt;Roasters&gt;", page.text)
        self.assertIn('<img id="merchant-logo" src="https://cdn.shop.example/logo.png?v=2"',
                      page.text)
        self.assertIn('href="mailto:help@shop.example"', page.text)
        self.assertIn("<title>", page.text)
        self.assertIn(" - Coffee &amp; Co &lt;Roasters&gt;</title>", page.text)
        self.assertIn("img-src data: https://cdn.shop.example;",
                      page.headers["content-security-policy"])

    def test_checkout_portal_and_message_pages_name_the_merchant(self):
        s = self.create(PAYMENT_BODY)
        page = self.get(f"/checkout/{s['id']}")
        self.assertHtmlPage(page, 200)
        self.assertNamesTheMerchant(page)
        self.assertNotIn("order_id", page.text)
        unknown = self.get("/checkout/cs_missing")
        self.assertNamesTheMerchant(unknown)
        sub = self.d.subscribe(self.d.plan()["id"], "customer@example.com")
        portal = self.get(self.portal_url(sub["id"]))
        self.assertHtmlPage(portal, 200)
        self.assertNamesTheMerchant(portal)
        self.assertNotIn("usr_", portal.text)

    def test_eventop_sessions_carry_the_merchant(self):
        plan = self.d.plan()
        made = self.pub.ok("POST", "/eventop/checkout/create", {
            "planId": plan["id"], "customerEmail": "user@example.com",
            "successUrl": "https://yourdomain.com/success"})
        got = self.pub.ok("GET", f"/eventop/checkout/{made['sessionId']}")
        self.assertEqual(got["merchant"], {"walletAddress": None,
                                           "companyName": "Coffee & Co <Roasters>",
                                           "logoUrl": "https://cdn.shop.example/logo.png?v=2"})


if __name__ == "__main__":
    unittest.main()
