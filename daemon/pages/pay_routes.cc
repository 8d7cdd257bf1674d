// The push rails' hosted pages (pay_view.h, pages.h):
//   GET  /pay/{payment_id}           a Lightning invoice / Bitcoin address to pay, with its QR
//   POST /pay/{payment_id}/test-pay  test mode, sandbox: pay it as a wallet would; 303 back
//   POST /checkout/{id}/push         the checkout page's "Pay with Lightning / on-chain"
//                                    (form: token, rail, email): 303 to the charge's /pay page
// Payment ids are unguessable (row_id_cipher.h), like session ids: the page takes no key.
#include <fmt/core.h>

#include <algorithm>

#include "common/log.h"
#include "common/money.h"
#include "daemon/billing/plans.h"
#include "daemon/billing/push_charges.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/pages/pay_routes.h"
#include "daemon/pages/pay_view.h"
#include "daemon/pages/qr_code.h"
#include "daemon/public/tokens.h"

namespace jopay::pages {

namespace {

// The payment and its push charge, in test mode or live (the id names no mode).
struct PushPayment {
  Payment payment;
  PushChargeRow row;
};

std::optional<PushPayment> FindPushPayment(Db& db, const std::string& id) {
  for (bool live : {false, true}) {
    auto p = LoadPayment(db, id, live);
    if (!p.ok()) continue;
    auto row = LoadPushCharge(db, p->pk);
    if (!row) return std::nullopt;
    return PushPayment{std::move(*p), std::move(*row)};
  }
  return std::nullopt;
}

http::Response NoCharge() {
  return MessagePage(404, false, "Payment not found",
                     "There is no payment to make at this address. Check the link you were given.");
}

// Where a paid first charge goes on: the success link of the checkout it completed.
std::string ContinueUrl(Db& db, const Payment& p) {
  auto& q = db.Cached("SELECT success_url, id FROM checkout_sessions WHERE payment_id=? AND "
                      "status='completed' LIMIT 1");
  q.Args(p.id);
  std::string url;
  if (q.Step()) {
    auto with = WithQueryParam(q.Text(0), "session_id", q.Text(1));
    url = with.ok() ? *with : q.Text(0);
  }
  q.Reset();
  return url;
}

PayPageData PageData(pub::Context& c, Db& db, const PushPayment& pp) {
  const Payment& p = pp.payment;
  PayPageData d;
  d.payment_id = p.id;
  d.test_mode = !p.livemode;
  d.status = p.status;
  d.rail = pp.row.rail;
  d.amount = FormatMoney(p.amount, p.currency);
  d.amount_sats = pp.row.charge.amount_sats;
  d.rate = pp.row.charge.rate;
  d.invoice = pp.row.charge.bolt11;
  d.address = pp.row.charge.address;
  d.uri = PaymentUri(pp.row);
  if (!d.uri.empty()) d.qr_svg = QrSvg(d.uri, 256);
  d.expires_at = pp.row.charge.expires_at;
  d.expired = d.expires_at > 0 && c.clock.Now() > d.expires_at;
  d.what = p.subscription_id ? *p.subscription_id : p.id;
  if (p.subscription_id) {
    if (auto s = LoadSubscription(db, *p.subscription_id, p.livemode); s.ok()) d.what = s->plan_name;
  }
  if (p.period_start && p.period_end) {
    d.what += fmt::format(", {} to {}", FormatRfc3339(*p.period_start).substr(0, 10),
                          FormatRfc3339(*p.period_end).substr(0, 10));
  }
  if (!p.livemode && pp.row.provider == "sandbox") {
    d.test_pay_token = CheckoutFormToken(c.signing_key, p.id);
  }
  if (p.status == "paid") d.continue_url = ContinueUrl(db, p);
  return d;
}

void ShowPay(pub::Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto pp = FindPushPayment(db, req.params["id"]);
  if (!pp) return respond(NoCharge());
  http::Response r = HtmlAnswer(200, PayPage(PageData(c, db, *pp)));
  // No script: the page reloads itself until the payment shows (the server reads it back).
  if (pp->payment.pending()) r.headers.emplace_back("Refresh", "5");
  respond(std::move(r));
}

std::string FormField(const http::Request& req, const char* name) {
  auto fields = FormOf(req);
  if (!fields.ok()) return "";
  auto it = fields->find(name);
  return it == fields->end() ? "" : it->second;
}

void TestPay(pub::Context& c, http::Request& req, http::Respond respond) {
  std::string id = req.params["id"];
  auto pp = FindPushPayment(c.store.reader(), id);
  if (!pp) return respond(NoCharge());
  if (pp->payment.livemode || pp->row.provider != "sandbox") {
    return respond(MessagePage(409, !pp->payment.livemode, "Not a sandbox payment",
                               "Only test-mode sandbox charges can be paid from this page.", id,
                               "Back to the payment"));
  }
  if (!VerifyCheckoutFormToken(c.signing_key, id, FormField(req, "token"))) {
    return respond(MessagePage(403, true, "This form has expired",
                               "The form was not sent from this payment page. Nothing was paid.",
                               id, "Back to the payment"));
  }
  int64_t sats = pp->row.charge.amount_sats;
  c.store.writer().Submit(
      [&c, id, sats, now = c.clock.Now()](Db& db) {
        std::optional<PushApplied> applied;
        return SettlePushPayment(db, c.engine, id, false, sats, now, &applied);
      },
      [respond, id](Status st) {
        // Relative to /pay/{id}/test-pay: back to /pay/{id}, which now says paid.
        if (st.ok()) return respond(SeeOther("../" + id));
        respond(MessagePage(st.http_status(), true, "Could not pay", st.message(), "../" + id,
                            "Back to the payment"));
      });
}

// The rails the session's plan takes besides cards, that a provider serves in its mode.
std::vector<std::string> PushRailsOf(pub::Context& c, Db& db, const Session& s) {
  std::vector<std::string> rails;
  if (!s.subscription_mode() || !s.plan) return rails;
  // An inline plan (created when paid) takes the defaults.
  PlanFlags flags = s.plan->id.empty() ? PlanFlags{} : LoadPlanFlags(db, s.plan->id);
  bool lightning = flags.allow_lightning, onchain = flags.allow_onchain;
  for (auto [rail, allowed] : {std::pair{"lightning", lightning}, {"onchain", onchain}}) {
    if (allowed && c.engine.PushRailProvider(s.livemode, rail)) rails.emplace_back(rail);
  }
  return rails;
}

}  // namespace

std::vector<std::string> OfferedPushRails(pub::Context& c, const Session& s) {
  return PushRailsOf(c, c.store.reader(), s);
}

void ChoosePushRail(pub::Context& c, http::Request& req, http::Respond respond,
                    const Session& s) {
  std::string rail = FormField(req, "rail");
  auto offered = PushRailsOf(c, c.store.reader(), s);
  if (std::find(offered.begin(), offered.end(), rail) == offered.end()) {
    return respond(MessagePage(400, !s.livemode, "Bad request",
                               "This checkout does not take that way of paying.", s.id,
                               "Back to the checkout page"));
  }
  auto payment = std::make_shared<std::string>();
  std::string email = FormField(req, "email");
  c.store.writer().Submit(
      [&c, payment, rail, email, live = s.livemode, id = s.id, now = c.clock.Now()](Db& db) {
        return StartSessionOnPushRail(db, c.engine, live, id, rail, email, now, payment.get());
      },
      [respond, payment, s](Status st) {
        if (st.ok()) {
          // Relative to /checkout/{id}/push: ../../pay/{payment} (or the completed checkout).
          return respond(SeeOther(payment->empty() ? "../" + s.id : "../../pay/" + *payment));
        }
        respond(MessagePage(st.http_status(), !s.livemode, "Could not start the payment",
                            st.message(), s.id, "Back to the checkout page"));
      });
}

void AddPayPageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/pay/{id}", ShowPay, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/pay/{id}/test-pay", TestPay, ErrorPage);
}

}  // namespace jopay::pages
