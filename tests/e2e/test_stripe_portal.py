"""The customer portal with Stripe: a declined renewal is paid by a new card saved on Stripe's
page, and a charge the bank wants authenticated is confirmed by the customer on-session. In
both cases the period is paid once."""
import re
import unittest
from urllib.parse import urlsplit

from stripe_harness import StripeTest


class StripePortalTest(StripeTest):
    def subscribe(self, card, trial_days):
        plan = self.d.plan(name="Pro", amount=1499)
        session = self.pub.ok("POST", "/api/checkout/v1/sessions", {
            "mode": "subscription", "plan": plan["id"], "customer_email": "kim@example.com",
            "trial_period_days": trial_days, "success_url": "https://shop.example.com/done",
            "cancel_url": "https://shop.example.com/cart"})
        status, _, _ = self.pay_on_stripe(session["id"], card=card)
        self.assertEqual(status, 303)
        return self.pub.ok("GET", f"/api/checkout/v1/sessions/{session['id']}")["subscription_id"]

    def portal_path(self, sub):
        url = self.pub.ok("GET", f"/api/checkout/v1/subscriptions/{sub}/portal"
                                 "?return_url=https://shop.example.com/account")["portal_url"]
        return urlsplit(url).path

    def test_a_declined_renewal_is_paid_by_a_card_updated_on_stripes_page(self):
        sub = self.subscribe("4000000000000341", 7)  # saved fine, every charge declined
        self.d.advance("7d")
        self.settled()
        self.assertEqual(self.d.ok("subscriptions", "get", sub)["status"], "past_due")
        portal = self.portal_path(sub)
        status, page, _ = self.get(portal)
        self.assertEqual(status, 200)
        self.assertIn('id="update-card"', page)
        self.assertNotIn('name="card"', page, "the portal must not ask for the card number")
        status, body, headers = self.post_form(portal + "/card", {})
        self.assertEqual(status, 303, body)
        cs = headers["location"].rsplit("/", 1)[1]
        done = self.stripe.complete_checkout(cs, card="4242424242424242")
        status, _, headers = self.get(done["redirect"])
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].endswith("?done=card_updated_paying"), headers)
        self.settled()
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["payment_method"]["last4"]), ("active", "4242"))
        self.assertEqual([(p["status"], p["attempt"]) for p in self.d.payments(sub)],
                         [("failed", 1), ("paid", 2)])
        paid = {k: v for k, v in self.stripe.stats()["succeeded_by_period"].items()
                if k.startswith(sub)}
        self.assertEqual(list(paid.values()), [1])

    def test_a_charge_the_bank_wants_authenticated_is_confirmed_by_the_customer(self):
        sub = self.subscribe("4000002760003184", 3)
        self.d.advance("3d")
        self.settled()
        [failed] = self.d.payments(sub)
        self.assertEqual(failed["failure_code"], "authentication_required")
        portal = self.portal_path(sub)
        status, page, _ = self.get(portal)
        self.assertIn('id="authenticate"', page)
        status, body, headers = self.post_form(portal + "/authenticate", {})
        self.assertEqual(status, 303, body)
        self.assertIn("/authenticate/pi_", headers["location"])
        back = self.stripe.authenticate(failed["provider_ref"])
        status, _, headers = self.get(back["redirect"])
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].endswith("?done=paid"), headers)
        got = self.d.ok("subscriptions", "get", sub)
        self.assertEqual((got["status"], got["next_action"]), ("active", "renew"))
        [pay] = self.d.payments(sub)
        self.assertEqual(pay["status"], "paid")
        renewed = [e for e in self.d.events(sub) if e["type"] == "subscription.renewed"]
        self.assertEqual(len(renewed), 1)
        # Stripe's payment_intent.succeeded callback for the same charge changes nothing more.
        self.wait(lambda: any(d["type"] == "payment_intent.succeeded" and d["status"] == 200
                              for d in self.callbacks()), "the callback")
        import time
        time.sleep(0.5)
        self.assertEqual(len([e for e in self.d.events(sub) if e["type"] == "subscription.renewed"]), 1)

    def test_authenticate_with_nothing_waiting_changes_nothing(self):
        sub = self.subscribe("4242424242424242", 3)
        portal = self.portal_path(sub)
        before = self.d.ok("subscriptions", "get", sub)
        status, _, headers = self.post_form(portal + "/authenticate", {})
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].endswith("?error=nothing_to_authenticate"), headers)
        status, _, headers = self.get(portal + "/authenticated?payment_intent=pi_forged")
        self.assertTrue(headers["location"].endswith("?error=authentication_failed"), headers)
        self.assertEqual(self.d.ok("subscriptions", "get", sub), before)

    def test_a_forged_card_return_changes_nothing(self):
        sub = self.subscribe("4242424242424242", 3)
        portal = self.portal_path(sub)
        before = self.d.ok("subscriptions", "get", sub)
        status, _, headers = self.get(portal + "/card/return?stripe_session=cs_test_forged")
        self.assertEqual(status, 303)
        self.assertTrue(headers["location"].endswith("?error=failed"))
        self.assertEqual(self.d.ok("subscriptions", "get", sub), before)


if __name__ == "__main__":
    unittest.main()
