// What `jopayctl status` warns an operator about: each warning says what is wrong and what to
// do about it, in one sentence.
#pragma once

#include <boost/json/array.hpp>

#include "daemon/admin/context.h"

namespace jopay::admin {

// The warnings for the mode asked about (`live`), read now: a mode without a payment provider,
// Stripe without a webhook secret, webhook endpoints disabled or failing, a WAL checkpoints
// are not keeping up with, a data directory whose disk is nearly full, a public face nearly
// out of connections.
boost::json::array StatusWarnings(Context& c, Db& db, bool live);

// Disk space is "nearly full" below either figure: a month of renewals of a large store fits
// in what is left over, and SQLite fails every write once the disk is full.
constexpr double kDiskFreeFraction = 0.05;
constexpr int64_t kDiskFreeBytes = int64_t{1} << 30;
// WAL pages left uncopied with no due run holding checkpoints: 64 MiB at 4 KiB pages. A
// passive checkpoint copies everything unless a reader's old snapshot stops it.
constexpr int64_t kWalFramesBehind = 16384;

}  // namespace jopay::admin
