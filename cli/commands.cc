#include "cli/commands.h"

#include "cli/handlers.h"

namespace jopay::cli {

namespace {

using K = ValueKind;

const std::vector<std::string> kIntervals = {"day", "week", "month", "year"};
const std::vector<std::string> kSubscriptionStatuses = {
    "incomplete", "trialing", "active", "past_due", "canceled", "paused", "expired"};
const std::vector<std::string> kPaymentStatuses = {"pending", "paid", "failed", "refunded"};
const std::vector<std::string> kInvoiceStatuses = {"open", "paid", "void", "uncollectible",
                                                   "issued"};

OptionSpec Required(OptionSpec o) {
  o.required = true;
  return o;
}

std::vector<CommandSpec> PlanCommands() {
  OptionSpec name{"name", "NAME", "plan name shown to customers"};
  OptionSpec amount{"amount", "N", "price in minor units (cents): 1499 = 14.99", K::kInteger};
  OptionSpec currency{"currency", "CODE", "ISO 4217 code (eur, usd, jpy) or sat"};
  OptionSpec description{"description", "TEXT", "longer description"};
  OptionSpec trial{"trial-days", "N", "free trial length in days", K::kInteger};
  OptionSpec grace{"grace-days", "N", "days of access kept while a renewal is retried",
                   K::kInteger};
  OptionSpec methods{"payment-methods", "LIST",
                     "comma-separated methods the checkout offers: card, lightning, onchain, "
                     "paypal (new plans: card,lightning)"};
  ArgSpec id{"ID", "plan id (plan_...)"};
  OptionSpec switchable{"switchable", "", "customers may move to this plan on the portal"};
  return {
      {"plans", "create", "Create a plan",
       {},
       {Required(name), Required(amount), Required(currency),
        {"interval", "INTERVAL", "billing period", K::kText, kIntervals, true},
        {"interval-count", "N", "periods per billing cycle (default 1)", K::kInteger},
        trial, grace, description, methods, switchable},
       PlansCreate},
      {"plans", "list", "List active plans",
       {},
       {{"include-archived", "", "include archived plans"}},
       PlansList, true},
      {"plans", "get", "Show a plan", {id}, {}, PlansGet},
      {"plans", "update", "Change a plan (existing subscriptions keep their price)",
       {id},
       {name, amount, currency, description, trial, grace, methods, switchable,
        {"no-switchable", "", "customers may no longer choose this plan on the portal"}},
       PlansUpdate},
      {"plans", "archive", "Archive a plan and cancel its subscriptions at period end",
       {id}, {}, PlansArchive, false, true},
  };
}

std::vector<CommandSpec> CustomerCommands() {
  return {
      {"customers", "list", "List customers",
       {},
       {{"search", "TEXT", "only customers whose email or name contains TEXT"}},
       CustomersList, true},
      {"customers", "get", "Show a customer and their subscriptions",
       {{"ID-OR-EMAIL", "customer id (cus_...) or email"}}, {}, CustomersGet},
      {"customers", "update", "Change a customer's name, address or tax id (for new invoices)",
       {{"ID-OR-EMAIL", "customer id (cus_...) or email"}},
       {{"name", "NAME", "the name invoices and pages show"},
        {"address", "TEXT", "postal address on invoices; '|' starts a new line"},
        {"tax-id", "TEXT", "tax (VAT) number on invoices"}},
       CustomersUpdate},
  };
}

std::vector<CommandSpec> SubscriptionCommands() {
  ArgSpec id{"ID", "subscription id (sub_...)"};
  return {
      {"subscriptions", "create", "Subscribe a customer to a plan",
       {},
       {Required({"plan", "ID", "plan id"}),
        Required({"email", "EMAIL", "customer email (created if new)"}),
        {"card", "NUMBER", "sandbox test card number, e.g. 4242424242424242"},
        {"trial-days", "N", "trial length, overriding the plan's", K::kInteger},
        {"metadata", "K=V", "metadata entry; repeat for more", K::kKeyValue, {}, false, true}},
       SubscriptionsCreate},
      {"subscriptions", "list", "List subscriptions",
       {},
       {{"status", "STATUS", "only this status", K::kText, kSubscriptionStatuses},
        {"email", "EMAIL", "only this customer's"},
        {"plan", "ID", "only this plan's"}},
       SubscriptionsList, true},
      {"subscriptions", "get", "Show a subscription", {id}, {}, SubscriptionsGet},
      {"subscriptions", "update",
       "Change the plan (prorated), the card (a past_due subscription is retried at once) or "
       "the metadata",
       {id},
       {{"plan", "ID", "move to this plan: an upgrade now (prorated), a downgrade at period end"},
        {"proration", "MODE", "now: credit the unused time and charge the new price for it "
         "(default); none: switch now, the new price from the next period",
         K::kText, {"now", "none"}},
        {"at", "WHEN", "when the plan change applies (default: by its kind, see jopayd(8))",
         K::kText, {"now", "period_end"}},
        {"cancel-pending", "", "drop the plan change scheduled for the period end"},
        {"card", "NUMBER", "new sandbox test card number"},
        {"metadata", "K=V", "metadata entry (replaces all metadata); repeat for more",
         K::kKeyValue, {}, false, true}},
       SubscriptionsUpdate},
      {"subscriptions", "cancel", "Cancel at period end (or at once with --immediate)",
       {id},
       {{"immediate", "", "end now instead of at period end"},
        {"reason", "TEXT", "why, kept with the subscription"}},
       SubscriptionsCancel, false, true},
      {"subscriptions", "pause", "Pause: no charges until resumed", {id}, {},
       SubscriptionsPause, false, true},
      {"subscriptions", "resume", "Resume: a paid period goes on; after it ended, a new one is charged", {id},
       {}, SubscriptionsResume},
      {"subscriptions", "import", "Import subscriptions from NDJSON (all or nothing)",
       {{"FILE", "NDJSON file, one subscription a line; - reads standard input", K::kFile}},
       {}, SubscriptionsImport, false, true},
  };
}

std::vector<CommandSpec> HistoryCommands() {
  return {
      {"payments", "list", "List payments",
       {},
       {{"subscription", "ID", "only this subscription's"},
        {"status", "STATUS", "only this status", K::kText, kPaymentStatuses}},
       PaymentsList, true},
      {"payments", "get", "Show a payment and its refunds", {{"ID", "payment id (pay_...)"}}, {},
       PaymentsGet},
      {"payments", "refund", "Refund a paid payment, in full or in part",
       {{"ID", "payment id (pay_...)"}},
       {{"amount", "N", "minor units to give back (default: all that is left)", K::kInteger},
        {"reason", "REASON", "why", K::kText, {"duplicate", "fraudulent", "requested_by_customer"}},
        {"key", "KEY", "idempotency key: the same key gives the same refund back"}},
       PaymentsRefund, false, true},
      {"payments", "pay",
       "Test mode: pay a sandbox Lightning invoice or on-chain address, as the customer's "
       "wallet would",
       {{"ID", "payment id (pay_...) of a pending Lightning or on-chain charge"}}, {}, PaymentsPay},
      {"invoices", "list", "List invoices and credit notes, newest first",
       {},
       {{"customer", "ID|EMAIL", "only this customer's (cus_... or email)"},
        {"subscription", "ID", "only this subscription's"},
        {"status", "STATUS", "only this status", K::kText, kInvoiceStatuses}},
       InvoicesList, true},
      {"invoices", "get", "Show an invoice: lines, totals, links", {{"ID", "invoice id (in_...)"}},
       {}, InvoicesGet},
      {"invoices", "pdf", "Write an invoice's PDF to stdout (or --output FILE)",
       {{"ID", "invoice id (in_...)"}},
       {{"output", "FILE", "write it here instead", K::kFile}}, InvoicesPdf},
      {"invoices", "void", "Void an open invoice (it stays, numbered, marked void)",
       {{"ID", "invoice id (in_...)"}}, {{"reason", "TEXT", "why, kept on the invoice"}},
       InvoicesVoid, false, true},
      {"invoices", "credit",
       "Issue a credit note for an invoice; a paid one is refunded that much",
       {{"ID", "invoice id (in_...)"}},
       {{"amount", "N", "minor units to credit", K::kInteger, {}, true},
        {"reason", "TEXT", "why, printed on the credit note", K::kText, {}, true}},
       InvoicesCredit, false, true},
      {"events", "list", "List events",
       {},
       {{"type", "TYPE", "only this type, e.g. subscription.renewed"},
        {"since", "TIME", "only events created at or after TIME", K::kTime},
        {"object", "ID", "only events about this object"}},
       EventsList, true},
      {"events", "get", "Show an event, its payload and its webhook deliveries and attempts",
       {{"ID", "event id (evt_...)"}}, {}, EventsGet},
  };
}

// Webhook endpoints, and replaying/watching events.
std::vector<CommandSpec> WebhookCommands() {
  ArgSpec id{"ID", "webhook endpoint id (we_...)"};
  OptionSpec events{"events", "TYPES",
                    "comma-separated event types, * for all (default), or a family like "
                    "subscription.*"};
  return {
      {"webhooks", "add", "Add a webhook endpoint (its signing secret is shown once)",
       {{"URL", "where to POST events (live mode: https only)"}},
       {events, {"description", "TEXT", "what the endpoint is for"}},
       WebhooksAdd},
      {"webhooks", "list", "List webhook endpoints", {}, {}, WebhooksList, true},
      {"webhooks", "get", "Show a webhook endpoint", {id}, {}, WebhooksGet},
      {"webhooks", "update", "Change an endpoint's URL, event types or description", {id},
       {{"url", "URL", "where to POST events from now on (pending retries too)"},
        events,
        {"description", "TEXT", "what the endpoint is for"}},
       WebhooksUpdate},
      {"webhooks", "remove", "Remove a webhook endpoint (pending deliveries fail)", {id}, {},
       WebhooksRemove, false, true},
      {"webhooks", "disable", "Stop delivering to an endpoint (deliveries wait)", {id}, {},
       WebhooksDisable, false, true},
      {"webhooks", "enable", "Deliver to an endpoint again", {id}, {}, WebhooksEnable},
      {"webhooks", "rotate", "New signing secret (the old one also signs for 24 h)", {id}, {},
       WebhooksRotate, false, true},
      {"webhooks", "test", "Send a webhook.test event to an endpoint and show the answer", {id},
       {}, WebhooksTest},
      {"events", "resend", "Deliver an event again (to every endpoint taking it, or one)",
       {{"ID", "event id (evt_...)"}},
       {{"endpoint", "ID", "only to this endpoint (we_...)"}},
       EventsResend},
      {"events", "listen", "Print events as they happen; optionally forward them signed",
       {},
       {events,
        {"forward-to", "URL", "POST each event, signed, to this URL (e.g. a local app)"},
        {"secret", "SECRET", "sign forwarded events with this whsec_ secret (default: a new one)"}},
       EventsListen},
  };
}

const std::vector<std::string> kEmailStatuses = {"pending", "sent", "failed"};
const std::vector<std::string> kEmailKinds = {"receipt",   "payment_failed", "trial_ending",
                                              "cancelled", "expired",        "card_expiring"};

// Customer emails (daemon/email/): what was queued, sent or given up on, and sending again.
std::vector<CommandSpec> EmailCommands() {
  ArgSpec id{"ID", "email id (em_...)"};
  return {
      {"emails", "list", "List customer emails, newest first",
       {},
       {{"status", "STATUS", "only this status", K::kText, kEmailStatuses},
        {"kind", "KIND", "only this kind", K::kText, kEmailKinds},
        {"customer", "ID-OR-EMAIL", "only this customer's (cus_... or email)"}},
       EmailsList, true},
      {"emails", "get", "Show an email: to whom, why, its attempts and last error", {id}, {},
       EmailsGet},
      {"emails", "resend", "Send an email again (same Message-ID), e.g. after it failed", {id},
       {}, EmailsResend},
  };
}

const std::vector<std::string> kSessionStatuses = {"pending", "completed", "expired", "cancelled"};

std::vector<CommandSpec> SessionCommands() {
  ArgSpec id{"ID", "checkout session id (cs_...)"};
  return {
      {"sessions", "list", "List checkout sessions",
       {},
       {{"status", "STATUS", "only this status", K::kText, kSessionStatuses}},
       SessionsList, true},
      {"sessions", "get", "Show a checkout session", {id}, {}, SessionsGet},
      {"sessions", "cancel", "Cancel a pending checkout session", {id}, {}, SessionsCancel,
       false, true},
      {"sessions", "pay",
       "Pay a pending session with a test card, or with the sandbox's Lightning / on-chain "
       "charge, as the hosted page does",
       {id},
       {{"card", "NUMBER", "sandbox test card number, e.g. 4242424242424242"},
        {"rail", "RAIL", "pay through the sandbox on this rail instead of a card", K::kText,
         {"lightning", "onchain"}},
        {"email", "EMAIL", "the payer's email (when the session has no customer_email)"},
        {"name", "NAME", "the payer's name"}},
       SessionsPay},
  };
}

std::vector<CommandSpec> KeyCommands() {
  return {
      {"keys", "create", "Create an API key (the secret is shown once)",
       {},
       {{"read-only", "", "a key that can only read"}},
       KeysCreate},
      {"keys", "list", "List API keys", {}, {}, KeysList, true},
      {"keys", "revoke", "Revoke an API key", {{"ID", "key id (key_...)"}}, {}, KeysRevoke,
       false, true},
  };
}

std::vector<CommandSpec> ClockCommands() {
  return {
      {"clock", "show", "Show the billing clock", {}, {}, ClockShow},
      {"clock", "set", "Move a manual clock to TIME, firing what falls due",
       {{"TIME", "RFC 3339 time (2025-01-31T10:00:00Z) or date", K::kTime}}, {}, ClockSet},
      {"clock", "advance", "Move a manual clock forward, firing what falls due",
       {{"DURATION", "e.g. 45m, 12h, 4d, 2w, 1mo, 1y", K::kDuration}}, {}, ClockAdvance},
  };
}

// Every page of a collection to a file or stdout; the filters are the list commands'.
std::vector<CommandSpec> ExportCommands() {
  std::vector<OptionSpec> common = {
      {"format", "FORMAT", "csv (RFC 4180, spreadsheet-safe) or ndjson (whole objects)",
       K::kText, {"csv", "ndjson"}, false, false, "csv"},
      {"output-file", "FILE", "write here (replaced only once every row is in) instead of "
       "stdout", K::kFile},
      {"page-size", "N", "objects fetched a request (1..1000)", K::kInteger, {}, false, false,
       "1000"},
  };
  auto with = [&](std::vector<OptionSpec> filters) {
    filters.insert(filters.end(), common.begin(), common.end());
    return filters;
  };
  return {
      {"export", "subscriptions", "Every subscription, newest first",
       {},
       with({{"status", "STATUS", "only this status", K::kText, kSubscriptionStatuses},
             {"email", "EMAIL", "only this customer's"},
             {"plan", "ID", "only this plan's"}}),
       ExportSubscriptions},
      {"export", "payments", "Every payment, newest first, with its customer's email",
       {},
       with({{"subscription", "ID", "only this subscription's"},
             {"status", "STATUS", "only this status", K::kText, kPaymentStatuses}}),
       ExportPayments},
      {"export", "customers", "Every customer, newest first",
       {},
       with({{"search", "TEXT", "only customers whose email or name contains TEXT"}}),
       ExportCustomers},
  };
}

std::vector<CommandSpec> TopLevelCommands() {
  return {
      {"status", "", "Show the daemon's state", {}, {}, DaemonStatus},
      {"renew", "", "Run the billing engine now and print a summary (for cron)",
       {},
       {{"dry-run", "", "report what is due without charging"}},
       Renew},
      {"report", "", "MRR, ARR, subscribers, churn, recovery and revenue per currency",
       {},
       {{"since", "TIME", "start of the period (default: the month start 12 months before "
         "--until)", K::kTime},
        {"until", "TIME", "end of the period, included (default: now on the billing clock)",
         K::kTime},
        {"currency", "CODE", "only this currency (eur, usd, ...)"},
        {"chart", "", "draw the charts of the last 12 months also when stdout is no terminal"}},
       ReportCommand},
      {"backup", "", "Write a consistent copy of the store to FILE",
       {{"FILE", "where to write it (made absolute here)", K::kFile}}, {}, Backup},
      {"completion", "", "Print a shell completion script",
       {{"SHELL", "bash, zsh or fish", K::kText, kShells}}, {}, Completion},
      {"__man-commands", "", "Print the man page's COMMANDS section", {}, {}, ManCommands,
       false, false, true},
  };
}

// The options every list and destructive command gains.
void AddImplicitOptions(CommandSpec& c) {
  if (c.list) {
    c.options.push_back({"limit", "N", "at most N results (1..1000); with --all, a page's size",
                         K::kInteger, {}, false, false, "100"});
    c.options.push_back({"starting-after", "ID", "the page after this id (from a previous page)"});
    c.options.push_back({"all", "", "every page, one after another (from --starting-after on)"});
  }
  if (c.destructive) {
    c.options.push_back({"confirm", "", "do it in live mode without asking"});
  }
}

std::vector<CommandSpec> BuildTable() {
  std::vector<CommandSpec> all;
  for (auto group : {PlanCommands, CustomerCommands, SubscriptionCommands, HistoryCommands,
                     SessionCommands, WebhookCommands, EmailCommands, KeyCommands, ClockCommands,
                     ExportCommands, TopLevelCommands}) {
    for (auto& c : group()) all.push_back(std::move(c));
  }
  for (auto& c : all) AddImplicitOptions(c);
  return all;
}

}  // namespace

std::span<const CommandSpec> Commands() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

std::span<const NounSpec> Nouns() {
  static const std::vector<NounSpec> nouns = {
      {"plans", "Prices and billing periods"},
      {"customers", "People who subscribe"},
      {"subscriptions", "Customers' subscriptions to plans"},
      {"payments", "Charges, paid or failed"},
      {"invoices", "Numbered invoices and credit notes, as HTML and PDF"},
      {"events", "The record of every state change (what webhooks deliver)"},
      {"sessions", "Checkout sessions (what the hosted checkout page sells)"},
      {"webhooks", "Endpoints that receive events, signed"},
      {"emails", "Emails to customers: receipts, payment failures, reminders"},
      {"keys", "API keys for the public API"},
      {"clock", "The billing clock"},
      {"export", "Every row of a collection as CSV, for accountants and spreadsheets"},
  };
  return nouns;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& c : Commands()) {
    if (c.Name() == name) return &c;
  }
  return nullptr;
}

std::span<const OptionSpec> GlobalOptions() {
  static const std::vector<OptionSpec> options = {
      {"socket", "PATH", "jopayd's admin socket (default $JOPAY_SOCKET, else ./var/jopayd.sock, "
       "else the installed /run/jopay/jopayd.sock)",
       K::kFile},
      {"live", "", "work on live-mode data (default: test mode)"},
      {"output", "FORMAT", "table, json, ndjson or id (default table)", K::kText,
       kOutputFormats, false, false, "table", 'o'},
      {"version", "", "print the version and exit"},
  };
  return options;
}

}  // namespace jopay::cli
