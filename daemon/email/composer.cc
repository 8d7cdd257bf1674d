#include "daemon/email/composer.h"

#include <fmt/core.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "common/json_fields.h"
#include "common/money.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/invoices.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/email/unsubscribe.h"
#include "daemon/events/outbox.h"
#include "daemon/pages/invoice_pdf.h"
#include "daemon/public/tokens.h"

namespace jopay::email {

namespace json = boost::json;

namespace {

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// An RFC 3339 field of event data as HumanDate shows it; "" when absent or null.
std::string DateOf(const json::object& o, std::string_view key) {
  auto t = ParseRfc3339(Text(o, key));
  return t.ok() ? HumanDate(*t) : std::string();
}

bool IsReminder(const std::string& kind) { return kind == "trial_ending" || kind == "card_expiring"; }

// The data of the event that caused the email.
Result<json::object> EventData(Db& db, const EmailRow& row) {
  if (!row.event_pk) return Status::Internal(fmt::format("email {} has no event", row.id));
  auto e = LoadEventByPk(db, *row.event_pk);
  if (!e.ok()) return e.status();
  json::value data = ParseStoredJson(e->data);
  if (!data.is_object()) return Status::Internal(fmt::format("event {} has no data", e->id));
  return std::move(data.as_object());
}

// What a subscription event says: the plan, its price, and the kind's own dates and reasons.
void SubscriptionValues(const json::object& d, const std::string& kind, Values& v) {
  v["plan_name"] = Text(d, "plan_name");
  v["amount"] = FormatMoney(Int(d, "amount_cents"), Text(d, "currency"));
  if (kind == "payment_failed") {
    v["failure_message"] = Text(d, "failure_message");
    v["next_attempt_date"] = DateOf(d, "next_payment_attempt");
  } else if (kind == "trial_ending") {
    v["trial_end_date"] = DateOf(d, "trial_end");
  } else if (kind == "cancelled") {
    v["access_until_date"] = DateOf(d, "current_period_end");
  } else if (kind == "expired") {
    std::string ended = DateOf(d, "ended_at");
    v["ended_date"] = ended.empty() ? DateOf(d, "current_period_end") : ended;
  }
}

// The receipt's invoice: its number, what was paid, and the PDF to attach.
Status ReceiptValues(Db& db, const EmailRow& row, Values& v, std::vector<Attachment>& files) {
  auto inv = LoadInvoice(db, row.object_id, row.livemode);
  if (!inv.ok()) return inv.status();
  v["invoice_number"] = inv->number;
  v["invoice_id"] = inv->id;
  v["amount_paid"] = FormatMoney(inv->amount_paid, inv->currency);
  v["amount"] = FormatMoney(inv->total, inv->currency);
  v["paid_date"] = HumanDate(inv->paid_at.value_or(inv->created_at));
  if (inv->period_start && inv->period_end) {
    v["period"] = HumanDate(*inv->period_start) + " – " + HumanDate(*inv->period_end);
  }
  if (!inv->lines.empty()) v["plan_name"] = inv->lines.front().description;
  try {
    files.push_back({inv->number + ".pdf", "application/pdf", pages::InvoicePdf(*inv)});
  } catch (const std::exception& e) {  // Cairo out of memory: another time
    return Status::Unavailable(fmt::format("cannot render the invoice PDF: {}", e.what()));
  }
  return Status::Ok();
}

Status CardValues(Db& db, const EmailRow& row, Values& v) {
  auto card = LoadSavedCard(db, row.object_id);
  if (!card) return Status::Internal(fmt::format("payment method {} is gone", row.object_id));
  v["card_brand"] = card->brand.empty() ? "card" : card->brand;
  v["card_last4"] = card->last4;
  const std::string& ym = row.card_expiry.value_or("");  // "2026-03"
  v["card_expiry"] = ym.size() == 7 ? ym.substr(5, 2) + "/" + ym.substr(0, 4) : ym;
  if (row.subscription_id) {
    auto s = LoadSubscription(db, *row.subscription_id, row.livemode);
    if (s.ok()) {
      v["plan_name"] = s->plan_name;
      v["amount"] = FormatMoney(s->amount, s->currency);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string HumanDate(UnixSeconds t) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{} {} {}", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900);
}

Result<MimeMessage> Composer::Compose(Db& db, const EmailRow& row, UnixSeconds billing_now) const {
  const ComposerConfig& c = config_;
  Values v;
  v["merchant_name"] = c.merchant_name.empty() ? c.from.name : c.merchant_name;
  v["support_email"] = c.support_email;
  v["customer_email"] = row.to;
  v["subscription_id"] = row.subscription_id.value_or("");
  std::string customer_name;
  if (auto cus = LoadCustomer(db, row.customer_id, row.livemode); cus.ok()) {
    customer_name = cus->name;
  }
  v["customer_name"] = customer_name;
  MimeMessage m;
  if (row.kind == "receipt") {
    JOPAY_RETURN_IF_ERROR(ReceiptValues(db, row, v, m.attachments));
  } else if (row.kind == "card_expiring") {
    JOPAY_RETURN_IF_ERROR(CardValues(db, row, v));
  } else {
    auto data = EventData(db, row);
    if (!data.ok()) return data.status();
    SubscriptionValues(*data, row.kind, v);
  }
  if (row.subscription_id && !c.public_url.empty() && !c.signing_key.empty()) {
    // From its cause, not from when it is written: a clock move composes the emails of what it
    // ran only after the move (the clock already past the causes, or not yet there).
    UnixSeconds from = std::max(billing_now, row.created_at);
    PortalGrant grant{*row.subscription_id, row.livemode, "", from + kEmailPortalTtl};
    v["portal_url"] = PortalUrl(c.public_url, SignPortalToken(c.signing_key, grant));
  }
  const Template& t = templates_.For(row.kind);
  m.from = c.from;
  if (m.from.name.empty()) m.from.name = v["merchant_name"];
  if (!c.support_email.empty() && c.support_email != c.from.address) {
    m.reply_to = {v["merchant_name"], c.support_email};
  }
  m.to = {customer_name, row.to};
  m.subject = RenderSubject(t.subject, v);
  m.text = Render(t.text, v, false);
  m.html = Render(t.html, v, true);
  m.date = row.created_at;
  m.message_id = MessageIdFor(row.id, c.from.address);
  if (IsReminder(row.kind) && !c.public_url.empty() && !c.signing_key.empty()) {
    m.list_unsubscribe = UnsubscribeUrl(c.public_url, c.signing_key, row.customer_id, row.livemode);
  }
  return m;
}

}  // namespace jopay::email
