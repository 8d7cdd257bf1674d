// Turning reminders off from the email itself: the List-Unsubscribe link of reminder emails
// (trial ending, card expiring), RFC 2369 with RFC 8058 one-click.
//
// The link is <public_url>/email/unsubscribe/<token>, the token "<customer id>.<t|l>.<mac>"
// with mac = the first 32 hex digits of HMAC-SHA256(signing key, "email-unsubscribe:<customer
// id>:<t|l>"): it names one customer in one mode, cannot be made without the daemon's key,
// and never expires (an unsubscribe link must keep working). GET shows a page with one button;
// POST (the button, or a mail client's one-click POST with "List-Unsubscribe=One-Click")
// records customers.reminders_off_at, after which the fan-out writes no reminder for that
// customer. Receipts and notices about the subscription itself are not reminders and still go.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/http/router.h"

namespace jopay::pub {
struct Context;
}

namespace jopay::email {

std::string UnsubscribeToken(std::string_view key, std::string_view customer_id, bool livemode);
std::string UnsubscribeUrl(std::string_view public_url, std::string_view key,
                           std::string_view customer_id, bool livemode);

struct Unsubscriber {
  std::string customer_id;
  bool livemode = false;
};
// The customer a token names, if its MAC verifies; kNotFound otherwise (a page says the link
// is not valid, without saying why).
Result<Unsubscriber> VerifyUnsubscribeToken(std::string_view key, std::string_view token);

// GET and POST /email/unsubscribe/{token} on the public face.
void AddUnsubscribeRoutes(http::Router& r, pub::Context& c);

}  // namespace jopay::email
