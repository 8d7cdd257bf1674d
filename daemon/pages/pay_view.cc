#include "daemon/pages/pay_view.h"

#include "daemon/pages/html.h"
#include "daemon/pages/page.h"

namespace jopay::pages {

namespace {

std::string RailName(const std::string& rail) {
  return rail == "onchain" ? "Bitcoin (on-chain)" : "Lightning";
}

std::string PaidBody(const PayPageData& d) {
  std::string link = d.continue_url.empty()
                         ? std::string()
                         : Fill("<p><a id=\"continue\" href=\"{u}\">Continue</a></p>",
                                {{"u", d.continue_url}});
  return Fill("<h1 id=\"state\" data-status=\"paid\">Paid</h1><p id=\"message\">Thank you: "
              "{what} is paid.</p><div class=\"muted\">{amount}</div>{!link}",
              {{"what", d.what}, {"amount", d.amount}, {"link", link}});
}

std::string Destination(const PayPageData& d) {
  const std::string& text = d.invoice.empty() ? d.address : d.invoice;
  std::string label = d.invoice.empty() ? "Bitcoin address" : "Lightning invoice";
  return Fill("<div id=\"qr\">{!qr}</div><label for=\"destination\">{label}</label>"
              "<textarea id=\"destination\" readonly rows=\"4\">{text}</textarea>"
              "<p><a id=\"wallet\" href=\"{uri}\">Open in your wallet</a></p>",
              {{"qr", d.qr_svg.value_or("")}, {"label", label}, {"text", text}, {"uri", d.uri}});
}

std::string TestPayForm(const PayPageData& d) {
  if (d.test_pay_token.empty()) return "";
  return Fill("<form method=\"post\" action=\"{id}/test-pay\" id=\"test-pay-form\">"
              "<input type=\"hidden\" name=\"token\" value=\"{token}\">"
              "<div class=\"testcards\">Sandbox: nothing on any network pays this. "
              "<button type=\"submit\" id=\"test-pay\">Simulate the payment</button></div>"
              "</form>",
              {{"id", d.payment_id}, {"token", d.test_pay_token}});
}

}  // namespace

std::string PayPage(const PayPageData& d) {
  if (d.status == "paid") return Layout("Paid", d.test_mode, PaidBody(d));
  if (d.status != "pending") {
    return Layout("Not payable", d.test_mode,
                  Fill("<h1 id=\"state\" data-status=\"{s}\">This charge is {s}</h1>",
                       {{"s", d.status}}));
  }
  bool ready = !d.invoice.empty() || !d.address.empty();
  std::string amount =
      d.amount_sats > 0
          ? Fill("<div class=\"amount\" id=\"amount-sats\">{sats} sats</div>{!fiat}",
                 {{"sats", std::to_string(d.amount_sats)},
                  {"fiat", d.rate.empty() ? std::string()  // a sat plan: nothing to convert
                                          : Fill("<div class=\"muted\" id=\"amount\">{a} at "
                                                 "{r}</div>",
                                                 {{"a", d.amount}, {"r", d.rate}})}})
          : Fill("<div class=\"amount\" id=\"amount\">{amount}</div>", {{"amount", d.amount}});
  std::string main =
      d.expired ? "<p id=\"message\">This invoice has expired. Ask the merchant for a new one.</p>"
      : ready   ? Destination(d) + Fill("<p class=\"muted\">Pay by {!t}. This page refreshes "
                                        "itself and shows the payment once it arrives.</p>",
                                        {{"t", DateHtml(d.expires_at)}})
                : "<p id=\"message\">Preparing your invoice&hellip; this page refreshes "
                  "itself.</p>";
  std::string body = Fill(
      "<h1>Pay with {rail}</h1><div class=\"muted\">{what}</div>{!amount}{!main}{!test}",
      {{"rail", RailName(d.rail)},
       {"what", d.what},
       {"amount", amount},
       {"main", main},
       {"test", ready && !d.expired ? TestPayForm(d) : ""}});
  return Layout("Pay with " + RailName(d.rail), d.test_mode, body);
}

}  // namespace jopay::pages
