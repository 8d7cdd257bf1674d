// Turns a queued email (queue.h) into the message the customer gets: reads what it is about
// (the event's data, the invoice, the card), fills its kind's template (templates.h) and
// builds the MIME message (mime_message.h). Runs on the sender's thread with its reader; it
// writes nothing.
//
// What each message says comes from rows that do not change (the event's data, the issued
// invoice), so a retry or a resend says the same thing, with the same Date (when its cause
// happened, on the billing clock) and Message-ID (from the email's id). Only the portal link is
// minted afresh at each send: it is a bearer token that grants the subscription for
// kEmailPortalTtl, long enough to act on a reminder, short enough that an old email does not
// open the account for good.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "daemon/email/mime_message.h"
#include "daemon/email/queue.h"
#include "daemon/email/templates.h"
#include "daemon/store/db.h"

namespace jopay::email {

inline constexpr int64_t kEmailPortalTtl = 7 * 86400;

struct ComposerConfig {
  Mailbox from;               // smtp-from (its name, else merchant-name)
  std::string merchant_name;  // "" = from.name
  std::string support_email;  // merchant-support-email: Reply-To and the footer; "" = none
  std::string public_url;     // base of portal and unsubscribe links; "" = no links
  std::string signing_key;    // the public face's token key (public/tokens.h)
};

class Composer {
 public:
  Composer(ComposerConfig config, Templates templates)
      : config_(std::move(config)), templates_(std::move(templates)) {}

  // The message for `row`. kInvalid "email_invalid" when it cannot be built, which no retry
  // mends (an address a relay cannot take); other failures (a row it needs is missing,
  // rendering a PDF failed) are kInternal / kUnavailable.
  Result<MimeMessage> Compose(Db& db, const EmailRow& row, UnixSeconds billing_now) const;

  const ComposerConfig& config() const { return config_; }
  void SetLinks(std::string public_url, std::string signing_key) {
    config_.public_url = std::move(public_url);
    config_.signing_key = std::move(signing_key);
  }

 private:
  ComposerConfig config_;
  Templates templates_;
};

// "28 February 2025" (UTC).
std::string HumanDate(UnixSeconds t);

}  // namespace jopay::email
