// jopayctl's exit codes: stable, documented in jopayctl(1).
//
//   0 ok · 1 other error · 2 usage · 3 permission/auth · 4 not found ·
//   5 invalid input or conflict (HTTP 400/402/409/413) · 8 daemon unreachable
#pragma once

#include <ostream>
#include <string>

#include "common/status.h"

namespace jopay::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitPermission = 3,
  kExitNotFound = 4,
  kExitInvalid = 5,
  kExitUnreachable = 8,
};

// A usage error found by jopayctl itself (exit 2), e.g. a refused --live
// command without --confirm. Its code is "usage".
Status UsageError(std::string message);

// The exit code for a failed (or ok) Status.
int ExitCodeFor(const Status& status);

// "jopayctl: error: <message>" plus " (param: x)" when one input is to blame.
void PrintError(std::ostream& err, const Status& status);

}  // namespace jopay::cli
