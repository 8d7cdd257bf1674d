#include "daemon/email/smtp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/crypto.h"
#include "common/validate.h"

namespace jopay::email {

namespace {

constexpr const char* kUnavailable = "smtp_unavailable";
constexpr const char* kRejected = "smtp_rejected";
constexpr size_t kMaxLine = 4096;  // RFC 5321 4.5.3.1.5 caps a reply line at 512; be lenient

Status Unavailable(std::string message) {
  return Status::Make(Status::Kind::kUnavailable, kUnavailable, std::move(message));
}

Status Rejected(std::string message) {
  return Status::Make(Status::Kind::kInvalid, kRejected, std::move(message));
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The newest OpenSSL error, or `fallback`.
std::string TlsError(const char* fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// A connected, blocking socket with read and write timeouts, or why there is none.
Result<int> ConnectTo(const addrinfo* ai, const SmtpSettings& s) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0) return Unavailable(fmt::format("socket: {}", strerror(errno)));
  int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int ms = static_cast<int>(std::chrono::milliseconds(s.connect_timeout).count());
    rc = ::poll(&p, 1, ms);
    if (rc == 0) {
      ::close(fd);
      return Unavailable("connecting timed out");
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (rc < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    rc = err == 0 ? 0 : -1;
    errno = err;
  }
  if (rc != 0) {
    std::string why = strerror(errno);
    ::close(fd);
    return Unavailable(why);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(s.io_timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

bool IsIpAddress(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// Printable UTF-8 of the relay's words, cut to `max` bytes.
std::string Printable(std::string_view text, size_t max) {
  std::string out = ToValidUtf8(text.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace

bool IsPermanent(const Status& s) { return s.code() == kRejected; }

std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  out += ".\r\n";
  return out;
}

SmtpReply ParseReply(const std::vector<std::string>& lines) {
  SmtpReply r;
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    bool digits = l.size() >= 3 && std::all_of(l.begin(), l.begin() + 3, [](char c) {
      return c >= '0' && c <= '9';
    });
    bool last = i + 1 == lines.size();
    char sep = l.size() > 3 ? l[3] : ' ';
    if (!digits || (last ? sep != ' ' : sep != '-')) return {};
    int code = std::stoi(l.substr(0, 3));
    if (i > 0 && code != r.code) return {};
    r.code = code;
    if (l.size() > 4) text += (text.empty() ? "" : " ") + l.substr(4);
  }
  r.text = Printable(text, 300);
  return r;
}

Result<std::unique_ptr<SmtpSession>> SmtpSession::Open(const SmtpSettings& settings) {
  std::unique_ptr<SmtpSession> s(new SmtpSession(settings));
  Status st = s->Connect();
  if (st.ok() && settings.tls == SmtpTls::kImplicit) st = s->StartTls();
  if (st.ok()) st = s->Greet();
  if (st.ok()) st = s->Ehlo();
  if (st.ok() && settings.tls == SmtpTls::kStartTls) {
    bool offered = std::find(s->extensions_.begin(), s->extensions_.end(), "STARTTLS") !=
                   s->extensions_.end();
    if (!offered) {
      return Unavailable(fmt::format("{}:{} does not offer STARTTLS (smtp-tls = starttls)",
                                     settings.host, settings.port));
    }
    SmtpReply r = s->Command("STARTTLS");
    st = s->Expect(r, 220, "STARTTLS", false);
    if (st.ok()) st = s->StartTls();
    if (st.ok()) st = s->Ehlo();  // RFC 3207 4.2: what was learnt before TLS is forgotten
  }
  if (st.ok() && !settings.user.empty()) st = s->Authenticate();
  if (!st.ok()) return st;
  return s;
}

SmtpSession::~SmtpSession() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (int fd = fd_.exchange(-1); fd >= 0) ::close(fd);
}

void SmtpSession::Abort() {
  int fd = fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

Status SmtpSession::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string port = std::to_string(settings_.port);
  int rc = ::getaddrinfo(settings_.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) {
    return Unavailable(fmt::format("cannot resolve {}: {}", settings_.host, gai_strerror(rc)));
  }
  std::string last = "no address";
  for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
    auto fd = ConnectTo(ai, settings_);
    if (fd.ok()) {
      fd_ = *fd;
      ::freeaddrinfo(list);
      return Status::Ok();
    }
    last = fd.status().message();
  }
  ::freeaddrinfo(list);
  return Unavailable(fmt::format("cannot connect to {}:{}: {}", settings_.host, settings_.port, last));
}

Status SmtpSession::StartTls() {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) return Unavailable(TlsError("cannot make a TLS context"));
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  int loaded = settings_.ca_file.empty()
                   ? SSL_CTX_set_default_verify_paths(ctx_)
                   : SSL_CTX_load_verify_locations(ctx_, settings_.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    return Unavailable(fmt::format("cannot load the CA certificates{}: {}",
                                   settings_.ca_file.empty() ? "" : " of " + settings_.ca_file,
                                   TlsError("unknown error")));
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  ssl_ = SSL_new(ctx_);
  if (!ssl_ || SSL_set_fd(ssl_, fd_.load()) != 1) return Unavailable(TlsError("cannot start TLS"));
  const std::string& host = settings_.host;
  if (IsIpAddress(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set1_host(ssl_, host.c_str());
  }
  if (SSL_connect(ssl_) != 1) {
    long verify = SSL_get_verify_result(ssl_);
    std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                                          : TlsError("the handshake failed");
    SSL_free(ssl_);
    ssl_ = nullptr;
    broken_ = Unavailable(fmt::format("TLS with {}:{} failed: {}", host, settings_.port, why));
    return broken_;
  }
  buffer_.clear();  // nothing read in the clear may be taken as said under TLS (RFC 3207 6)
  return Status::Ok();
}

Status SmtpSession::Greet() {
  SmtpReply r = ReadReply();
  return Expect(r, 220, "the greeting", false);
}

Status SmtpSession::Ehlo() {
  extensions_.clear();  // ReadReply fills it from the 250 lines
  SmtpReply r = Command("EHLO " + settings_.helo_name);
  if (r.code == 0) return Expect(r, 250, "EHLO", false);
  if (r.code != 250) {  // an old relay without ESMTP
    r = Command("HELO " + settings_.helo_name);
    return Expect(r, 250, "HELO", false);
  }
  return Status::Ok();
}

Status SmtpSession::Authenticate() {
  auto mechanisms = [this](std::string_view mech) {
    for (const std::string& e : extensions_) {
      if ((e.starts_with("AUTH ") || e.starts_with("AUTH=")) &&
          (" " + e.substr(5) + " ").find(" " + std::string(mech) + " ") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  const std::string& user = settings_.user;
  const std::string& password = settings_.password;
  SmtpReply r;
  if (mechanisms("PLAIN")) {
    r = Command("AUTH PLAIN " + Base64Encode(std::string(1, '\0') + user + '\0' + password));
  } else if (mechanisms("LOGIN")) {
    r = Command("AUTH LOGIN");
    if (r.code == 334) r = Command(Base64Encode(user));
    if (r.code == 334) r = Command(Base64Encode(password));
  } else {
    return Unavailable(fmt::format("{}:{} offers neither AUTH PLAIN nor AUTH LOGIN{}",
                                   settings_.host, settings_.port,
                                   settings_.tls == SmtpTls::kNone ? " (many relays offer AUTH "
                                   "only over TLS: smtp-tls)" : ""));
  }
  return Expect(r, 235, "AUTH (check smtp-user and smtp-password)", false);
}

Status SmtpSession::WriteAll(std::string_view bytes) {
  if (!broken_.ok()) return broken_;
  while (!bytes.empty()) {
    ssize_t n;
    if (ssl_) {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 20)));
    } else {
      n = ::send(fd_.load(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (n <= 0) {
      std::string why = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno);
      if (ssl_) ERR_clear_error();
      broken_ = Unavailable(fmt::format("writing to {}:{} failed: {}", settings_.host,
                                        settings_.port, why));
      return broken_;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SmtpSession::ReadLine(std::string& line) {
  if (!broken_.ok()) return broken_;
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      line = buffer_.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buffer_.erase(0, nl + 1);
      return Status::Ok();
    }
    if (buffer_.size() > kMaxLine) {
      broken_ = Unavailable("the relay sent a line longer than 4096 bytes");
      return broken_;
    }
    char chunk[4096];
    errno = 0;
    ssize_t n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : ::recv(fd_.load(), chunk, sizeof chunk, 0);
    if (n <= 0) {
      std::string why = n == 0 || errno == 0 ? "the relay closed the connection"
                        : errno == EAGAIN || errno == EWOULDBLOCK ? "no answer in time"
                                                                  : strerror(errno);
      if (ssl_) ERR_clear_error();
      broken_ = Unavailable(fmt::format("reading from {}:{} failed: {}", settings_.host,
                                        settings_.port, why));
      return broken_;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

SmtpReply SmtpSession::ReadReply() {
  std::vector<std::string> lines;
  std::string line;
  while (ReadLine(line).ok()) {
    lines.push_back(line);
    if (line.size() < 4 || line[3] != '-') {
      SmtpReply r = ParseReply(lines);
      if (r.code == 0) broken_ = Unavailable("the relay's answer is not SMTP");
      if (r.code == 250) {  // keep EHLO's keywords (harmless for other 250s)
        for (size_t i = 1; i < lines.size(); ++i) extensions_.push_back(Upper(lines[i].substr(4)));
      }
      return r;
    }
    if (lines.size() > 100) break;
  }
  if (broken_.ok()) broken_ = Unavailable("the relay's answer is not SMTP");
  return {};
}

SmtpReply SmtpSession::Command(std::string_view line) {
  if (!WriteAll(std::string(line) + "\r\n").ok()) return {};
  return ReadReply();
}

Status SmtpSession::Expect(const SmtpReply& r, int want, std::string_view after,
                           bool rejected_for_good) {
  if (r.code == want || (want == 250 && r.code == 251)) return Status::Ok();
  if (r.code == 0) return broken_.ok() ? Unavailable("no answer from the relay") : broken_;
  std::string message =
      fmt::format("{}:{} answered {} {} to {}", settings_.host, settings_.port, r.code, r.text, after);
  if (rejected_for_good && r.code >= 500) return Rejected(std::move(message));
  return Unavailable(std::move(message));
}

void SmtpSession::Reset() { Command("RSET"); }

Status SmtpSession::Send(std::string_view from, std::string_view to, std::string_view message) {
  // A 5xx to MAIL FROM is about the sender (smtp-from), not this message: every message would
  // get it, so it waits for the operator rather than failing them all for good.
  SmtpReply r = Command(fmt::format("MAIL FROM:<{}>", from));
  Status st = Expect(r, 250, "MAIL FROM", false);
  if (st.ok()) st = Expect(Command(fmt::format("RCPT TO:<{}>", to)), 250, "RCPT TO", true);
  if (st.ok()) st = Expect(Command("DATA"), 354, "DATA", true);
  if (st.ok()) st = WriteAll(DotStuff(message));
  if (st.ok()) st = Expect(ReadReply(), 250, "the message", true);
  if (!st.ok() && broken_.ok()) Reset();
  return st;
}

void SmtpSession::Quit() {
  if (broken_.ok()) Command("QUIT");
  if (ssl_) SSL_shutdown(ssl_);
  broken_ = Unavailable("the session has ended");
}

}  // namespace jopay::email
