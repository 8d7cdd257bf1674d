#include "daemon/email/unsubscribe.h"

#include <fmt/core.h>

#include "common/crypto.h"
#include "daemon/email/queue.h"
#include "daemon/pages/html.h"
#include "daemon/pages/page.h"
#include "daemon/public/context.h"

namespace jopay::email {

namespace {

// 128 bits of the MAC: the token is in a URL, and forging one needs the key.
std::string Mac(std::string_view key, std::string_view customer_id, char mode) {
  return HexEncode(HmacSha256(key, fmt::format("email-unsubscribe:{}:{}", customer_id, mode)))
      .substr(0, 32);
}

void Show(pub::Context& c, http::Request& req, http::Respond respond) {
  auto who = VerifyUnsubscribeToken(c.signing_key, req.params.at("token"));
  if (!who.ok()) {
    return respond(pages::MessagePage(404, false, "This link is not valid",
                                      "This unsubscribe link is damaged or was not sent by us."));
  }
  std::string body = pages::Fill(
      "<h1>Stop reminders?</h1>"
      "<p>You will no longer get reminders such as a trial ending or a card about to expire. "
      "Receipts and notices about your subscription still come.</p>"
      "<form method=\"post\" action=\"{action}\"><button type=\"submit\" id=\"unsubscribe\">"
      "Stop reminders</button></form>",
      {{"action", req.params.at("token")}});
  respond(pages::HtmlAnswer(200, pages::Layout("Stop reminders", !who->livemode, body)));
}

// The button, or a mail client's one-click POST (RFC 8058: body "List-Unsubscribe=One-Click"):
// either way the same change, done once however often it is asked.
void Unsubscribe(pub::Context& c, http::Request& req, http::Respond respond) {
  auto who = VerifyUnsubscribeToken(c.signing_key, req.params.at("token"));
  if (!who.ok()) {
    return respond(pages::MessagePage(404, false, "This link is not valid",
                                      "This unsubscribe link is damaged or was not sent by us."));
  }
  bool test = !who->livemode;
  c.store.writer().Submit(
      [who = *who, now = c.clock.Now()](Db& db) {
        TurnRemindersOff(db, who.customer_id, who.livemode, now);
        return Status::Ok();
      },
      [respond, test](Status st) {
        if (!st.ok()) return respond(pages::ErrorPage());
        respond(pages::MessagePage(200, test, "Reminders stopped",
                                   "You will get no more reminders. Receipts and notices about "
                                   "your subscription still come."));
      });
}

}  // namespace

std::string UnsubscribeToken(std::string_view key, std::string_view customer_id, bool livemode) {
  char mode = livemode ? 'l' : 't';
  return fmt::format("{}.{}.{}", customer_id, mode, Mac(key, customer_id, mode));
}

std::string UnsubscribeUrl(std::string_view public_url, std::string_view key,
                           std::string_view customer_id, bool livemode) {
  return fmt::format("{}/email/unsubscribe/{}", public_url,
                     UnsubscribeToken(key, customer_id, livemode));
}

Result<Unsubscriber> VerifyUnsubscribeToken(std::string_view key, std::string_view token) {
  size_t dot2 = token.rfind('.');
  size_t dot1 = dot2 == std::string_view::npos || dot2 == 0 ? std::string_view::npos
                                                            : token.rfind('.', dot2 - 1);
  if (dot1 == std::string_view::npos || dot2 - dot1 != 2) {
    return Status::NotFound("not an unsubscribe token");
  }
  std::string_view customer = token.substr(0, dot1);
  char mode = token[dot1 + 1];
  if ((mode != 't' && mode != 'l') ||
      !ConstantTimeEquals(token.substr(dot2 + 1), Mac(key, customer, mode))) {
    return Status::NotFound("not an unsubscribe token");
  }
  return Unsubscriber{std::string(customer), mode == 'l'};
}

void AddUnsubscribeRoutes(http::Router& r, pub::Context& c) {
  pub::AddOpenRoute(r, c, "GET", "/email/unsubscribe/{token}", Show, pages::ErrorPage);
  pub::AddOpenRoute(r, c, "POST", "/email/unsubscribe/{token}", Unsubscribe, pages::ErrorPage);
}

}  // namespace jopay::email
