// /v1/sessions: checkout sessions for operators (jopayctl sessions list|get|cancel|pay).
// `pay` does what the hosted checkout page does with a card (test mode: sandbox cards).
#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "daemon/admin/context.h"
#include "daemon/billing/push_charges.h"
#include "daemon/checkout/session.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

void List(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  std::string status;
  if (auto it = req.query.find("status"); it != req.query.end()) status = it->second;
  if (!status.empty() && std::find(std::begin(session_status::kAll), std::end(session_status::kAll),
                                   status) == std::end(session_status::kAll)) {
    return respond(http::ErrorResponse(Status::Invalid(
        "status must be one of pending, completed, expired, cancelled", "status")));
  }
  json::array items;
  for (const auto& s : ListSessions(c.store.reader(), IsLive(req), status, page->limit + 1,
                                    page->starting_after)) {
    items.push_back(SessionView(s, c.info.public_url));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void Get(Context& c, http::Request& req, http::Respond respond) {
  auto s = LoadSession(c.store.reader(), req.params["id"], IsLive(req));
  if (!s.ok()) return respond(http::ErrorResponse(s.status()));
  respond(Ok(SessionView(*s, c.info.public_url)));
}

void Cancel(Context& c, http::Request& req, http::Respond respond) {
  WriteValue<Session>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"]](Db& db, Session& session) {
        return CancelSession(db, call.livemode, id, call.now, &session);
      },
      [&c](const Session& s) { return SessionView(s, c.info.public_url); });
}

struct PayBody {
  PayRequest card;
  std::string rail;  // "lightning" / "onchain": through the sandbox instead of a card
};

Result<PayBody> ParsePay(const std::string& text) {
  auto body = ParseObject(text);
  if (!body.ok()) return body.status();
  JOPAY_RETURN_IF_ERROR(RejectUnknown(*body, {"card", "email", "name", "rail"}));
  std::optional<std::string> card, email, name, rail;
  JOPAY_RETURN_IF_ERROR(GetString(*body, "card", card, 40));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "rail", rail, 20));
  if (card.has_value() == rail.has_value()) {
    return Status::Invalid("give either card (a test card number) or rail (lightning, onchain)",
                           card ? "rail" : "card");
  }
  if (rail && *rail != "lightning" && *rail != "onchain") {
    return Status::Invalid("rail must be lightning or onchain", "rail");
  }
  JOPAY_RETURN_IF_ERROR(GetString(*body, "email", email, 254));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "name", name, 200));
  return PayBody{{card.value_or(""), email.value_or(""), name.value_or("")}, rail.value_or("")};
}

// Test mode: the session's subscription starts on `rail` (or keeps the charge it has there)
// and the sandbox's charge is paid, as the hosted page's button and a wallet would.
Status PayOnRail(Db& db, Engine& engine, bool live, const std::string& id, const PayBody& p,
                 UnixSeconds now) {
  if (live) {
    return Status::Invalid("Only test-mode sessions are paid with the sandbox's Lightning or "
                           "on-chain charges.", "rail", "livemode_unavailable");
  }
  std::string payment_id;
  JOPAY_RETURN_IF_ERROR(StartSessionOnPushRail(db, engine, live, id, p.rail, p.card.email, now,
                                               &payment_id));
  if (payment_id.empty()) return Status::Ok();  // a trial: started, nothing to pay
  auto pay = LoadPayment(db, payment_id, live);
  auto push = pay.ok() ? LoadPushCharge(db, pay->pk) : std::nullopt;
  if (!push || push->provider != "sandbox") {
    return Status::Conflict(fmt::format("The charge {} is with {}: the customer pays it there.",
                                        payment_id, push ? push->provider : "its provider"),
                            "payment_not_payable");
  }
  std::optional<PushApplied> applied;
  return SettlePushPayment(db, engine, payment_id, live, push->charge.amount_sats, now, &applied);
}

// 200 with the completed session, or 402 with the decline (the session stays pending and the
// checkout.payment.failed event is committed either way).
void Pay(Context& c, http::Request& req, http::Respond respond) {
  auto pay = ParsePay(req.body);
  if (!pay.ok()) return respond(http::ErrorResponse(pay.status()));
  struct State {
    Session session;
    PayOutcome outcome;
  };
  auto state = std::make_shared<State>();
  bool live = IsLive(req);
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [&c, state, live, now, id = req.params["id"], p = std::move(*pay)](Db& db) {
        if (p.rail.empty()) {
          return PaySession(db, c.engine, live, id, p.card, now, &state->session,
                            &state->outcome);
        }
        JOPAY_RETURN_IF_ERROR(PayOnRail(db, c.engine, live, id, p, now));
        state->outcome.paid = true;
        auto s = LoadSession(db, id, live);
        if (s.ok()) state->session = std::move(*s);
        return s.status();
      },
      [&c, state, respond](Status st) {
        if (st.ok() && !state->outcome.paid) {
          st = Status::Make(Status::Kind::kPaymentFailed, state->outcome.failure_code,
                            fmt::format("{} (session {} is still payable until {})",
                                        state->outcome.failure_message, state->session.id,
                                        FormatRfc3339(state->session.expires_at)),
                            "card");
        }
        if (!st.ok()) return respond(http::ErrorResponse(st));
        respond(Ok(SessionView(state->session, c.info.public_url)));
      });
}

}  // namespace

void AddSessionRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/sessions", List);
  AddRoute(r, c, "GET", "/v1/sessions/{id}", Get);
  AddRoute(r, c, "POST", "/v1/sessions/{id}/cancel", Cancel);
  AddRoute(r, c, "POST", "/v1/sessions/{id}/pay", Pay);
}

}  // namespace jopay::admin
