#include "common/status.h"

namespace jopay {

int Status::http_status() const {
  switch (kind_) {
    case Kind::kOk: return 200;
    case Kind::kInvalid: return 400;
    case Kind::kUnauthenticated: return 401;
    case Kind::kPaymentFailed: return 402;
    case Kind::kForbidden: return 403;
    case Kind::kNotFound: return 404;
    case Kind::kMethodNotAllowed: return 405;
    case Kind::kConflict: return 409;
    case Kind::kTooLarge: return 413;
    case Kind::kUnsupportedMedia: return 415;
    case Kind::kTooManyRequests: return 429;
    case Kind::kUnavailable: return 503;
    case Kind::kInternal: return 500;
  }
  return 500;
}

Status::Kind Status::KindForHttp(int s) {
  switch (s) {
    case 400: case 422: return Kind::kInvalid;
    case 401: return Kind::kUnauthenticated;
    case 402: return Kind::kPaymentFailed;
    case 403: return Kind::kForbidden;
    case 404: return Kind::kNotFound;
    case 405: return Kind::kMethodNotAllowed;
    case 409: return Kind::kConflict;
    case 413: return Kind::kTooLarge;
    case 415: return Kind::kUnsupportedMedia;
    case 429: return Kind::kTooManyRequests;
    case 503: return Kind::kUnavailable;
    default: return s < 300 ? Kind::kOk : Kind::kInternal;
  }
}

}  // namespace jopay
