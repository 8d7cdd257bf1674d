// /v1/sessions: checkout sessions for operators (jopayctl sessions list|get|cancel|pay).
// `pay` does what the hosted checkout page does with a card (test mode: sandbox cards).
#include <fmt/core.h>

#include <algorithm>

#include "common/json_fields.h"
#include "daemon/admin/context.h"
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

Result<PayRequest> ParsePay(const std::string& text) {
  auto body = ParseObject(text);
  if (!body.ok()) return body.status();
  JOPAY_RETURN_IF_ERROR(RejectUnknown(*body, {"card", "email", "name"}));
  std::optional<std::string> card, email, name;
  JOPAY_RETURN_IF_ERROR(GetString(*body, "card", card, 40));
  JOPAY_RETURN_IF_ERROR(Require(card.has_value(), "card"));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "email", email, 254));
  JOPAY_RETURN_IF_ERROR(GetString(*body, "name", name, 200));
  return PayRequest{*card, email.value_or(""), name.value_or("")};
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
        return PaySession(db, c.engine, live, id, p, now, &state->session, &state->outcome);
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
