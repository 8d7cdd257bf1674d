#include "daemon/providers/stripe/provider.h"

#include <fmt/core.h>

namespace jopay::stripe {

namespace json = boost::json;

namespace {

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

ChargeAnswer Unknown(std::string detail, int64_t retry_after_ms = 0) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kUnknown;
  a.detail = std::move(detail);
  a.retry_after_ms = retry_after_ms;
  return a;
}

ChargeAnswer Declined(std::string ref, std::string code, std::string message) {
  ChargeAnswer a;
  a.kind = ChargeAnswer::Kind::kDeclined;
  a.provider_ref = std::move(ref);
  a.failure_code = code.empty() ? "card_declined" : std::move(code);
  a.failure_message = message.empty() ? "The card was declined." : std::move(message);
  return a;
}

// A PaymentIntent as it stands.
ChargeAnswer FromPaymentIntent(const json::object& pi) {
  std::string id = Text(pi, "id");
  std::string status = Text(pi, "status");
  if (status == "succeeded") {
    ChargeAnswer a;
    a.kind = ChargeAnswer::Kind::kPaid;
    a.provider_ref = id;
    return a;
  }
  if (status == "processing") {
    ChargeAnswer a = Unknown("the PaymentIntent is still processing");
    a.provider_ref = id;
    return a;
  }
  const json::object* error = Obj(pi, "last_payment_error");
  std::string code, message;
  if (error) {
    code = Text(*error, "decline_code");
    if (code.empty()) code = Text(*error, "code");
    message = Text(*error, "message");
  }
  if (status == "requires_action" || status == "requires_confirmation") {
    return Declined(id, "authentication_required",
                    "The customer must authenticate this payment with their bank.");
  }
  return Declined(id, code, message);  // requires_payment_method, canceled
}

}  // namespace

ChargeAnswer ChargeAnswerOf(const Reply& r) {
  if (r.status == 0) return Unknown("no answer from Stripe: " + r.error);
  if (r.status >= 200 && r.status < 300) {
    if (!r.body.is_object()) return Unknown("Stripe answered something that is not JSON");
    return FromPaymentIntent(r.body.as_object());
  }
  const json::object* error = r.Error();
  std::string type = error ? Text(*error, "type") : "";
  std::string code = error ? Text(*error, "code") : "";
  if (r.status == 402 || type == "card_error") {
    std::string decline = Text(*error, "decline_code");
    const json::object* pi = Obj(*error, "payment_intent");
    return Declined(pi ? Text(*pi, "id") : "", decline.empty() ? code : decline,
                    Text(*error, "message"));
  }
  if (r.status == 429) return Unknown("Stripe rate limit (429)", r.retry_after_ms);
  if (r.status >= 500 || r.status == 409) {
    return Unknown(fmt::format("Stripe answered {} {}", r.status, code));
  }
  if (r.status == 401 || r.status == 403) {
    return Unknown(fmt::format("Stripe refused the key ({}): check stripe-*-secret-key", r.status));
  }
  if (type == "idempotency_error") {
    return Unknown("Stripe: the key was used with other parameters (idempotency_error)");
  }
  // Another invalid request (the saved method is gone, the customer was deleted...): Stripe
  // made no charge, and sending the same request again would change nothing.
  return Declined("", code.empty() ? "invalid_request" : code,
                  error ? Text(*error, "message") : "Stripe refused the request.");
}

Form ChargeForm(const ChargeIntent& i) {
  return {{"amount", std::to_string(i.amount)},
          {"currency", i.currency},
          {"customer", i.provider_customer},
          {"payment_method", i.provider_method},
          {"off_session", "true"},
          {"confirm", "true"},
          {"description", i.description},
          {"metadata[jopay_payment]", i.payment_id},
          {"metadata[jopay_subscription]", i.subscription_id},
          {"metadata[jopay_period_start]", std::to_string(i.period_start)},
          {"metadata[jopay_key]", i.idempotency_key}};
}

SavedCard SavedCardOf(const json::object& pm) {
  SavedCard card;
  card.provider = "stripe";
  card.provider_ref = Text(pm, "id");
  const json::value* customer = pm.if_contains("customer");
  if (customer && customer->is_string()) card.provider_customer = customer->get_string();
  if (customer && customer->is_object()) card.provider_customer = Text(customer->get_object(), "id");
  if (const json::object* c = Obj(pm, "card")) {
    card.brand = Text(*c, "brand");
    card.last4 = Text(*c, "last4");
    card.exp_month = static_cast<int>(Int(*c, "exp_month"));
    card.exp_year = static_cast<int>(Int(*c, "exp_year"));
  }
  if (card.brand.empty()) card.brand = Text(pm, "type");
  return card;
}

