#include "daemon/providers/stripe/checkout.h"


#include <fmt/core.h>

#include "daemon/providers/stripe/provider.h"

namespace jopay::stripe {

namespace json = boost::json;

namespace {

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

// An id field that may be expanded into its object.
std::string IdOf(const json::object& o, std::string_view key) {
  if (const json::object* e = Obj(o, key)) return Text(*e, "id");
  return Text(o, key);
}

Status NotComplete(const std::string& why) {
  return Status::Conflict("The Stripe checkout is not complete: " + why, "checkout_not_complete");
}

Status StatusOf(const Reply& r) {
  if (r.status == 0) return Status::Unavailable("Stripe did not answer: " + r.error);
  std::string message = "Stripe answered " + std::to_string(r.status);
  if (const json::object* e = r.Error()) message += ": " + Text(*e, "message");
  if (r.status == 404) return Status::NotFound(message, "stripe_session");
  if (r.status >= 500 || r.status == 429) return Status::Unavailable(message);
  return Status::Invalid(message, "stripe_session", "stripe_request_refused");
}

}  // namespace

Form CheckoutForm(const CheckoutRequest& r) {
  Form f = {{"mode", r.setup ? "setup" : "payment"},
            {"success_url", r.success_url},
            {"cancel_url", r.cancel_url},
            {"client_reference_id", r.jopay_object},
            {"metadata[jopay_object]", r.jopay_object},
            {"payment_method_types[0]", "card"}};
  if (r.customer) {
    f.push_back({"customer", *r.customer});
  } else {
    f.push_back({"customer_creation", "always"});
    if (r.customer_email) f.push_back({"customer_email", *r.customer_email});
  }
  if (r.setup) {
    f.push_back({"currency", r.currency});
    f.push_back({"setup_intent_data[metadata][jopay_object]", r.jopay_object});
    return f;
  }
  f.push_back({"line_items[0][price_data][currency]", r.currency});
  f.push_back({"line_items[0][price_data][unit_amount]", std::to_string(r.amount)});
  f.push_back({"line_items[0][price_data][product_data][name]", r.description});
  f.push_back({"line_items[0][quantity]", "1"});
  f.push_back({"payment_intent_data[metadata][jopay_object]", r.jopay_object});
  if (r.save_card) f.push_back({"payment_intent_data[setup_future_usage]", "off_session"});
  return f;
}

void CreateCheckout(Api& api, const CheckoutRequest& r,
                    std::function<void(Result<std::string>)> done) {
  api.Post("/v1/checkout/sessions", CheckoutForm(r), r.idempotency_key,
           [done = std::move(done)](Reply reply) {
             if (reply.status != 200 || !reply.body.is_object()) return done(StatusOf(reply));
             std::string url = Text(reply.body.as_object(), "url");
             if (url.empty()) return done(Status::Unavailable("Stripe gave no checkout URL"));
             done(url);
           });
}

Result<ProviderCheckout> CheckoutOf(const json::object& s) {
  if (Text(s, "status") != "complete") return NotComplete("status " + Text(s, "status"));
  ProviderCheckout out;
  out.provider_session = Text(s, "id");
  if (const json::object* m = Obj(s, "metadata")) out.jopay_object = Text(*m, "jopay_object");
  out.email = Text(s, "customer_email");
  if (const json::object* d = Obj(s, "customer_details"); d && out.email.empty()) {
    out.email = Text(*d, "email");
  }
  std::string customer = IdOf(s, "customer");
  const json::object* method = nullptr;
  if (Text(s, "mode") == "setup") {
    const json::object* si = Obj(s, "setup_intent");
    if (!si) return NotComplete("its SetupIntent was not read");
    if (Text(*si, "status") != "succeeded") return NotComplete("SetupIntent " + Text(*si, "status"));
    method = Obj(*si, "payment_method");
    out.currency = Text(s, "currency");
  } else {
    if (Text(s, "payment_status") != "paid") return NotComplete("payment " + Text(s, "payment_status"));
    const json::object* pi = Obj(s, "payment_intent");
    if (!pi) return NotComplete("its PaymentIntent was not read");
    if (Text(*pi, "status") != "succeeded") return NotComplete("PaymentIntent " + Text(*pi, "status"));
    out.charge_ref = Text(*pi, "id");
    int64_t received = Int(*pi, "amount_received");
    out.amount_paid = received ? received : Int(*pi, "amount");
    out.currency = Text(*pi, "currency");
    method = Obj(*pi, "payment_method");
    if (customer.empty()) customer = IdOf(*pi, "customer");
  }
  if (!method) return NotComplete("no saved payment method");
  out.card = SavedCardOf(*method);
  if (out.card.provider_customer.empty()) out.card.provider_customer = customer;
  return out;
}

void ReadCheckout(Api& api, const std::string& id,
                  std::function<void(Result<ProviderCheckout>)> done) {
  std::string target = "/v1/checkout/sessions/" + PercentEncode(id) +
                       "?expand%5B%5D=payment_intent.payment_method"
                       "&expand%5B%5D=setup_intent.payment_method";
  api.Get(target, [done = std::move(done)](Reply reply) {
    if (reply.status != 200 || !reply.body.is_object()) return done(StatusOf(reply));
    done(CheckoutOf(reply.body.as_object()));
  });
}

}  // namespace jopay::stripe
