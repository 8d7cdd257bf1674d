// /public/webhook/satspay and /public/webhook/btcpay: the Lightning / Bitcoin servers' hints
// that a push charge changed. Neither is believed: a callback only moves the charge's next
// read-back to now (charges/push_sender.h), and what the server says when read back is what
// counts. SatsPay's callbacks are unsigned (GET or POST carrying the charge): only the charge
// id is taken. BTCPay's must carry a valid BTCPay-Sig (HMAC-SHA256 of the raw body under the
// store webhook's secret), and each delivery is recorded once (provider_callbacks, by its
// delivery id): a replay changes nothing.
#include <fmt/core.h>

#include "daemon/charges/push_sender.h"
#include "daemon/providers/btcpay/provider.h"
#include "daemon/providers/btcpay/webhook.h"
#include "daemon/providers/satspay/charge.h"
#include "daemon/public/context.h"

namespace jopay::pub {

namespace json = boost::json;

namespace {

// The answer once the read-back is scheduled (or there was nothing to read back).
void ScheduleReadBack(Context& c, http::Respond respond, std::string provider, std::string ref,
                      std::function<bool(Db&)> first = nullptr) {
  auto known = std::make_shared<bool>(false);
  auto fresh = std::make_shared<bool>(true);
  routes::WriteThen(
      c.store.writer(), std::move(respond),
      [known, fresh, provider, ref, first](Db& db) {
        if (first) *fresh = first(db);
        bool live = false;
        if (*fresh) *known = RequestPushReadBack(db, provider, ref, &live);
        return Status::Ok();
      },
      [known, fresh] {
        return json::object{{"received", true}, {"duplicate", !*fresh}, {"checking", *known}};
      },
      {200, [&c] { if (c.push_sender) c.push_sender->Wake(); }, nullptr});
}

void SatsPayCallback(Context& c, http::Request& req, http::Respond respond) {
  auto id = req.body.empty() ? Result<std::string>(Status::Invalid("no charge", "id"))
                             : satspay::CallbackChargeId(req.body);
  if (!id.ok()) {
    auto q = req.query.find("id");
    if (q == req.query.end() || q->second.empty() || q->second.size() > 100) {
      return respond(ErrorAnswer(Status::Invalid(
          "The callback names no SatsPay charge (a charge JSON body, or ?id=).", "id",
          "callback_invalid")));
    }
    id = q->second;
  }
  ScheduleReadBack(c, std::move(respond), "satspay", *id);
}

// The configured BTCPay account whose webhook secret signed `body`, if any.
btcpay::BtcPayProvider* SignerOf(Context& c, const http::Request& req) {
  std::string sig(req.Header("BTCPay-Sig"));
  for (bool live : {false, true}) {
    auto* p = dynamic_cast<btcpay::BtcPayProvider*>(c.engine.PushProviderFor(live, "btcpay"));
    if (p && p->CallbackSigned(req.body, sig)) return p;
  }
  return nullptr;
}

void BtcPayCallback(Context& c, http::Request& req, http::Respond respond) {
  btcpay::BtcPayProvider* signer = SignerOf(c, req);
  if (!signer) {
    return respond(ErrorAnswer(Status::Invalid(
        "BTCPay-Sig does not sign this body under a configured BTCPay webhook secret.", "",
        "signature_invalid")));
  }
  auto delivery = btcpay::ParseWebhook(req.body);
  if (!delivery.ok()) {
    return respond(ErrorAnswer(Status::Invalid(delivery.status().message(),
                                               delivery.status().param(), "callback_invalid")));
  }
  auto record = [d = *delivery, body = req.body](Db& db) {
    db.Cached("INSERT INTO provider_callbacks (provider, event_id, livemode, type, payload, "
              "received_at, status) VALUES ('btcpay', ?, 0, ?, ?, ?, 'applied') "
              "ON CONFLICT DO NOTHING")
        .Args(d.dedup_id(), d.type, body, SystemNow())
        .Exec();
    return sqlite3_changes(db.raw()) > 0;
  };
  ScheduleReadBack(c, std::move(respond), "btcpay",
                   delivery->about_invoice() ? delivery->invoice_id : "", record);
}

}  // namespace

void AddPushCallbackRoutes(http::Router& r, Context& c) {
  AddOpenRoute(r, c, "GET", "/public/webhook/satspay", SatsPayCallback);
  AddOpenRoute(r, c, "POST", "/public/webhook/satspay", SatsPayCallback);
  AddOpenRoute(r, c, "POST", "/public/webhook/btcpay", BtcPayCallback);
}

}  // namespace jopay::pub
