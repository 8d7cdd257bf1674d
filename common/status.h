// Status: the outcome of an operation in the core (LevelDB style).
//
// A Status is either ok or carries a Kind (which decides the HTTP status and
// the jopayctl exit code), a stable machine-readable code ("parameter_invalid",
// "card_declined", ...), a human message and, where one input is to blame, the
// name of that parameter. Errors become JSON only at the edges (routes, CLI).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace jopay {

class Status {
 public:
  enum class Kind {
    kOk,
    kInvalid,          // 400: bad input
    kUnauthenticated,  // 401
    kPaymentFailed,    // 402: a card was declined
    kForbidden,        // 403
    kNotFound,         // 404
    kMethodNotAllowed, // 405
    kConflict,         // 409: valid input, wrong state
    kTooLarge,         // 413
    kUnsupportedMedia, // 415: a body of a Content-Type the route does not take
    kTooManyRequests,  // 429: a rate limit
    kUnavailable,      // 503
    kInternal,         // 500
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string message, std::string param = "",
                        std::string code = "parameter_invalid") {
    return Status(Kind::kInvalid, std::move(code), std::move(message), std::move(param));
  }
  static Status NotFound(std::string message, std::string param = "") {
    return Status(Kind::kNotFound, "resource_missing", std::move(message), std::move(param));
  }
  static Status Conflict(std::string message, std::string code = "invalid_state") {
    return Status(Kind::kConflict, std::move(code), std::move(message), "");
  }
  static Status PaymentFailed(std::string code, std::string message) {
    return Status(Kind::kPaymentFailed, std::move(code), std::move(message), "");
  }
  static Status Internal(std::string message) {
    return Status(Kind::kInternal, "internal_error", std::move(message), "");
  }
  static Status Unavailable(std::string message) {
    return Status(Kind::kUnavailable, "unavailable", std::move(message), "");
  }
  static Status Make(Kind kind, std::string code, std::string message, std::string param = "") {
    return Status(kind, std::move(code), std::move(message), std::move(param));
  }

  bool ok() const { return kind_ == Kind::kOk; }
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& param() const { return param_; }

  // HTTP status for this outcome (200 when ok).
  int http_status() const;
  // The Kind for an HTTP status received from the daemon (the CLI's side).
  static Kind KindForHttp(int http_status);

 private:
  Status(Kind kind, std::string code, std::string message, std::string param)
      : kind_(kind), code_(std::move(code)), message_(std::move(message)),
        param_(std::move(param)) {}

  Kind kind_ = Kind::kOk;
  std::string code_;
  std::string message_;
  std::string param_;
};

// A value or the Status that explains why there is none.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// Early return of a failed Status from an expression.
#define JOPAY_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::jopay::Status _st = (expr);            \
    if (!_st.ok()) return _st;               \
  } while (0)

}  // namespace jopay
