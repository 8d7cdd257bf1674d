// Where the manual clock's simulated time is kept between runs (the meta row 'clock_now'):
// loaded at start, saved after every move, so a restarted test daemon carries on from it.
#pragma once

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/db.h"

namespace jopay {

// The saved simulated time; else `clock_start` (RFC 3339) when given; else the system time.
Result<UnixSeconds> LoadManualClock(Db& reader, const std::string& clock_start);
// Saves `now` as the simulated time (inside a writer job).
void SaveManualClock(Db& db, UnixSeconds now);

}  // namespace jopay
