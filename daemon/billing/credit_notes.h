// Credit notes: the one way to correct an issued invoice (invoices.h). A credit note is itself
// a numbered invoice of kind "credit_note" (its own gapless series), pointing at the invoice
// it credits, with one line: the amount credited and why. The credited invoice's
// amount_credited grows (its lines and total never change). When the invoice was paid, the
// credit is also given back: a refund of the payment that paid it, keyed "credit:<note id>"
// so that a replayed job never refunds twice (refunds.h: instant through the sandbox, pending
// through a network provider until it answers). On an open invoice the credit lowers what is
// due instead.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/refunds.h"

namespace jopay {

struct CreditRequest {
  std::string invoice_id;
  int64_t amount = 0;   // 1 .. total - amount_credited
  std::string reason;   // free text, 1..200 characters, printed on the note
};

// Writer job. `instant_refunds`: whether the paying provider answers in-process (the caller
// asks the engine). Refused, with nothing written: no such invoice (kNotFound), a credit note
// or void invoice (kConflict "invoice_not_creditable"), an amount outside 1..what is left to
// credit (kInvalid "amount"), a paid invoice whose payment can no longer be refunded for it.
struct CreditResult {
  Invoice note;
  std::optional<Refund> refund;
};
Status CreditInvoice(Db& db, bool livemode, const CreditRequest& req, const InvoiceIssuer& issuer,
                     const std::function<std::optional<bool>(const std::string& provider)>&
                         instant_refunds,
                     UnixSeconds now, CreditResult* out);

}  // namespace jopay
