#include "cli/exit_code.h"

namespace jopay::cli {

Status UsageError(std::string message) {
  return Status::Make(Status::Kind::kInvalid, "usage", std::move(message));
}

int ExitCodeFor(const Status& status) {
  using K = Status::Kind;
  if (status.code() == "usage") return kExitUsage;
  switch (status.kind()) {
    case K::kOk: return kExitOk;
    case K::kInvalid:
    case K::kPaymentFailed:
    case K::kConflict:
    case K::kTooLarge:
    case K::kUnsupportedMedia: return kExitInvalid;
    case K::kUnauthenticated:
    case K::kForbidden: return kExitPermission;
    case K::kNotFound: return kExitNotFound;
    case K::kUnavailable:
    case K::kTooManyRequests: return kExitUnreachable;
    case K::kMethodNotAllowed:
    case K::kInternal: return kExitError;
  }
  return kExitError;
}

void PrintError(std::ostream& err, const Status& status) {
  err << "jopayctl: error: " << status.message();
  if (!status.param().empty()) err << " (param: " << status.param() << ")";
  err << '\n';
}

}  // namespace jopay::cli
