"""The hosted checkout through Stripe Checkout (test mode with Stripe keys): the page never asks
for a card, Stripe's page takes it, jopayd reads back what Stripe settled, and the session
completes exactly once whether the customer's return or Stripe's callback comes first."""
import json
import unittest

from stripe_harness import StripeTest

PLAN = {"name": "Pro Monthly", "amount": 1499, "currency": "eur", "interval": "month"}


class StripeCheckoutTest(StripeTest):
    def subscription_session(self, **extra):
        body = {"mode": "subscription", "plan": PLAN, "customer_email": "ada@example.com",
                "success_url": "https://shop.example.com/done",
                "cancel_url": "https://shop.example.com/cart", **extra}
        return self.pub.ok("POST", "/api/checkout/v1/sessions", body)

    def test_first_payment_through_stripe_completes_once_and_saves_the_card(self):
        session = self.subscription_session()
        status, location, cs = self.pay_on_stripe(session["id"])
        self.assertEqual(status, 303)
        self.assertEqual(location, f"https://shop.example.com/done?session_id={session['id']}")
        got = self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")
        self.assertEqual(got["status"], "completed")
        sub = self.d.ok("subscriptions", "get", got["subscription_id"])
        self.assertEqual((sub["status"], sub["payment_method"]["brand"], sub["payment_method"]["last4"]),
                         ("active", "visa", "4242"))
        [pay] = self.d.payments(sub["id"])
        self.assertEqual((pay["status"], pay["amount"], pay["provider"]), ("paid", 1499, "stripe"))
        self.assertTrue(pay["provider_ref"].startswith("pi_"), pay)
        # Stripe's own callback for the same checkout arrives too and changes nothing.
        self.wait(lambda: any(d["type"] == "checkout.session.completed" and d["status"] == 200
                              for d in self.callbacks()), "the checkout.session.completed callback")
        self.wait(lambda: self.d.ok("status")["subscriptions"]["active"] == 1, "one subscription")
        self.assertEqual(len(self.d.ok("subscriptions", "list")), 1)
        self.assertEqual(len(self.d.ok("payments", "list")), 1)
        completed = [e for e in self.d.events() if e["type"] == "checkout.session.completed"]
        self.assertEqual(len(completed), 1)
        # Exactly one charge at Stripe: the first period, paid on its page.
        self.assertEqual(self.stripe.stats()["charges_succeeded"], 1)

    def test_the_callback_alone_completes_a_session_whose_customer_never_came_back(self):
        session = self.subscription_session()
        status, page, _ = self.get(f"/checkout/{session['id']}")
        import re
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        _, _, headers = self.post_form(f"/checkout/{session['id']}/stripe", {"token": token})
        cs = headers["location"].rsplit("/", 1)[1]
        self.stripe.complete_checkout(cs)  # the customer closes the tab before the redirect
        self.wait(lambda: self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["status"]
                  == "completed", "the callback to complete the session")
        # The late return finds it completed and sends the customer on all the same.
        status, _, headers = self.get(f"/checkout/{session['id']}/return?stripe_session={cs}")
        self.assertEqual(status, 303)
        self.assertEqual(len(self.d.ok("subscriptions", "list")), 1)

    def test_a_trial_saves_the_card_through_a_setup_and_charges_nothing_now(self):
        session = self.subscription_session(trial_period_days=7)
        status, location, cs = self.pay_on_stripe(session["id"])
        self.assertEqual(status, 303, location)
        sub_id = self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["subscription_id"]
        sub = self.d.ok("subscriptions", "get", sub_id)
        self.assertEqual(sub["status"], "trialing")
        self.assertEqual(self.d.payments(sub_id), [])
        self.assertEqual(self.stripe.stats()["charges_succeeded"], 0)
        # At the trial's end the first period is charged off-session through Stripe.
        self.d.advance("7d")
        self.settled()
        [pay] = self.d.payments(sub_id)
        self.assertEqual((pay["status"], pay["provider"]), ("paid", "stripe"))
        self.assertEqual(self.d.ok("subscriptions", "get", sub_id)["status"], "active")

    def test_a_one_time_payment_through_stripe(self):
        body = {"line_items": [{"name": "Beans", "amount": 2500, "currency": "eur", "quantity": 1}],
                "customer_email": "bob@example.com", "success_url": "https://shop.example.com/ok",
                "cancel_url": "https://shop.example.com/cart"}
        session = self.pub.ok("POST", "/api/checkout/v1/sessions", body)
        status, location, _ = self.pay_on_stripe(session["id"])
        self.assertEqual(status, 303)
        got = self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")
        self.assertEqual(got["status"], "completed")
        pay = self.d.ok("payments", "get", got["payment_id"])
        self.assertEqual((pay["status"], pay["amount"], pay["provider"]), ("paid", 2500, "stripe"))

    def test_a_declined_card_on_stripes_page_completes_nothing(self):
        session = self.subscription_session()
        status, location, cs = self.pay_on_stripe(session["id"], card="4000000000000002")
        self.assertIsNone(status)  # Stripe's page refused the card: no redirect back
        self.assertEqual(self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["status"],
                         "pending")
        # A return forged by the customer (Stripe's session is still open) completes nothing.
        status, page, _ = self.get(f"/checkout/{session['id']}/return?stripe_session={cs}")
        self.assertEqual(status, 409, page)
        self.assertEqual(self.d.ok("subscriptions", "list"), [])

    def test_a_return_naming_another_sessions_stripe_checkout_is_refused(self):
        first, second = self.subscription_session(), self.subscription_session()
        _, _, cs = self.pay_on_stripe(first["id"])
        status, page, _ = self.get(f"/checkout/{second['id']}/return?stripe_session={cs}")
        self.assertEqual(status, 400, page)
        self.assertEqual(self.pub.ok("GET", f"/api/checkout/v1/sessions/{second['id']}")["status"],
                         "pending")

    def test_a_post_without_the_pages_token_sends_nobody_to_stripe(self):
        session = self.subscription_session()
        before = self.stripe.stats()["requests_by_endpoint"]
        for form in ({}, {"token": "forged"}, {"token": ""}):
            status, page, _ = self.post_form(f"/checkout/{session['id']}/stripe", form)
            self.assertEqual(status, 403, page)
        status, _, _ = self.post_form("/checkout/cs_missing/stripe", {"token": "x"})
        self.assertEqual(status, 404)
        self.assertEqual(self.stripe.stats()["requests_by_endpoint"], before)
        self.assertEqual(self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["status"],
                         "pending")
        status, page, _ = self.get(f"/checkout/{session['id']}/return")  # no stripe_session
        self.assertEqual(status, 400, page)

    def test_secrets_never_reach_status_or_the_log(self):
        from stripe_harness import SECRET_KEY, WEBHOOK_SECRET
        self.pay_on_stripe(self.subscription_session()["id"])
        status = json.dumps(self.d.ok("status"))
        for secret in (SECRET_KEY, WEBHOOK_SECRET):
            self.assertNotIn(secret, status)
            self.assertNotIn(secret, self.d.log())

    def test_a_key_of_the_wrong_mode_stops_jopayd_without_echoing_it(self):
        from harness import Daemon
        bad = Daemon(clock="manual", env={"JOPAY_STRIPE_TEST_SECRET_KEY": "sk_live_oops123456"})
        self.addCleanup(bad.cleanup)
        bad.start(wait=False)
        self.assertEqual(bad.proc.wait(timeout=15), 2)
        self.assertIn("stripe-test-secret-key must be a test key", bad.log())
        self.assertNotIn("sk_live_oops123456", bad.log())

    def test_card_numbers_are_refused_when_stripe_takes_the_cards(self):
        plan = self.d.plan()
        r = self.d.ctl("subscriptions", "create", "--plan", plan["id"], "--email", "c@example.com",
                       "--card", "4242424242424242")
        self.assertEqual(r.rc, 5, r)
        self.assertIn("Stripe Checkout", r.err)
        self.assertEqual(self.d.ok("subscriptions", "list"), [])
        status = self.d.ok("status")
        self.assertEqual(status["card_providers"], {"test": "stripe", "live": None})


if __name__ == "__main__":
    unittest.main()
