// Internal to daemon/checkout: the row-level writes and the expiry query behind session.h.
#pragma once

#include <vector>

#include "daemon/checkout/session.h"

namespace jopay {

void InsertSession(Db& db, const Session& s);
// Writes the columns that change over a session's life.
void SaveSession(Db& db, const Session& s);
// Up to `limit` pending sessions (both modes) with expires_at <= until, earliest first.
std::vector<Session> LoadExpiring(Db& db, UnixSeconds until, int limit);

}  // namespace jopay