StripeProvider::StripeProvider(Account account)
    : client_(http::ClientOptions{account.max_in_flight, std::chrono::milliseconds(30000), 512,
                                  account.livemode ? "stripe-live" : "stripe-test"}),
      api_(std::move(account), client_) {}

Result<SavedCard> StripeProvider::Attach(std::string_view) {
  return Status::Invalid(
      "Card numbers are not accepted: cards are collected by Stripe Checkout (create a checkout "
      "session and send the customer to its page).",
      "card", "card_numbers_not_accepted");
}

ChargeOutcome StripeProvider::Charge(std::string_view, int64_t, std::string_view,
                                     std::string_view) {
  // Never asked: charges through Stripe go through the charge sender (instant() is false).
  return {false, "provider_unavailable", "Stripe charges are sent outside the writer.", false, ""};
}

void StripeProvider::SendCharge(const ChargeIntent& intent, AnswerFn done) {
  api_.Post("/v1/payment_intents", ChargeForm(intent), intent.idempotency_key,
            [done = std::move(done)](Reply r) { done(ChargeAnswerOf(r)); });
}

void StripeProvider::FindCharge(const ChargeIntent& intent, AnswerFn done) {
  if (!intent.provider_ref.empty()) {
    return api_.Get("/v1/payment_intents/" + PercentEncode(intent.provider_ref),
                    [done = std::move(done)](Reply r) { done(ChargeAnswerOf(r)); });
  }
  std::string query = fmt::format("metadata['jopay_key']:'{}'", intent.idempotency_key);
  api_.Get("/v1/payment_intents/search?query=" + PercentEncode(query),
           [done = std::move(done)](Reply r) {
             if (r.status != 200 || !r.body.is_object()) return done(ChargeAnswerOf(r));
             const json::value* data = r.body.as_object().if_contains("data");
             if (!data || !data->is_array() || data->as_array().empty()) {
               ChargeAnswer none;
               none.kind = ChargeAnswer::Kind::kNotFound;
               return done(none);
             }
             // One key makes one PaymentIntent; should there be more, any success counts.
             ChargeAnswer best;
             for (const auto& v : data->as_array()) {
               if (!v.is_object()) continue;
               Reply one;
               one.status = 200;
               one.body = v;
               ChargeAnswer a = ChargeAnswerOf(one);
               if (a.kind == ChargeAnswer::Kind::kPaid || best.provider_ref.empty()) best = a;
             }
             done(best);
           });
}

ChargeAnswer RefundAnswerOf(const Reply& r) {
  if (r.status == 0) return Unknown("no answer from Stripe: " + r.error);
  if (r.status == 429 || r.status >= 500 || r.status == 409 || r.status == 401 ||
      r.status == 403) {
    return Unknown(fmt::format("Stripe answered {}", r.status), r.retry_after_ms);
  }
  const json::object* error = r.Error();
  if (error) {
    ChargeAnswer a = Declined("", Text(*error, "code"), Text(*error, "message"));
    if (a.failure_code == "card_declined") a.failure_code = "refund_refused";
    return a;
  }
  if (!r.body.is_object()) return Unknown("Stripe answered something that is not JSON");
  const json::object& refund = r.body.as_object();
  std::string status = Text(refund, "status");
  ChargeAnswer a;
  a.provider_ref = Text(refund, "id");
  if (status == "succeeded") {
    a.kind = ChargeAnswer::Kind::kPaid;
  } else if (status == "failed" || status == "canceled") {
    a.kind = ChargeAnswer::Kind::kDeclined;
    a.failure_code = "refund_" + status;
    a.failure_message = "Stripe reports the refund " + status + " (" +
                        Text(refund, "failure_reason") + ").";
  } else {
    a.kind = ChargeAnswer::Kind::kUnknown;
    a.detail = "the refund is " + status + " at Stripe";
  }
  return a;
}

void StripeProvider::SendRefund(const RefundIntent& i, AnswerFn done) {
  auto answer = [done = std::move(done)](Reply r) { done(RefundAnswerOf(r)); };
  if (!i.provider_ref.empty()) {  // made already: read it back, never make it again
    return api_.Get("/v1/refunds/" + PercentEncode(i.provider_ref), std::move(answer));
  }
  Form form = {{"payment_intent", i.charge_ref},
               {"amount", std::to_string(i.amount)},
               {"metadata[jopay_refund]", i.refund_id},
               {"metadata[jopay_payment]", i.payment_id}};
  if (!i.reason.empty()) form.push_back({"reason", i.reason});
  api_.Post("/v1/refunds", form, i.idempotency_key, std::move(answer));
}

}  // namespace jopay::stripe
