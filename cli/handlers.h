// The handlers the command table points at, one group per noun; each lives
// in the noun's file (cli/plans.cc, cli/subscriptions.cc, ...). A handler reads
// its arguments from the Invocation, calls the daemon and prints the answer.
#pragma once

#include "cli/invocation.h"

namespace jopay::cli {

// cli/plans.cc
Status PlansCreate(Invocation& inv);
Status PlansList(Invocation& inv);
Status PlansGet(Invocation& inv);
Status PlansUpdate(Invocation& inv);
Status PlansArchive(Invocation& inv);

// cli/customers.cc
Status CustomersList(Invocation& inv);
Status CustomersGet(Invocation& inv);
Status CustomersUpdate(Invocation& inv);

// cli/subscriptions.cc
Status SubscriptionsCreate(Invocation& inv);
Status SubscriptionsList(Invocation& inv);
Status SubscriptionsGet(Invocation& inv);
Status SubscriptionsUpdate(Invocation& inv);
Status SubscriptionsCancel(Invocation& inv);
Status SubscriptionsPause(Invocation& inv);
Status SubscriptionsResume(Invocation& inv);

// cli/import.cc
Status SubscriptionsImport(Invocation& inv);

// cli/history.cc: payments and events, the records of what happened.
Status PaymentsList(Invocation& inv);
Status PaymentsGet(Invocation& inv);
Status PaymentsRefund(Invocation& inv);
Status PaymentsPay(Invocation& inv);

// cli/invoices.cc
Status InvoicesList(Invocation& inv);
Status InvoicesGet(Invocation& inv);
Status InvoicesPdf(Invocation& inv);
Status InvoicesVoid(Invocation& inv);
Status InvoicesCredit(Invocation& inv);
Status EventsList(Invocation& inv);
Status EventsGet(Invocation& inv);

// cli/webhooks.cc: webhook endpoints.
Status WebhooksAdd(Invocation& inv);
Status WebhooksList(Invocation& inv);
Status WebhooksGet(Invocation& inv);
Status WebhooksUpdate(Invocation& inv);
Status WebhooksRemove(Invocation& inv);
Status WebhooksDisable(Invocation& inv);
Status WebhooksEnable(Invocation& inv);
Status WebhooksRotate(Invocation& inv);
Status WebhooksTest(Invocation& inv);

// cli/listen.cc: replaying and watching events.
Status EventsResend(Invocation& inv);
Status EventsListen(Invocation& inv);

// cli/emails.cc: customer emails.
Status EmailsList(Invocation& inv);
Status EmailsGet(Invocation& inv);
Status EmailsResend(Invocation& inv);

// cli/keys.cc
Status KeysCreate(Invocation& inv);
Status KeysList(Invocation& inv);
Status KeysRevoke(Invocation& inv);

// cli/sessions.cc: checkout sessions.
Status SessionsList(Invocation& inv);
Status SessionsGet(Invocation& inv);
Status SessionsCancel(Invocation& inv);
Status SessionsPay(Invocation& inv);

// cli/clock.cc: the billing clock and on-demand renewal runs.
Status ClockShow(Invocation& inv);
Status ClockSet(Invocation& inv);
Status ClockAdvance(Invocation& inv);
Status Renew(Invocation& inv);

// cli/daemon_info.cc: the daemon as a whole.
Status DaemonStatus(Invocation& inv);
Status Backup(Invocation& inv);

// cli/report.cc: the business report.
Status ReportCommand(Invocation& inv);

// cli/export.cc: every row of a collection, as CSV or NDJSON.
Status ExportSubscriptions(Invocation& inv);
Status ExportPayments(Invocation& inv);
Status ExportCustomers(Invocation& inv);

// cli/completion.cc and cli/man_commands.cc: generated from the table.
Status Completion(Invocation& inv);
Status ManCommands(Invocation& inv);

}  // namespace jopay::cli
