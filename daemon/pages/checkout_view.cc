#include "daemon/pages/checkout_view.h"

#include <boost/json.hpp>
#include <fmt/core.h>

#include "common/money.h"
#include "daemon/pages/html.h"
#include "daemon/pages/page.h"

namespace jopay::pages {

namespace {

struct TestCard {
  std::string_view number;
  std::string_view behaviour;
};
// The sandbox provider's cards (daemon/providers/sandbox.cc).
constexpr TestCard kTestCards[] = {
    {"4242424242424242", "succeeds"},
    {"4000000000000002", "is declined (card_declined)"},
    {"4000000000009995", "is declined (insufficient_funds)"},
    {"4000000000000069", "is declined (expired_card)"},
    {"4000000000000341", "is accepted, later renewals fail"},
};

int TrialDays(const Session& s) {
  if (s.trial_days) return *s.trial_days;
  return s.plan ? s.plan->trial_days : 0;
}

std::string LineItemsTable(const Session& s) {
  std::string rows = Each(s.line_items, [](const LineItem& item) {
    return Fill(
        "<tr class=\"item\"><td>{name}<div class=\"muted\">{qty} &times; {unit}</div></td>"
        "<td class=\"n\">{total}</td></tr>",
        {{"name", item.name},
         {"qty", std::to_string(item.quantity)},
         {"unit", FormatMoney(item.amount, item.currency)},
         {"total", FormatMoney(item.amount * item.quantity, item.currency)}});
  });
  return Fill(
      "<table id=\"items\">{!rows}<tr class=\"total\"><td>Total</td><td class=\"n\">{total}</td>"
      "</tr></table>",
      {{"rows", rows}, {"total", FormatMoney(s.amount, s.currency)}});
}

std::string PlanSummary(const Session& s) {
  const SessionPlan& p = *s.plan;
  std::string price = FormatMoney(p.amount, p.currency);
  std::string every = EveryInterval(p.interval, p.interval_count);
  int trial = TrialDays(s);
  std::string terms = trial > 0 ? fmt::format("{}-day free trial, then {} {}", trial, price, every)
                                : fmt::format("{} {}", price, every);
  return Fill(
      "<div id=\"plan\"><div class=\"muted\">Subscribe to</div><h2 id=\"plan-name\">{name}</h2>"
      "<div class=\"amount\" id=\"amount\">{price}</div><div id=\"terms\">{terms}</div>"
      "<div class=\"muted\" id=\"due-today\">Due today: {today}</div></div>",
      {{"name", p.name},
       {"price", price},
       {"terms", terms},
       {"today", FormatMoney(trial > 0 ? 0 : p.amount, p.currency)}});
}

std::string PaymentSummary(const Session& s) {
  return Fill("<div class=\"muted\">Pay</div><div class=\"amount\" id=\"amount\">{amount}</div>{!items}",
              {{"amount", FormatMoney(s.amount, s.currency)}, {"items", LineItemsTable(s)}});
}

// "Cancel and return to the merchant", unless there is no merchant page to return to.
std::string CancelLink(const Session& s) {
  if (s.IsOwnPage(s.cancel_url)) return "";
  return Fill("<p class=\"muted\"><a id=\"cancel\" href=\"{u}\">Cancel and return to the "
              "merchant</a></p>",
              {{"u", s.cancel_url}});
}

std::string EmailField(const Session& s, const CheckoutForm& form) {
  if (s.customer_email) {
    return Fill("<label>Email</label><div id=\"email\">{email}</div>",
                {{"email", *s.customer_email}});
  }
  return Fill(
      "<label for=\"email\">Email</label><input type=\"email\" id=\"email\" name=\"email\" "
      "required maxlength=\"254\" autocomplete=\"email\" value=\"{email}\">",
      {{"email", form.email}});
}

std::string TestCardsBox() {
  std::string items = Each(kTestCards, [](const TestCard& c) {
    return Fill("<li><code>{n}</code> {b}</li>", {{"n", c.number}, {"b", c.behaviour}});
  });
  return Fill("<div class=\"testcards\" id=\"test-cards\">Sandbox test cards:<ul>{!items}</ul></div>",
              {{"items", items}});
}

std::string PayLabel(const Session& s) {
  if (!s.subscription_mode()) return "Pay " + FormatMoney(s.amount, s.currency);
  return TrialDays(s) > 0 ? "Start free trial" : "Subscribe for " + FormatMoney(s.amount, s.currency);
}

std::string PayPalButton(const Session& s, const CheckoutForm& form) {
  if (!form.paypal) return "";
  return Fill("<form method=\"post\" action=\"{id}/paypal\" id=\"paypal-form\">"
              "<input type=\"hidden\" name=\"token\" value=\"{token}\">"
              "<button type=\"submit\" id=\"pay-paypal\">Pay with PayPal</button></form>",
              {{"id", s.id}, {"token", form.token}});
}

std::string PushChoices(const Session& s, const CheckoutForm& form) {
  std::string forms = Each(form.push_rails, [&](const std::string& rail) {
    std::string email =
        s.customer_email ? std::string()
                         : Fill("<label for=\"email-{r}\">Email</label><input type=\"email\" "
                                "id=\"email-{r}\" name=\"email\" required maxlength=\"254\" "
                                "autocomplete=\"email\" value=\"{e}\">",
                                {{"r", rail}, {"e", form.email}});
    return Fill("<form method=\"post\" action=\"{id}/push\" id=\"push-{r}\">"
                "<input type=\"hidden\" name=\"token\" value=\"{token}\">"
                "<input type=\"hidden\" name=\"rail\" value=\"{r}\">{!email}"
                "<button type=\"submit\" id=\"pay-{r}\">Pay with {name}</button></form>",
                {{"id", s.id},
                 {"token", form.token},
                 {"r", rail},
                 {"email", email},
                 {"name", rail == "onchain" ? "Bitcoin (on-chain)" : "Lightning"}});
  });
  if (forms.empty()) return "";
  return Fill("<div id=\"other-methods\"><p class=\"muted\">{or}</p>{!f}</div>",
              {{"or", form.cards ? "Or pay with bitcoin:" : "Pay with bitcoin:"}, {"f", forms}});
}

std::string CardForm(const Session& s, const CheckoutForm& form) {
  return Fill(
      "<form method=\"post\" id=\"pay-form\" autocomplete=\"on\">"  // posts to its own URL
      "<input type=\"hidden\" name=\"token\" value=\"{token}\">{!email}"
      "<label for=\"name\">Name on card (optional)</label>"
      "<input type=\"text\" id=\"name\" name=\"name\" maxlength=\"200\" autocomplete=\"cc-name\" "
      "value=\"{name}\">"
      "<label for=\"card\">Card number</label>"
      "<input type=\"text\" id=\"card\" name=\"card\" required inputmode=\"numeric\" "
      "autocomplete=\"cc-number\" maxlength=\"23\" placeholder=\"1234 1234 1234 1234\">"
      "<button type=\"submit\" id=\"pay\">{label}</button></form>{!testcards}",
      {{"token", form.token},
       {"email", EmailField(s, form)},
       {"name", form.name},
       {"label", PayLabel(s)},
       {"testcards", s.livemode ? "" : TestCardsBox()}});
}

std::string StripeButton(const Session& s, const CheckoutForm& form) {
  return Fill(
      // Relative: /checkout/{id}/stripe, also under a path prefix.
      "<form method=\"post\" id=\"pay-form\" action=\"{id}/stripe\">"
      "<input type=\"hidden\" name=\"token\" value=\"{token}\">"
      "<p class=\"muted\">You enter your card on Stripe's secure page; this site never sees "
      "it.</p>"
      "<button type=\"submit\" id=\"pay\">{label}</button></form>",
      {{"id", s.id}, {"token", form.token}, {"label", PayLabel(s)}});
}

}  // namespace

std::string EveryInterval(Interval interval, int count) {
  std::string unit(IntervalName(interval));
  if (count == 1) return "every " + unit;
  return fmt::format("every {} {}s", count, unit);
}

std::string CheckoutPage(const Session& s, const CheckoutForm& form) {
  std::string error = form.error.empty()
                          ? std::string()
                          : Fill("<div class=\"error\" id=\"error\" role=\"alert\">{e}</div>",
                                 {{"e", form.error}});
  std::string body = Fill(
      "<h1>Checkout</h1>{!error}{!summary}{!cards}{!paypal}{!push}{!cancel}",
      {{"error", error},
       {"summary", s.subscription_mode() ? PlanSummary(s) : PaymentSummary(s)},
       {"cards", form.cards ? CardForm(s, form) : ""},
       {"paypal", PayPalButton(s, form)},
       {"push", PushChoices(s, form)},
       {"cancel", CancelLink(s)}});
  return Layout("Checkout", !s.livemode, body);
}

std::string ProviderCheckoutPage(const Session& s, const CheckoutForm& form) {
  std::string error = form.error.empty()
                          ? std::string()
                          : Fill("<div class=\"error\" id=\"error\" role=\"alert\">{e}</div>",
                                 {{"e", form.error}});
  std::string body = Fill(
      "<h1>Checkout</h1>{!error}{!summary}{!cards}{!paypal}{!push}{!cancel}",
      {{"error", error},
       {"summary", s.subscription_mode() ? PlanSummary(s) : PaymentSummary(s)},
       {"cards", form.cards ? StripeButton(s, form) : ""},
       {"paypal", PayPalButton(s, form)},
       {"push", PushChoices(s, form)},
       {"cancel", CancelLink(s)}});
  return Layout("Checkout", !s.livemode, body);
}

std::string SessionStatePage(const Session& s, std::string_view success_link) {
  std::string title, message, link;
  if (s.status == session_status::kCompleted) {
    title = "Payment complete";
    message = s.subscription_mode() ? "Thank you: your subscription is active." : "Thank you: your payment went through.";
    if (!s.IsOwnPage(s.success_url)) {
      link = Fill("<p><a id=\"continue\" href=\"{u}\">Continue to the merchant</a></p>",
                  {{"u", success_link}});
    }
  } else {
    if (s.status == session_status::kCancelled) {
      title = "Checkout cancelled";
      message = "This checkout was cancelled by the merchant; nothing was charged.";
    } else {  // expired, or pending past expires_at
      title = "Checkout expired";
      message = "This checkout link has expired; nothing was charged. Start again from the "
                "merchant's site.";
    }
    if (!s.IsOwnPage(s.cancel_url)) {
      link = Fill("<p><a id=\"continue\" href=\"{u}\">Return to the merchant</a></p>",
                  {{"u", s.cancel_url}});
    }
  }
  std::string body = Fill(
      "<h1 id=\"state\" data-status=\"{status}\">{title}</h1><p id=\"message\">{message}</p>"
      "<div class=\"muted\">{amount}</div>{!link}",
      {{"status", s.status == session_status::kPending ? "expired" : s.status},
       {"title", title},
       {"message", message},
       {"amount", FormatMoney(s.amount, s.currency)},
       {"link", link}});
  return Layout(title, !s.livemode, body);
}

}  // namespace jopay::pages
