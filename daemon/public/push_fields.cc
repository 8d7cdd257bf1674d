// What the /public answers show of a push rail's charge (lnbits.h PushDetails).
#include "daemon/public/lnbits.h"

namespace jopay::pub {

namespace json = boost::json;

std::optional<PushDetails> LoadPushDetails(Db& db, const std::string& payment_id, bool livemode) {
  auto p = LoadPayment(db, payment_id, livemode);
  if (!p.ok()) return std::nullopt;
  auto row = LoadPushCharge(db, p->pk);
  if (!row) return std::nullopt;
  return PushDetails{std::move(*p), std::move(*row)};
}

std::optional<PushDetails> LatestPushDetails(Db& db, const std::string& subscription_id,
                                             bool livemode) {
  auto& q = db.Cached(
      "SELECT p.id FROM payments p JOIN push_charges c ON c.payment_pk = p.pk "
      "WHERE p.subscription_id=? AND (p.status='pending' OR p.status='paid') "
      "ORDER BY p.pk DESC LIMIT 1");
  q.Args(subscription_id);
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  if (!id) return std::nullopt;
  return LoadPushDetails(db, *id, livemode);
}

void AddPushFields(const Context& c, const std::string& subscription_id, const PushDetails& d,
                   json::object& o) {
  json::object view = PushChargeView(d.row);
  for (const char* key : {"invoice", "address", "amount_sats", "rate", "payment_uri"}) {
    o[key] = view[key];
  }
  o["payment_id"] = d.payment.id;
  o["payment_status"] = d.payment.status;
  o["expires_at"] = d.row.charge.expires_at;
  o["pay_url"] = c.public_url + "/pay/" + d.payment.id;
  o["qr_code_url"] = c.public_url + "/public/checkout/" + subscription_id + "/qr.svg";
}

}  // namespace jopay::pub
