"""The customer portal over HTTP: what it shows, cancel at period end, card updates (a
declined card, a past_due subscription paid at once by a new card), expired and forged
links, escaping, and that refused posts change nothing."""
import html
import re
import unittest
import urllib.request

from checkout_client import API
from pages_client import PagesTest

GOOD = "4242424242424242"
RETURN_URL = "https://shop.example/account?tab=billing&x=1"


class PortalPageTest(PagesTest):
    def setUp(self):
        super().setUp()
        self.plan = self.d.plan()  # Pro Monthly, 14.99 EUR, from 2025-01-10T12:30:00Z
        self.sub = self.d.subscribe(self.plan["id"], "customer@example.com")
        self.path = self.portal_url(self.sub["id"])

    def sub_now(self, sub_id=None):
        return self.pub.ok("GET", f"{API}/subscriptions/{sub_id or self.sub['id']}")

    def follow(self, page):
        """GETs the portal page a 303 points to."""
        self.assertHtmlPage(page, 303)
        self.assertTrue(page.location.startswith(self.path + "?"), page)
        return self.get(page.location)

    # -- what the page shows -------------------------------------------------------------
    def test_portal_shows_plan_status_period_card_history_forms_and_return_link(self):
        page = self.get(self.path)
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("plan-name"), "Pro Monthly")
        self.assertEqual(page.by_id("status"), "active")
        self.assertIn("Renews on 2025-02-10", page.by_id("status-text"))
        self.assertEqual(page.by_id("period-end"), "2025-02-10")
        self.assertIn("14.99 EUR", page.by_id("amount"))
        self.assertIn("every month", page.by_id("amount"))
        self.assertEqual(page.by_id("card-on-file"), "visa ending in 4242")
        history = page.by_id("payments")
        self.assertIn("2025-01-10", history)
        self.assertIn("14.99 EUR", history)
        self.assertIn("paid", history)
        token = self.path.rsplit("/", 1)[1]
        self.assertIn(f'action="{token}/cancel"', page.text)  # relative to /portal/{token}
        self.assertIn(f'action="{token}/card"', page.text)
        self.assertEqual(page.by_id("cancel"), "Cancel at period end")
        self.assertIn('id="return" href="https://shop.example/account?tab=billing&amp;x=1"',
                      page.text)
        self.assertTrue(page.has_id("test-mode"))

    def test_portal_lists_the_invoices_with_their_page_and_pdf(self):
        self.d.advance("1mo")  # a second invoice
        self.path = self.portal_url(self.sub["id"])  # a new link: an hour on the billing clock
        page = self.get(self.path)
        self.assertHtmlPage(page, 200)
        invoices = page.by_id("invoices")
        self.assertIn("JP-TEST-000002", invoices)
        self.assertIn("JP-TEST-000001", invoices)
        self.assertLess(invoices.index("JP-TEST-000002"), invoices.index("JP-TEST-000001"))
        self.assertIn("14.99 EUR", invoices)
        links = re.findall(r'href="([^"]*/invoice/in_[^"]*)"', page.text)
        self.assertEqual(len(links), 4)  # the page and the PDF of each
        pdfs = [html.unescape(u) for u in links if "/pdf?" in u]
        self.assertEqual(len(pdfs), 2)
        with urllib.request.urlopen(pdfs[0], timeout=10) as r:
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            self.assertTrue(r.read().startswith(b"%PDF-"))

    def test_cancel_at_period_end_then_the_page_shows_it_without_the_form(self):
        page = self.post(self.path + "/cancel")
        token = self.path.rsplit("/", 1)[1]
        self.assertEqual(page.raw_location, f"../{token}?done=canceled")  # works under a prefix
        self.assertEqual(page.location, self.path + "?done=canceled")
        after = self.follow(page)
        self.assertHtmlPage(after, 200)
        self.assertIn("will not renew", after.by_id("notice"))
        self.assertEqual(after.by_id("status"), "canceled")
        self.assertIn("access continues until 2025-02-10", after.by_id("status-text"))
        self.assertFalse(after.has_id("cancel-form"))
        self.assertTrue(after.has_id("card-form"))
        sub = self.sub_now()
        self.assertEqual((sub["status"], sub["cancel_at_period_end"]), ("canceled", True))
        before = self.snapshot()
        again = self.post(self.path + "/cancel")
        self.assertEqual(again.location, self.path + "?error=already_canceled")
        self.assertIn("already canceled", self.follow(again).by_id("error"))
        self.assertEqual(self.snapshot(), before)
        self.d.advance("32d")
        ended = self.get(self.portal_url(self.sub["id"]))
        self.assertEqual(ended.by_id("status"), "expired")
        self.assertFalse(ended.has_id("cancel-form"))
        self.assertFalse(ended.has_id("card-form"))

    def test_expired_subscription_shows_its_state_without_forms(self):
        self.pub.ok("POST", f"{API}/subscriptions/{self.sub['id']}/cancel", {"immediate": True})
        page = self.get(self.path)
        self.assertHtmlPage(page, 200)
        self.assertEqual(page.by_id("status"), "expired")
        self.assertIn("Ended on 2025-01-10", page.by_id("status-text"))
        self.assertFalse(page.has_id("cancel-form"))
        self.assertFalse(page.has_id("card-form"))
        before = self.snapshot()
        self.assertEqual(self.post(self.path + "/cancel").location,
                         self.path + "?error=subscription_expired")
        self.assertEqual(self.post(self.path + "/card", {"card": GOOD}).location,
                         self.path + "?error=subscription_expired")
        self.assertEqual(self.snapshot(), before)

    # -- cards ---------------------------------------------------------------------------
    def test_update_card_replaces_the_card_on_file(self):
        page = self.post(self.path + "/card", {"card": "5555 5555 5555 4444"})
        self.assertEqual(page.location, self.path + "?done=card_updated")
        after = self.follow(page)
        self.assertEqual(after.by_id("notice"), "Your card was updated.")
        self.assertEqual(after.by_id("card-on-file"), "mastercard ending in 4444")
        self.assertEqual(self.sub_now()["status"], "active")

    def test_declined_or_bad_cards_show_the_reason_and_change_nothing(self):
        before = self.snapshot()
        for card, flag, text in (("4000000000000002", "card_declined", "declined"),
                                 ("4000000000009995", "insufficient_funds", "insufficient funds"),
                                 ("4000000000000069", "expired_card", "expired"),
                                 ("1234", "incorrect_number", "not a valid card number"),
                                 ("", "card_missing", "Enter a card number")):
            page = self.post(self.path + "/card", {"card": card})
            self.assertEqual(page.location, f"{self.path}?error={flag}", card)
            self.assertIn(text, self.follow(page).by_id("error"))
        self.assertEqual(self.post(self.path + "/card").location, self.path + "?error=card_missing")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.get(self.path).by_id("card-on-file"), "visa ending in 4242")

    def test_past_due_is_paid_at_once_by_a_new_card(self):
        failing = self.d.subscribe(self.plan["id"], "late@example.com", "4000000000000341",
                                   "--trial-days", "3")
        self.d.advance("3d1h")  # the trial ends, the first charge fails (retry due in a day)
        path = self.portal_url(failing["id"])  # links live an hour: made after the clock moved
        self.assertEqual(self.sub_now(failing["id"])["status"], "past_due")
        self.assertEqual([p["status"] for p in self.d.payments(failing["id"])], ["failed"])
        page = self.get(path)
        self.assertEqual(page.by_id("status"), "past_due")
        self.assertIn("last payment failed", page.by_id("status-text"))
        self.assertIn("failed", page.by_id("payments"))
        self.assertIn("Your card was declined.", page.by_id("payments"))
        self.assertEqual(page.by_id("update-card"), "Update card and pay 14.99 EUR")
        self.assertEqual(page.by_id("cancel"), "Cancel subscription now")

        before = self.snapshot()
        declined = self.post(path + "/card", {"card": "4000000000000002"})
        self.assertEqual(declined.location, path + "?error=card_declined")
        self.assertEqual(self.snapshot(), before)

        still_failing = self.post(path + "/card", {"card": "4000000000000341"})
        self.assertEqual(still_failing.location, path + "?error=retry_failed")
        self.assertEqual(self.sub_now(failing["id"])["status"], "past_due")
        self.assertEqual([p["status"] for p in self.d.payments(failing["id"])],
                         ["failed", "failed"])  # the new card's retry, at once

        paid = self.post(path + "/card", {"card": GOOD})
        self.assertEqual(paid.location, path + "?done=paid")
        after = self.get(paid.location)
        self.assertIn("overdue payment went through", after.by_id("notice"))
        self.assertEqual(after.by_id("status"), "active")
        self.assertEqual(after.by_id("card-on-file"), "visa ending in 4242")
        statuses = [p["status"] for p in self.d.payments(failing["id"])]
        self.assertEqual(statuses, ["failed", "failed", "paid"])
        self.assertEqual(self.sub_now(failing["id"])["status"], "active")

    # -- links ---------------------------------------------------------------------------
    def test_expired_link_is_a_401_page_and_changes_nothing(self):
        self.d.advance("61m")
        page = self.get(self.path)
        self.assertHtmlPage(page, 401)
        self.assertIn("This link has expired", page.text)
        before = self.snapshot()
        self.assertHtmlPage(self.post(self.path + "/cancel"), 401)
        self.assertHtmlPage(self.post(self.path + "/card", {"card": GOOD}), 401)
        self.assertEqual(self.snapshot(), before)

    def test_forged_links_are_a_403_page_and_change_nothing(self):
        token = self.path.rsplit("/", 1)[1]
        payload, mac = token.split(".")
        other = self.portal_url(self.d.subscribe(self.plan["id"], "b@example.com")["id"])
        spliced = other.rsplit("/", 1)[1].split(".")[0] + "." + mac
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
        before = self.snapshot()
        for bad in ("garbage", "a.b", spliced, flipped, token + "x"):
            page = self.get("/portal/" + bad)
            self.assertHtmlPage(page, 403)
            self.assertIn("This link is not valid", page.text)
            self.assertHtmlPage(self.post(f"/portal/{bad}/cancel"), 403)
            self.assertHtmlPage(self.post(f"/portal/{bad}/card", {"card": GOOD}), 403)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.sub_now()["status"], "active")

    def test_bad_bodies_are_refused_and_change_nothing(self):
        before = self.snapshot()
        page = self.request("POST", self.path + "/card", raw='{"card": "4242424242424242"}',
                            content_type="application/json")
        self.assertHtmlPage(page, 400)
        page = self.request("POST", self.path + "/cancel", raw="x=%zz")
        self.assertHtmlPage(page, 400)
        self.assertEqual(self.snapshot(), before)

    # -- escaping ------------------------------------------------------------------------
    def test_merchant_strings_and_query_flags_are_never_raw(self):
        plan = self.d.plan(name='<script>alert("p")</script>\'', amount=500, currency="jpy")
        sub = self.d.subscribe(plan["id"], "x@example.com")
        path = self.portal_url(sub["id"], "https://shop.example/back?a=1&b='2'")
        page = self.get(path)
        self.assertHtmlPage(page, 200)
        self.assertIn("&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt;&#39;", page.text)
        self.assertNotIn("<script", page.text)
        self.assertIn('href="https://shop.example/back?a=1&amp;b=&#39;2&#39;"', page.text)
        self.assertIn("500 JPY", page.by_id("amount"))
        for query in ("?done=%3Cscript%3Ex%3C/script%3E", "?error=%3Cscript%3E", "?done=unknown"):
            odd = self.get(path + query)
            self.assertHtmlPage(odd, 200)
            self.assertFalse(odd.has_id("notice"))
            self.assertFalse(odd.has_id("error"))
            self.assertNotIn("unknown", odd.text)


if __name__ == "__main__":
    unittest.main()
