// A blocking SMTP client (RFC 5321) for handing customer emails to the operator's relay, on the
// email sender's own thread.
//
// A session: connect (every address of the host in turn, each within the connect timeout),
// the greeting, EHLO (HELO for a relay that knows no EHLO), then per `tls`: nothing, STARTTLS
// (RFC 3207) and EHLO again, or TLS from the first byte (port 465, RFC 8314); then AUTH PLAIN or
// LOGIN when a user is set. TLS is OpenSSL with TLS 1.2 at least, the peer's certificate
// verified against the system's CA store (or `ca_file`) and its name against `host` (SNI sent).
// Each message: MAIL FROM, RCPT TO, DATA with dot-stuffing; RSET after a refusal so the session
// goes on with the next message. Every read and write has a timeout; Abort() from another
// thread ends a blocked call at once.
//
// Failures are Status values with one of two codes, which decide what the caller does:
//   "smtp_unavailable" (kUnavailable): no connection, a TLS or AUTH failure, a 4xx answer, a
//     timeout, a 5xx before the recipient was named. Try the message again later.
//   "smtp_rejected" (kInvalid): a 5xx answer to RCPT TO or to the message itself: the relay
//     refuses this message for good; sending it again would be refused again.
// Messages never contain the password: the relay's own words are quoted, the commands that
// carry credentials never are.
//
// Writes over TLS go through write(2), which raises SIGPIPE when the relay has hung up: the
// calling thread must have SIGPIPE blocked (the sender's thread does; plain writes use
// MSG_NOSIGNAL and need nothing).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace jopay::email {

enum class SmtpTls { kNone, kStartTls, kImplicit };

struct SmtpSettings {
  std::string host;
  int port = 587;
  SmtpTls tls = SmtpTls::kStartTls;
  std::string ca_file;    // "" = the system's CA store (honours SSL_CERT_FILE)
  std::string user;       // "" = no AUTH
  std::string password;
  std::string helo_name;  // the name this side gives in EHLO
  std::chrono::seconds connect_timeout{30};
  // Per read or write. RFC 5321 4.5.3.2 allows a relay up to 10 minutes after the final dot;
  // 2 minutes fits every relay in use, and keeps a hung relay from holding the queue long.
  std::chrono::seconds io_timeout{120};
};

// True for "smtp_rejected": the message is refused for good.
bool IsPermanent(const Status& s);

// The relay's answer to one command: its code (0: no answer) and its text, lines joined by
// " " and cut to 300 bytes of printable UTF-8.
struct SmtpReply {
  int code = 0;
  std::string text;
};

class SmtpSession {
 public:
  // Connects and gets the session ready to send: greeting, EHLO, TLS, AUTH.
  static Result<std::unique_ptr<SmtpSession>> Open(const SmtpSettings& settings);
  ~SmtpSession();
  SmtpSession(const SmtpSession&) = delete;
  SmtpSession& operator=(const SmtpSession&) = delete;

  // Hands one message (CRLF lines, as BuildMime makes it) to the relay for `to`. Ok only once
  // the relay answered 250 to its final dot: from then on the relay has it.
  Status Send(std::string_view from, std::string_view to, std::string_view message);
  // QUIT, ignoring the answer; the session is closed afterwards.
  void Quit();
  // From another thread: shuts the connection down so a blocked read or write fails now.
  void Abort();

 private:
  explicit SmtpSession(const SmtpSettings& settings) : settings_(settings) {}
  Status Connect();
  Status Greet();
  Status Ehlo();
  Status StartTls();
  Status Authenticate();
  Status WriteAll(std::string_view bytes);
  Status ReadLine(std::string& line);
  SmtpReply ReadReply();
  // Writes `line` + CRLF and reads the answer. `shown` is what an error quotes of the command.
  SmtpReply Command(std::string_view line);
  Status Expect(const SmtpReply& r, int want, std::string_view after, bool rejected_for_good);
  void Reset();

  SmtpSettings settings_;
  std::atomic<int> fd_{-1};
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;  // read but not yet consumed
  std::vector<std::string> extensions_;  // EHLO keywords, uppercased ("STARTTLS", "AUTH PLAIN LOGIN")
  Status broken_;       // set once the connection can no longer be used
};

// `message` with every line that starts with "." given another (RFC 5321 4.5.2), ending in
// CRLF, then the terminating ".\r\n".
std::string DotStuff(std::string_view message);

// Parses one reply from its lines ("250-first", "250 last"); code 0 when they do not form one.
SmtpReply ParseReply(const std::vector<std::string>& lines);

}  // namespace jopay::email
