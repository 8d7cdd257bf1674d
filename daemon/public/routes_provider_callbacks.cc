// POST /public/webhook/stripe: Stripe's callbacks (charges/stripe_callbacks.h says what is
// done with them). No key: the Stripe-Signature header is the proof. A forged, stale or
// malformed callback gets a 400 and changes nothing; a replay of an event already recorded
// gets 200 and changes nothing; a valid one of a type jopayd does not use gets 200.
#include "common/json_fields.h"
#include "daemon/charges/stripe_callbacks.h"
#include "daemon/providers/stripe/signature.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

Status Refused(std::string message, std::string code = "callback_invalid") {
  return Status::Invalid(std::move(message), "", std::move(code));
}

void StripeCallback(Context& c, http::Request& req, http::Respond respond) {
  // The event's own livemode says which secret must have signed it: a forged flag only picks
  // a secret the forger does not have.
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return respond(ErrorAnswer(Refused("The body is not a JSON event.")));
  const json::object& event = body.as_object();
  const json::value* live = event.if_contains("livemode");
  const json::value* id = event.if_contains("id");
  const json::value* type = event.if_contains("type");
  if (!live || !live->is_bool() || !id || !id->is_string() || !type || !type->is_string()) {
    return respond(ErrorAnswer(Refused("The event has no id, type or livemode.")));
  }
  stripe::StripeProvider* account = c.stripe.For(live->get_bool());
  if (!account || account->api().webhook_secret().empty()) {
    return respond(ErrorAnswer(
        Refused("Stripe callbacks of this mode are not configured (no webhook secret).",
                "callback_not_configured")));
  }
  Status signature = stripe::VerifySignature(req.Header("Stripe-Signature"), req.body,
                                             {account->api().webhook_secret()},
                                             SystemNow());
  if (!signature.ok()) {
    return respond(ErrorAnswer(Refused(signature.message(), "signature_invalid")));
  }
  auto record = std::make_shared<CallbackRecord>(
      CallbackRecord{"stripe", std::string(id->get_string()), live->get_bool(),
                     std::string(type->get_string()), req.body, SystemNow()});
  auto fresh = std::make_shared<bool>(false);
  routes::WriteThen(
      c.store.writer(), respond,
      [record, fresh](Db& db) {
        *fresh = RecordCallback(db, *record);
        return Status::Ok();
      },
      [record, fresh] {
        return json::object{{"received", true}, {"duplicate", !*fresh}};
      },
      {200, [&c] { c.stripe_events.Wake(); }, nullptr});
}

}  // namespace

void AddProviderCallbackRoutes(http::Router& r, Context& c) {
  AddOpenRoute(r, c, "POST", "/public/webhook/stripe", StripeCallback);
}

}  // namespace jopay::pub
