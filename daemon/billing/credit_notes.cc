#include "daemon/billing/credit_notes.h"

#include <fmt/core.h>

#include "common/validate.h"

namespace jopay {

namespace {

Status CheckCreditable(const Invoice& inv, const CreditRequest& req) {
  if (inv.kind != "invoice" || inv.status == "void") {
    return Status::Conflict(
        fmt::format("{} {} cannot be credited.",
                    inv.kind == "credit_note" ? "Credit note" : "Void invoice", inv.number),
        "invoice_not_creditable");
  }
  int64_t left = inv.total - inv.amount_credited;
  if (req.amount < 1 || req.amount > left) {
    return Status::Invalid(fmt::format("amount must be 1..{} (what is left to credit on {})",
                                       left, inv.number),
                           "amount");
  }
  return ValidateText(req.reason, "reason", 200);
}

InvoiceDraft NoteDraft(const Invoice& inv, const CreditRequest& req) {
  InvoiceDraft d;
  d.livemode = inv.livemode;
  d.kind = "credit_note";
  d.billing_reason = "credit";
  d.customer_id = inv.customer_id;
  d.subscription_id = inv.subscription_id;
  d.plan_id = inv.plan_id;
  d.currency = inv.currency;
  d.lines.push_back({fmt::format("Credit for invoice {}: {}", inv.number, req.reason),
                     std::nullopt, std::nullopt, 1, req.amount, req.amount});
  d.credit_for_pk = inv.pk;
  d.reason = req.reason;
  return d;
}

}  // namespace

Status CreditInvoice(Db& db, bool livemode, const CreditRequest& req, const InvoiceIssuer& issuer,
                     const std::function<std::optional<bool>(const std::string&)>& instant_refunds,
                     UnixSeconds now, CreditResult* out) {
  if (req.reason.empty()) return Status::Invalid("reason is required", "reason");
  auto inv = LoadInvoice(db, req.invoice_id, livemode);
  if (!inv.ok()) return inv.status();
  JOPAY_RETURN_IF_ERROR(CheckCreditable(*inv, req));
  std::optional<Payment> paid =
      inv->status == "paid" ? PaymentOfInvoice(db, inv->pk) : std::nullopt;
  std::optional<bool> instant;
  if (paid) {
    instant = instant_refunds(paid->provider);
    if (!instant) {
      return Status::Conflict(
          fmt::format("Invoice {} was paid through {}, which cannot refund from here now; "
                      "nothing was credited.", inv->number, paid->provider),
          "refund_not_supported");
    }
  }
  out->note = IssueInvoice(db, NoteDraft(*inv, req), issuer, now);
  AddCredited(db, *inv, req.amount);
  if (!paid) return Status::Ok();
  NewRefund r;
  r.payment_id = paid->id;
  r.amount = req.amount;
  r.idempotency_key = fmt::format("credit:{}", out->note.id);
  Refund refund;
  // A refusal (more than the payment has left after other refunds) rolls the note back too.
  JOPAY_RETURN_IF_ERROR(CreateRefund(db, livemode, r, *instant, now, &refund));
  out->refund = std::move(refund);
  return Status::Ok();
}

}  // namespace jopay
