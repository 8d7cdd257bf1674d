// The email keys of jopayd's settings (smtp-*, email-*): declared here, kept out of config.cc
// so that file keeps one screen per provider. Their meaning: jopayd.conf(5), EMAIL.
#pragma once

#include "common/status.h"
#include "daemon/config.h"

namespace CLI {
class App;
}

namespace jopay {

void AddEmailOptions(CLI::App& app, Config& c);
// The values' shapes (daemon/email/settings.h CheckSettings).
Status CheckEmailConfig(const Config& c);

}  // namespace jopay
