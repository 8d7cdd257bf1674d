#include "daemon/billing/push_charges.h"

#include <fmt/core.h>

namespace jopay {

namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "payment_pk, rail, provider, provider_ref, bolt11, address, amount_sats, rate, expires_at, "
    "received_sats, unapplied, next_check_at";

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

json::value Opt(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// Sats as bitcoin with 8 decimals, trailing zeros dropped (BIP 21 amounts are in BTC).
std::string Btc(int64_t sats) {
  std::string s = fmt::format("{}.{:08d}", sats / 100000000, sats % 100000000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

void InsertPushCharge(Db& db, const PushChargeRow& r) {
  db.Cached(fmt::format("INSERT INTO push_charges ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        kColumns))
      .ExecWith(r.payment_pk, r.rail, r.provider, NonEmpty(r.charge.provider_ref),
                NonEmpty(r.charge.bolt11), NonEmpty(r.charge.address), r.charge.amount_sats,
                NonEmpty(r.charge.rate), r.charge.expires_at, r.charge.amount_received_sats,
                int64_t{r.unapplied}, r.next_check_at);
}

std::optional<PushChargeRow> LoadPushCharge(Db& db, int64_t payment_pk) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM push_charges WHERE payment_pk=?", kColumns));
  q.Args(payment_pk);
  std::optional<PushChargeRow> out;
  if (q.Step()) {
    PushChargeRow r;
    r.payment_pk = q.Int(0);
    r.rail = q.Text(1);
    r.provider = q.Text(2);
    r.charge.provider_ref = q.OptText(3).value_or("");
    r.charge.bolt11 = q.OptText(4).value_or("");
    r.charge.address = q.OptText(5).value_or("");
    r.charge.amount_sats = q.OptInt(6).value_or(0);
    r.charge.rate = q.OptText(7).value_or("");
    r.charge.expires_at = q.OptInt(8).value_or(0);
    r.charge.amount_received_sats = q.Int(9);
    r.unapplied = q.Int(10) != 0;
    r.next_check_at = q.OptInt(11);
    out = std::move(r);
  }
  q.Reset();
  return out;
}

std::optional<int64_t> FindPushChargeByRef(Db& db, const std::string& provider,
                                           const std::string& provider_ref) {
  auto& q = db.Cached("SELECT payment_pk FROM push_charges WHERE provider=? AND provider_ref=?");
  q.Args(provider, provider_ref);
  std::optional<int64_t> pk;
  if (q.Step()) pk = q.Int(0);
  q.Reset();
  return pk;
}

std::optional<std::string> PendingPushPaymentOf(Db& db, const std::string& subscription_id,
                                                std::string_view rail) {
  auto& q = db.Cached(
      "SELECT p.id FROM payments p JOIN push_charges c ON c.payment_pk = p.pk "
      "WHERE p.subscription_id=? AND p.status='pending' AND c.rail=? ORDER BY p.pk DESC LIMIT 1");
  q.Args(subscription_id, std::string(rail));
  std::optional<std::string> id;
  if (q.Step()) id = q.Text(0);
  q.Reset();
  return id;
}

void RecordReceived(Db& db, int64_t payment_pk, int64_t received_sats) {
  db.Cached("UPDATE push_charges SET received_sats=max(received_sats, ?), next_check_at=NULL "
            "WHERE payment_pk=?")
      .Args(received_sats, payment_pk)
      .Exec();
}

void MarkUnapplied(Db& db, int64_t payment_pk) {
  db.Cached("UPDATE push_charges SET unapplied=1 WHERE payment_pk=?").Args(payment_pk).Exec();
}

int64_t CountUnapplied(Db& db, bool livemode) {
  auto& q = db.Cached(
      "SELECT count(*) FROM push_charges c JOIN payments p ON p.pk = c.payment_pk "
      "WHERE c.unapplied=1 AND p.status='paid' AND p.livemode=?");
  q.Args(int64_t{livemode});
  q.Step();
  int64_t n = q.Int(0);
  q.Reset();
  return n;
}

std::string PaymentUri(const PushChargeRow& r) {
  if (!r.charge.bolt11.empty()) return "lightning:" + r.charge.bolt11;
  if (r.charge.address.empty()) return "";
  return fmt::format("bitcoin:{}?amount={}", r.charge.address, Btc(r.charge.amount_sats));
}

json::object PushChargeView(const PushChargeRow& r) {
  return {{"rail", r.rail},
          {"provider", r.provider},
          {"invoice", Opt(r.charge.bolt11)},
          {"address", Opt(r.charge.address)},
          {"amount_sats", r.charge.amount_sats},
          {"rate", Opt(r.charge.rate)},
          {"expires_at", r.charge.expires_at ? json::value(FormatRfc3339(r.charge.expires_at))
                                             : json::value(nullptr)},
          {"payment_uri", Opt(PaymentUri(r))},
          {"amount_received_sats", r.charge.amount_received_sats},
          {"unapplied", r.unapplied}};
}

}  // namespace jopay
