// The Lightning / Bitcoin server each mode's push rails go through, from the config: BTCPay
// Server when its keys are set for the mode, else SatsPay Server, else none (test mode then
// keeps the sandbox, engine.h). jopayd.conf(5) lists the keys.
#pragma once

#include <memory>

#include "daemon/config.h"
#include "daemon/providers/push_provider.h"

namespace jopay {

std::unique_ptr<PushProvider> MakePushProvider(const Config& c, bool livemode);

}  // namespace jopay
