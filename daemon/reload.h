// A SIGHUP reload: jopayd reads its configuration again and applies what it can change while
// it runs (the log level, Stripe's keys and webhook secrets for a mode that has Stripe, and
// whether live webhook endpoints may be internal), without dropping a request. Everything
// else keeps its running value until a restart; jopayd names those keys in its log.
#pragma once

#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/providers/stripe/provider.h"
#include "daemon/webhooks/dispatcher.h"

namespace jopay {

struct Reloadable {
  stripe::Accounts& stripe;
  webhooks::Dispatcher& dispatcher;
};

// Applies `fresh` where `running` differs and can change live, then makes `running` hold what
// is now in force. Returns the keys that changed but wait for a restart.
std::vector<std::string> ApplyReload(Config& running, const Config& fresh, Reloadable& live);

// Sets the log level named in the config ("debug", "info", "warn", "error").
void ApplyLogLevel(const std::string& level);
// "text" or "json" (--log-format).
void ApplyLogFormat(const std::string& format);

}  // namespace jopay
