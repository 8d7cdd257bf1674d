#include "daemon/pages/portal_view.h"

#include <fmt/core.h>

#include "common/money.h"
#include "daemon/pages/checkout_view.h"
#include "daemon/pages/html.h"
#include "daemon/pages/page.h"

namespace jopay::pages {

namespace {

// One sentence on where the subscription stands, as markup (it holds dates).
std::string StatusSentence(const Subscription& s) {
  using namespace sub_status;
  std::string end = DateHtml(s.current_period_end);
  if (s.status == kActive) return "Renews on " + end + ".";
  if (s.status == kTrialing) {
    return "Free trial until " + DateHtml(s.trial_end.value_or(s.current_period_end)) +
           "; the first charge is then.";
  }
  if (s.status == kPastDue) {
    return "The last payment failed. Update your card below to pay now and keep access.";
  }
  if (s.status == kCanceled) return "Canceled: access continues until " + end + ", then it ends.";
  if (s.status == kPaused) return "Paused: no charges until it is resumed.";
  if (s.status == kExpired) {
    return "Ended on " + DateHtml(s.ended_at.value_or(s.current_period_end)) + ".";
  }
  return "Waiting for its first payment.";  // incomplete
}

std::string Card(const Subscription& s) {
  if (s.card_last4.empty()) return "<p id=\"card-on-file\" class=\"muted\">No card on file.</p>";
  return Fill("<p id=\"card-on-file\">{brand} ending in <code>{last4}</code></p>",
              {{"brand", s.card_brand}, {"last4", s.card_last4}});
}

std::string History(const std::vector<Payment>& payments) {
  if (payments.empty()) return "<p id=\"payments\" class=\"muted\">No payments yet.</p>";
  std::string rows = Each(payments, [](const Payment& p) {
    return Fill(
        "<tr class=\"payment\"><td>{!date}</td><td class=\"n\">{amount}</td>"
        "<td><span class=\"status {status}\">{status}</span></td><td class=\"muted\">{why}</td></tr>",
        {{"date", DateHtml(p.created_at)},
         {"amount", FormatMoney(p.amount, p.currency)},
         {"status", p.status},
         {"why", p.failure_message ? *p.failure_message : ""}});
  });
  return Fill(
      "<table id=\"payments\"><tr><th>Date</th><th class=\"n\">Amount</th><th>Status</th>"
      "<th></th></tr>{!rows}</table>",
      {{"rows", rows}});
}

std::string Invoices(const std::vector<InvoiceLink>& invoices) {
  if (invoices.empty()) return "<p id=\"invoices\" class=\"muted\">No invoices yet.</p>";
  std::string rows = Each(invoices, [](const InvoiceLink& i) {
    return Fill(
        "<tr class=\"invoice\"><td><a href=\"{page}\">{number}</a></td><td>{!date}</td>"
        "<td class=\"n\">{amount}</td><td><span class=\"status {status}\">{status}</span></td>"
        "<td><a class=\"pdf\" href=\"{pdf}\">PDF</a></td></tr>",
        {{"page", i.page_url},
         {"number", i.number},
         {"date", DateHtml(i.date)},
         {"amount", i.amount},
         {"status", i.status},
         {"pdf", i.pdf_url}});
  });
  return Fill(
      "<table id=\"invoices\"><tr><th>Invoice</th><th>Date</th><th class=\"n\">Amount</th>"
      "<th>Status</th><th></th></tr>{!rows}</table>",
      {{"rows", rows}});
}

std::string CancelForm(const Subscription& s, const std::string& base) {
  using namespace sub_status;
  if (s.status == kCanceled || s.status == kExpired) return "";
  // Without a paid period running, cancelling ends it at once (lifecycle Cancel).
  bool ends_now = s.status == kPastDue || s.status == kPaused || s.status == kIncomplete;
  return Fill(
      "<h2>Cancel</h2><form method=\"post\" action=\"{base}/cancel\" id=\"cancel-form\">"
      "<p class=\"muted\">{explain}</p>"
      "<button type=\"submit\" class=\"secondary\" id=\"cancel\">{label}</button></form>",
      {{"base", base},
       {"explain", ends_now ? "No paid period is running: cancelling ends the subscription now."
                            : "You keep access until the end of the period you paid for."},
       {"label", ends_now ? "Cancel subscription now" : "Cancel at period end"}});
}

std::string CardForm(const Subscription& s, const PortalPageData& data) {
  if (s.status == sub_status::kExpired) return "";
  const std::string& base = data.action_base;
  std::string label = s.status == sub_status::kPastDue
                          ? "Update card and pay " + FormatMoney(s.amount, s.currency)
                          : "Update card";
  if (data.provider_checkout) {
    std::string authenticate = !data.needs_authentication ? "" : Fill(
        "<form method=\"post\" action=\"{base}/authenticate\" id=\"authenticate-form\">"
        "<p class=\"muted\">Your bank asks you to confirm the payment.</p>"
        "<button type=\"submit\" id=\"authenticate\">Confirm the payment of {amount}</button>"
        "</form>",
        {{"base", base}, {"amount", FormatMoney(s.amount, s.currency)}});
    return Fill(
        "<h2>Update card</h2>{!authenticate}"
        "<form method=\"post\" action=\"{base}/card\" id=\"card-form\">"
        "<p class=\"muted\">You enter the new card on Stripe's secure page.</p>"
        "<button type=\"submit\" id=\"update-card\">{label}</button></form>",
        {{"base", base}, {"label", label}, {"authenticate", authenticate}});
  }
  return Fill(
      "<h2>Update card</h2><form method=\"post\" action=\"{base}/card\" id=\"card-form\">"
      "<label for=\"card\">New card number</label>"
      "<input type=\"text\" id=\"card\" name=\"card\" required inputmode=\"numeric\" "
      "autocomplete=\"cc-number\" maxlength=\"23\" placeholder=\"1234 1234 1234 1234\">"
      "<button type=\"submit\" id=\"update-card\">{label}</button></form>",
      {{"base", base}, {"label", label}});
}

// The plans on offer, and the change waiting for the period end if there is one.
std::string PlanSection(const Subscription& s, const PortalPageData& data) {
  std::string pending;
  if (s.pending_update && s.pending_update->awaiting_payment) {  // its charge decides
    pending = Fill("<p id=\"pending-update\">Moves to <strong>{name}</strong> as soon as its "
                   "payment goes through.</p>",
                   {{"name", s.pending_update->plan.plan_name}});
  } else if (s.pending_update) {
    pending = Fill(
        "<form method=\"post\" action=\"{base}/plan\" id=\"pending-form\">"
        "<p id=\"pending-update\">Moves to <strong>{name}</strong> on {!at}.</p>"
        "<input type=\"hidden\" name=\"cancel_pending\" value=\"1\">"
        "<button type=\"submit\" class=\"secondary\" id=\"cancel-pending\">Keep {current}"
        "</button></form>",
        {{"base", data.action_base},
         {"name", s.pending_update->plan.plan_name},
         {"at", DateHtml(s.pending_update->at)},
         {"current", s.plan_name}});
  }
  if (data.plans.empty() && pending.empty()) return "";
  std::string choices = Each(data.plans, [&](const PlanChoice& p) {
    return Fill(
        "<form method=\"post\" action=\"{base}/plan\" class=\"plan-choice\">"
        "<input type=\"hidden\" name=\"plan\" value=\"{id}\">"
        "<p><strong>{name}</strong> {price}<br><span class=\"muted\">{effect}</span></p>"
        "<button type=\"submit\" id=\"switch-{id}\">Switch to {name}</button></form>",
        {{"base", data.action_base},
         {"id", p.id},
         {"name", p.name},
         {"price", p.price},
         {"effect", p.effect}});
  });
  return Fill("<h2>Change plan</h2><div id=\"plans\">{!pending}{!choices}</div>",
              {{"pending", pending}, {"choices", choices}});
}

std::string Banner(const char* cls, const std::string& text) {
  if (text.empty()) return "";
  return Fill("<div class=\"{cls}\" id=\"{cls}\" role=\"status\">{text}</div>",
              {{"cls", cls}, {"text", text}});
}

}  // namespace

std::string PortalPage(const Subscription& s, const std::vector<Payment>& payments,
                       const PortalPageData& data) {
  std::string body = Fill(
      "<h1>Your subscription</h1>{!notice}{!error}"
      "<h2 id=\"plan-name\">{plan}</h2>"
      "<div class=\"amount\" id=\"amount\">{price} <span class=\"muted\">{every}</span></div>"
      "<p><span class=\"status {status}\" id=\"status\" data-status=\"{status}\">{status}</span> "
      "<span id=\"status-text\">{!sentence}</span></p>"
      "<p class=\"muted\">Current period ends <span id=\"period-end\">{!period_end}</span></p>"
      "<h2>Card on file</h2>{!card}"
      "<h2>Payments</h2>{!history}<h2>Invoices</h2>{!invoices}{!plans}{!card_form}"
      "{!cancel_form}"
      "<p><a id=\"return\" href=\"{return_url}\">Return to the merchant</a></p>",
      {{"notice", Banner("notice", data.notice)},
       {"error", Banner("error", data.error)},
       {"plan", s.plan_name},
       {"price", FormatMoney(s.amount, s.currency)},
       {"every", EveryInterval(s.interval, s.interval_count)},
       {"status", s.status},
       {"sentence", StatusSentence(s)},
       {"period_end", DateHtml(s.current_period_end)},
       {"card", Card(s)},
       {"history", History(payments)},
       {"invoices", Invoices(data.invoices)},
       {"plans", PlanSection(s, data)},
       {"card_form", CardForm(s, data)},
       {"cancel_form", CancelForm(s, data.action_base)},
       {"return_url", data.return_url}});
  return Layout("Your subscription", !s.livemode, body);
}

}  // namespace jopay::pages
