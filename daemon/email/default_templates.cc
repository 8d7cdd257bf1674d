#include "daemon/email/default_templates.h"

namespace jopay::email {

namespace {

// The text every built-in body ends with.
constexpr const char* kTextFooter = R"(
{{#support_email}}Questions? Write to {{support_email}}.
{{/support_email}}-- 
{{merchant_name}}
)";

// Every built-in HTML body is this page around its own paragraphs: inline styles only (mail
// clients drop <style> and external sheets), one column of at most 560 px.
std::string HtmlPage(const std::string& content) {
  return R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{merchant_name}}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<p style="margin:0 0 24px;font-size:18px;font-weight:600"><bdi>{{merchant_name}}</bdi></p>
)" + content + R"(
{{#support_email}}<p style="margin:32px 0 0;font-size:13px;color:#71717a">Questions? Write to <a href="mailto:{{support_email}}">{{support_email}}</a>.</p>{{/support_email}}
</div></body></html>
)";
}

constexpr const char* kHello = "Hello{{#customer_name}} {{customer_name}}{{/customer_name}},\n\n";
constexpr const char* kHelloHtml =
    "<p>Hello{{#customer_name}} <bdi>{{customer_name}}</bdi>{{/customer_name}},</p>\n";

std::string PortalButton(const char* label) {
  return std::string("{{#portal_url}}<p style=\"margin:24px 0\"><a href=\"{{portal_url}}\" "
                     "style=\"background:#18181b;color:#ffffff;padding:12px 20px;"
                     "border-radius:6px;text-decoration:none;display:inline-block\">") +
         label + "</a></p>{{/portal_url}}";
}

Template Receipt() {
  return {
      "Receipt {{invoice_number}} from {{merchant_name}}",
      std::string(kHello) + R"(thank you for your payment of {{amount_paid}} for {{plan_name}}.

Invoice:  {{invoice_number}}
Paid on:  {{paid_date}}
{{#period}}Period:   {{period}}
{{/period}}
The invoice is attached as a PDF.
{{#portal_url}}
Manage your subscription: {{portal_url}}
{{/portal_url}})" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>Thank you for your payment of <strong>{{amount_paid}}</strong> for <bdi>{{plan_name}}</bdi>.</p>
<table style="border-collapse:collapse;margin:16px 0">
<tr><td style="padding:4px 16px 4px 0;color:#71717a">Invoice</td><td>{{invoice_number}}</td></tr>
<tr><td style="padding:4px 16px 4px 0;color:#71717a">Paid on</td><td>{{paid_date}}</td></tr>
{{#period}}<tr><td style="padding:4px 16px 4px 0;color:#71717a">Period</td><td>{{period}}</td></tr>{{/period}}
</table>
<p>The invoice is attached as a PDF.</p>
)" + PortalButton("Manage your subscription")),
  };
}

Template PaymentFailed() {
  return {
      "Your payment to {{merchant_name}} failed",
      std::string(kHello) + R"(we could not collect {{amount}} for {{plan_name}}: {{failure_message}}
{{#next_attempt_date}}
We will try again on {{next_attempt_date}}.{{/next_attempt_date}}
{{#portal_url}}To keep your subscription, update your card here:
{{portal_url}}
{{/portal_url}})" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>We could not collect <strong>{{amount}}</strong> for <bdi>{{plan_name}}</bdi>: {{failure_message}}</p>
{{#next_attempt_date}}<p>We will try again on {{next_attempt_date}}.</p>{{/next_attempt_date}}
{{#portal_url}}<p>To keep your subscription, update your card.</p>{{/portal_url}}
)" + PortalButton("Update your card")),
  };
}

Template TrialEnding() {
  return {
      "Your {{plan_name}} trial ends on {{trial_end_date}}",
      std::string(kHello) + R"(your free trial of {{plan_name}} ends on {{trial_end_date}}. From then on
you will be charged {{amount}} each period, unless you cancel before.
{{#portal_url}}
Manage your subscription: {{portal_url}}
{{/portal_url}})" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>Your free trial of <bdi>{{plan_name}}</bdi> ends on <strong>{{trial_end_date}}</strong>. From then on you will be charged {{amount}} each period, unless you cancel before.</p>
)" + PortalButton("Manage your subscription")),
  };
}

Template Cancelled() {
  return {
      "Your {{plan_name}} subscription is cancelled",
      std::string(kHello) + R"(your subscription to {{plan_name}} is cancelled. {{#access_until_date}}You keep
access until {{access_until_date}}; nothing more will be charged.{{/access_until_date}}
{{#portal_url}}
Changed your mind? {{portal_url}}
{{/portal_url}})" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>Your subscription to <bdi>{{plan_name}}</bdi> is cancelled.{{#access_until_date}} You keep access until <strong>{{access_until_date}}</strong>; nothing more will be charged.{{/access_until_date}}</p>
)"),
  };
}

Template Expired() {
  return {
      "Your {{plan_name}} subscription has ended",
      std::string(kHello) + R"(your subscription to {{plan_name}} ended on {{ended_date}}.
Thank you for having been with us.
)" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>Your subscription to <bdi>{{plan_name}}</bdi> ended on {{ended_date}}.</p>
<p>Thank you for having been with us.</p>
)"),
  };
}

Template CardExpiring() {
  return {
      "Your card ending in {{card_last4}} expires soon",
      std::string(kHello) + R"(the {{card_brand}} card ending in {{card_last4}} that pays for {{plan_name}}
expires at the end of {{card_expiry}}.
{{#portal_url}}
Please add a new card before then: {{portal_url}}
{{/portal_url}})" + kTextFooter,
      HtmlPage(std::string(kHelloHtml) + R"(<p>The {{card_brand}} card ending in <strong>{{card_last4}}</strong> that pays for <bdi>{{plan_name}}</bdi> expires at the end of {{card_expiry}}.</p>
{{#portal_url}}<p>Please add a new card before then.</p>{{/portal_url}}
)" + PortalButton("Update your card")),
  };
}

}  // namespace

std::map<std::string, Template, std::less<>> DefaultTemplates() {
  return {{"receipt", Receipt()},     {"payment_failed", PaymentFailed()},
          {"trial_ending", TrialEnding()}, {"cancelled", Cancelled()},
          {"expired", Expired()},     {"card_expiring", CardExpiring()}};
}

}  // namespace jopay::email
