// The table views of answers that are reports rather than objects: the
// daemon's status and the summary of a billing run (renew, clock set/advance).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/table.h"

namespace jopay::cli {

// renewed, failed, retried, expired, reminders and the money charged per
// currency ("14.99 EUR, 5.00 USD"); a dry run says so first.
std::vector<KeyValue> SummaryRows(const boost::json::object& summary);

// The clock ({mode, now}) and, if the answer has one, the summary it fired.
std::vector<KeyValue> ClockRows(const boost::json::object& clock);

// GET /v1/status as a readable report.
std::vector<KeyValue> StatusRows(const boost::json::object& status);

// "3 active, 1 past_due": the non-zero counts of {status: count}; "none" when all are 0.
std::string StatusCounts(const boost::json::value* by_status);

// "3d 4h", "12m 5s", "0s": a span of seconds in its largest unit and the next.
std::string HumanDuration(int64_t seconds);

}  // namespace jopay::cli
