// Which invoice a charge attempt pays: the link between payments.h and invoices.h.
//
// Every attempt of one period pays that period's invoice, issued with the first attempt that
// reaches the store and found again (never issued twice) when an attempt is retried or
// replayed after a crash. The invoice's key is reserved before the payment row is written and
// the invoice written after it, so an attempt that turns out to be recorded already (the
// payment's insert fails as a duplicate) leaves no invoice behind, only an unused key.
#pragma once

#include <optional>
#include <string>

#include "daemon/billing/invoices.h"
#include "daemon/billing/payments.h"

namespace jopay {

// What the invoice of a new charge says when it has to be issued.
struct ChargeInvoiceText {
  std::string billing_reason;  // subscription_create, subscription_cycle, checkout
  std::string description;     // its one line: the plan's name
  std::optional<std::string> plan_id;
};

class ChargeInvoice {
 public:
  // Before `p` is inserted: finds the invoice of its period, or reserves the key of a new one;
  // sets p.invoice_pk either way. Writer only.
  ChargeInvoice(Db& db, Payment& p);
  // After `p` was inserted: issues the invoice if it is new; a paid `p` pays it. `batch`: the
  // due batch whose events the invoice's join (in order), if any.
  void Settle(const Payment& p, const ChargeInvoiceText& text, const InvoiceIssuer& issuer,
              UnixSeconds now, EventBatch* batch = nullptr);

 private:
  Db& db_;
  std::optional<Invoice> found_;
  RowKey reserved_;
};

}  // namespace jopay
