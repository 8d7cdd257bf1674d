// The daemon's email settings (the smtp-* and email-* keys of jopayd.conf(5)) read into what
// the email sender works with. Each reader refuses a bad value with kInvalid naming its key,
// and no message ever quotes smtp-password.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "common/status.h"
#include "daemon/clock/clock.h"
#include "daemon/config.h"
#include "daemon/email/mime_message.h"
#include "daemon/email/queue.h"
#include "daemon/email/sender.h"
#include "daemon/email/smtp_client.h"
#include "daemon/store/store.h"

namespace jopay::email {

// "none", "starttls" or "tls".
Result<SmtpTls> ParseTls(const std::string& text);
// "receipt,trial_ending", "all" or "" (none): the kinds turned off; `key` names the setting.
Result<std::set<std::string>> ParseKinds(const std::string& text, const std::string& key);
// "Shop <billing@shop.example>" or "billing@shop.example".
Result<Mailbox> ParseFrom(const std::string& text);
// "1m,5m,1h": growing or equal delays (email-retry-schedule).
Result<RetrySchedule> ParseRetrySchedule(const std::string& text);

// Every email key checked (ParseConfig calls it): the values' shapes, and that a relay has a
// sender address. Unset smtp-host is fine (email is off) whatever else is set.
Status CheckSettings(const Config& c);

// The sender for `c`, or null when smtp-host is not set (no email is queued at all). Reads
// the templates directory; Sender::SetLinks gives it the public URL and key before it starts.
Result<std::unique_ptr<Sender>> MakeSender(const Config& c, Store& store, Clock& clock);
// With email off, the fan-out cursor is dropped (writer job), so that turning email on later
// starts at that moment's events instead of mailing every customer about the time between.
Status ForgetCursor(Store& store);

}  // namespace jopay::email
