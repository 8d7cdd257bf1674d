#include "daemon/billing/payment_invoices.h"

namespace jopay {

ChargeInvoice::ChargeInvoice(Db& db, Payment& p) : db_(db) {
  // A period's first attempt has no invoice yet: only a retry looks (a first attempt made
  // twice fails on the payments' unique key, and its reserved key is never used).
  if (p.subscription_id && p.period_start && p.attempt > 1) {
    found_ = FindPeriodInvoice(db, *p.subscription_id, p.schedule, *p.period_start);
  }
  if (!found_) reserved_ = ReserveInvoiceKey(db);
  p.invoice_pk = found_ ? found_->pk : reserved_.pk;
}

void ChargeInvoice::Settle(const Payment& p, const ChargeInvoiceText& text,
                           const InvoiceIssuer& issuer, UnixSeconds now, EventBatch* batch) {
  if (!found_) {
    InvoiceDraft d;
    d.livemode = p.livemode;
    d.billing_reason = text.billing_reason;
    d.customer_id = p.customer_id;
    d.subscription_id = p.subscription_id;
    d.plan_id = text.plan_id;
    d.schedule = p.schedule;
    d.period_start = p.period_start;
    d.period_end = p.period_end;
    d.currency = p.currency;
    d.lines.push_back({text.description, p.period_start, p.period_end, 1, p.amount, p.amount});
    if (p.status == "paid") d.paid_amount = p.amount;
    found_ = IssueInvoice(db_, d, issuer, now, &reserved_, batch);
    return;
  }
  if (p.status == "paid") MarkInvoicePaid(db_, *found_, p.amount, now, batch);
}

}  // namespace jopay
