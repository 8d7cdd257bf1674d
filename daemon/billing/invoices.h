// Invoices: every amount JoPay collects or tries to collect is billed by one (schema.sql,
// migration 11). A period's charge attempts (payments) all pay the invoice of that period; a
// checkout's first charge has its own; a plan change's proration has its own.
//
// Numbers: each mode has two gapless series, invoices and credit notes. A number is the next
// of its series (MAX + 1 of the same mode and kind), taken in the same transaction that writes
// the invoice, so a rolled-back job takes its number back with it and a committed number is
// never used again: never skipped, never reused, across crashes (there is one writer). The
// text is fixed at issue: `{prefix}{seq:06}` in live mode, `{prefix}TEST-{seq:06}` in test
// mode, credit notes `{prefix}CN-{seq:06}` (`TEST-CN-` in test mode).
//
// An invoice is final when written: its lines, amounts, customer and merchant details never
// change. Only its state moves: open -> paid (a payment paid it), open -> void (the operator),
// open -> uncollectible (the subscription expired unpaid). A correction is a credit note: an
// invoice of kind "credit_note" (status "issued", event credit_note.created) that points at
// the invoice it credits (credit_notes.h).
//
// Renewal speed: a one-line invoice (every renewal) keeps its line in its own row; only
// invoices with more lines (prorations) write invoice_lines rows.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"
#include "daemon/store/row_keys.h"

namespace jopay {

class EventBatch;  // event_batch.h

struct InvoiceLine {
  std::string description;
  std::optional<UnixSeconds> period_start;
  std::optional<UnixSeconds> period_end;
  int64_t quantity = 1;
  int64_t unit_amount = 0;  // minor units; negative for a credit
  int64_t amount = 0;       // quantity * unit_amount
};

// Who issued it, as the config said when it was issued (merchant-* keys).
struct InvoiceIssuer {
  std::string name;
  std::string address;
  std::string tax_id;
  std::string support_email;
  std::string logo_url;
  std::string number_prefix = "JP-";  // invoice-prefix: only new numbers take a new one
};

struct Invoice {
  std::string id;  // "in_..."
  bool livemode = false;
  std::string number;  // "JP-000123"
  int64_t seq = 0;     // its place in its series
  std::string kind = "invoice";  // invoice, credit_note
  // subscription_create, subscription_cycle, subscription_update, checkout, manual
  std::string billing_reason;
  std::string status;  // open, paid, void, uncollectible; a credit note: issued
  std::string customer_id;
  std::optional<std::string> subscription_id;
  std::optional<std::string> plan_id;
  int64_t schedule = 0;
  std::optional<UnixSeconds> period_start;  // the billed period (key of a period's invoice)
  std::optional<UnixSeconds> period_end;
  std::string currency;
  std::vector<InvoiceLine> lines;
  int64_t subtotal = 0;
  int64_t total = 0;
  int64_t amount_paid = 0;
  int64_t amount_credited = 0;  // by credit notes
  std::optional<std::string> credit_for;  // a credit note: the invoice it credits (id)
  std::optional<std::string> reason;      // a credit note's or a void's reason
  // The customer as they were at issue.
  std::string customer_name;
  std::string customer_email;
  std::string customer_address;
  std::string customer_tax_id;
  InvoiceIssuer issuer;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> paid_at;
  std::optional<UnixSeconds> voided_at;
  int64_t pk = 0;
};

// What a new invoice says; the number, key and customer snapshot are filled in by IssueInvoice.
struct InvoiceDraft {
  bool livemode = false;
  std::string kind = "invoice";
  std::string billing_reason;
  std::string customer_id;
  std::optional<std::string> subscription_id;
  std::optional<std::string> plan_id;
  int64_t schedule = 0;
  std::optional<UnixSeconds> period_start;
  std::optional<UnixSeconds> period_end;
  std::string currency;
  std::vector<InvoiceLine> lines;  // at least one
  std::optional<int64_t> credit_for_pk;
  std::optional<std::string> reason;
  // Paid at once by the charge that bills it (a renewal the sandbox answered): issued paid,
  // in one write, with invoice.created (as open) then invoice.paid.
  int64_t paid_amount = 0;
};

// Writes `d` as a final, numbered, open invoice (writer only, inside the job that bills it) and
// emits invoice.created. The customer's details and `issuer` are copied onto it. `reserved`:
// the key ReserveInvoiceKey gave earlier in the same job (a payment already points at it).
// `batch`: a due batch's events, which this one joins in order (else it is inserted at once).
Invoice IssueInvoice(Db& db, const InvoiceDraft& d, const InvoiceIssuer& issuer, UnixSeconds now,
                     const RowKey* reserved = nullptr, EventBatch* batch = nullptr);
// The key (and id) the next invoice of this job takes, for rows written before it.
RowKey ReserveInvoiceKey(Db& db);

// The invoice of a subscription's period (any attempt), if one was issued.
std::optional<Invoice> FindPeriodInvoice(Db& db, const std::string& subscription_id,
                                         int64_t schedule, UnixSeconds period_start);
Result<Invoice> LoadInvoice(Db& db, const std::string& id, bool livemode);
std::optional<Invoice> LoadInvoiceByPk(Db& db, int64_t pk);

struct InvoiceFilter {
  std::string customer_id;      // "" = any
  std::string customer_email;   // "" = any
  std::string subscription_id;  // "" = any
  std::string status;           // "" = any
  int limit = 10;
  std::string starting_after;
};
// Newest first.
std::vector<Invoice> ListInvoices(Db& db, bool livemode, const InvoiceFilter& f);

// A payment of `amount` paid the open invoice `pk`: it becomes paid (once; a second payment of
// the same invoice is only added to amount_paid) and invoice.paid is emitted.
void MarkInvoicePaid(Db& db, int64_t pk, int64_t amount, UnixSeconds now);
// The same for an invoice already loaded (or just issued), which is updated in place.
void MarkInvoicePaid(Db& db, Invoice& inv, int64_t amount, UnixSeconds now,
                     EventBatch* batch = nullptr);
// Every open invoice of the subscription -> uncollectible: it expired with them unpaid. A
// payment that comes later still pays one (MarkInvoicePaid).
void MarkUncollectible(Db& db, const std::string& subscription_id);
// open -> void, with invoice.voided. Conflict when it is not open.
Status VoidInvoice(Db& db, Invoice& inv, const std::string& reason, UnixSeconds now);

// A credit note of `amount` was issued for `inv`: its amount_credited grows (updated in place).
void AddCredited(Db& db, Invoice& inv, int64_t amount);

boost::json::object InvoiceView(const Invoice& inv);

}  // namespace jopay
