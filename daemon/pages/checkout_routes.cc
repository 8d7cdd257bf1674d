// GET/POST /checkout/{id}: the hosted checkout page and its payment (see pages.h).
#include <fmt/core.h>

#include "common/log.h"
#include "daemon/pages/checkout_view.h"
#include "daemon/pages/form.h"
#include "daemon/pages/page.h"
#include "daemon/pages/pages.h"
#include "daemon/public/tokens.h"

namespace jopay::pages {

namespace {

// Session ids name their mode nowhere, and the page takes no key: look in test, then live.
Result<Session> FindSession(Db& db, const std::string& id) {
  auto s = LoadSession(db, id, false);
  if (s.ok() || s.status().kind() != Status::Kind::kNotFound) return s;
  return LoadSession(db, id, true);
}

http::Response NotFoundPage() {
  return MessagePage(404, false, "Checkout not found",
                     "There is no checkout at this address. Check the link you were given.");
}

std::string SuccessLink(const Session& s) {
  auto url = WithQueryParam(s.success_url, "session_id", s.id);
  return url.ok() ? *url : s.success_url;
}

http::Response StatePage(const Session& s, int status) {
  return HtmlAnswer(status, SessionStatePage(s, SuccessLink(s)));
}

http::Response FormPage(pub::Context& c, const Session& s, int status, CheckoutForm form) {
  form.token = CheckoutFormToken(c.signing_key, s.id);
  return HtmlAnswer(status, CheckoutPage(s, form));
}

void Show(pub::Context& c, http::Request& req, http::Respond respond) {
  auto s = FindSession(c.store.reader(), req.params["id"]);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  if (!s->Payable(c.clock.Now())) return respond(StatePage(*s, 200));
  respond(FormPage(c, *s, 200, {}));
}

// The answer to a pay attempt that the writer ran: 303 on success, the page with the reason
// otherwise. `form` is what the customer sent (shown again, without the card).
http::Response PayAnswer(pub::Context& c, const std::string& id, const Status& st,
                         const Session& paid, const PayOutcome& outcome, CheckoutForm form) {
  if (st.ok() && outcome.paid) return SeeOther(SuccessLink(paid));
  auto current = FindSession(c.store.reader(), id);
  if (!current.ok()) return NotFoundPage();
  if (st.ok()) {  // declined: the attempt and its event are committed, the session stays payable
    form.error = fmt::format("{} ({})", outcome.failure_message, outcome.failure_code);
    return FormPage(c, *current, 402, std::move(form));
  }
  if (st.kind() == Status::Kind::kConflict) return StatePage(*current, 409);
  if (st.kind() == Status::Kind::kInvalid) {
    form.error = st.message();
    return FormPage(c, *current, 400, std::move(form));
  }
  throw std::runtime_error(st.message());
}

void Pay(pub::Context& c, http::Request& req, http::Respond respond) {
  std::string id = req.params["id"];
  auto s = FindSession(c.store.reader(), id);
  if (!s.ok()) {
    if (s.status().kind() == Status::Kind::kNotFound) return respond(NotFoundPage());
    throw std::runtime_error(s.status().message());
  }
  auto fields = FormOf(req);
  if (!fields.ok()) {
    return respond(MessagePage(fields.status().http_status(), !s->livemode, "Bad request",
                               fields.status().message()));
  }
  auto field = [&](const char* name) {
    auto it = fields->find(name);
    return it == fields->end() ? std::string() : it->second;
  };
  if (!VerifyCheckoutFormToken(c.signing_key, id, field("token"))) {
    return respond(MessagePage(
        403, !s->livemode, "This form has expired",
        "The payment form was not sent from this checkout page, or is out of date. Nothing was "
        "charged. Open the checkout page again to pay.",
        id, "Back to the checkout page"));  // relative: /checkout/{id}
  }
  if (!s->Payable(c.clock.Now())) return respond(StatePage(*s, 409));
  PayRequest pay{field("card"), field("email"), field("name")};
  CheckoutForm form{"", pay.email, pay.name, ""};
  struct State {
    Session session;
    PayOutcome outcome;
  };
  auto state = std::make_shared<State>();
  bool live = s->livemode;
  UnixSeconds now = c.clock.Now();
  c.store.writer().Submit(
      [&c, state, live, now, id, pay = std::move(pay)](Db& db) {
        return PaySession(db, c.engine, live, id, pay, now, &state->session, &state->outcome);
      },
      [&c, state, respond, id, form = std::move(form)](Status st) {
        try {
          respond(PayAnswer(c, id, st, state->session, state->outcome, form));
        } catch (const std::exception& e) {
          LogError("POST /checkout/{}: {}", id, e.what());
          respond(MessagePage(500, false, "Something went wrong", "Please try again later."));
        }
      });
}

}  // namespace

void AddCheckoutPageRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/checkout/{id}", Show, ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/checkout/{id}", Pay, ErrorPage);
}

void AddPageRoutes(http::Router& r, pub::Context& c) {
  AddCheckoutPageRoutes(r, c);
  AddPortalPageRoutes(r, c);
}

}  // namespace jopay::pages
