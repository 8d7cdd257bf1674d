#include "daemon/email/smtp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <functional>
#include <thread>

namespace jopay::email {
namespace {

// A one-connection SMTP relay on 127.0.0.1 that answers each command line with what `answer`
// says ("" = say nothing, close) and keeps everything it received.
class ScriptedRelay {
 public:
  explicit ScriptedRelay(std::function<std::string(const std::string&)> answer)
      : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listener_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedRelay() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  const std::string& received() const { return received_; }

 private:
  void Serve() {
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    std::string greeting = answer_("");
    ::send(fd, greeting.data(), greeting.size(), MSG_NOSIGNAL);
    std::string pending;
    bool in_data = false;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      bool closed = false;
      while ((nl = pending.find("\r\n")) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 2);
        if (in_data && line != ".") continue;
        std::string reply = answer_(in_data ? "." : line);
        in_data = !in_data && reply.starts_with("354");
        if (reply.empty()) {
          closed = true;
          break;
        }
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      if (closed) break;
    }
    ::close(fd);
  }

  std::function<std::string(const std::string&)> answer_;
  int listener_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread thread_;
};

// A well-behaved relay; `rcpt` is its answer to RCPT TO.
std::function<std::string(const std::string&)> Relay(std::string rcpt = "250 ok\r\n") {
  return [rcpt](const std::string& line) -> std::string {
    if (line.empty()) return "220 relay.test ESMTP\r\n";
    if (line.starts_with("EHLO")) return "250-relay.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n";
    if (line.starts_with("AUTH PLAIN")) return "235 ok\r\n";
    if (line.starts_with("RCPT")) return rcpt;
    if (line == "DATA") return "354 go on\r\n";
    if (line == "QUIT") return "221 bye\r\n";
    return "250 ok\r\n";
  };
}

SmtpSettings Plain(int port) {
  SmtpSettings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.tls = SmtpTls::kNone;
  s.helo_name = "jopay.test";
  s.io_timeout = std::chrono::seconds(2);
  return s;
}

TEST_CASE("dot-stuffing doubles a leading dot and ends with the lone dot") {
  CHECK(DotStuff("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n");
  CHECK(DotStuff(".\r\nx") == "..\r\nx\r\n.\r\n");
}

TEST_CASE("replies: multi-line, codes must agree, garbage is no reply") {
  SmtpReply r = ParseReply({"250-relay.test", "250-STARTTLS", "250 SIZE 10"});
  CHECK(r.code == 250);
  CHECK(r.text == "relay.test STARTTLS SIZE 10");
  CHECK(ParseReply({"250-a", "251 b"}).code == 0);
  CHECK(ParseReply({"25x ok"}).code == 0);
  CHECK(ParseReply({"250-a"}).code == 0);
  CHECK(ParseReply({"354"}).code == 354);
}

TEST_CASE("a message goes through MAIL, RCPT, DATA, dot-stuffed, with AUTH PLAIN") {
  ScriptedRelay relay(Relay());
  SmtpSettings s = Plain(relay.port());
  s.user = "shop";
  s.password = "s3cret";
  auto session = SmtpSession::Open(s);
  REQUIRE(session.ok());
  CHECK((*session)->Send("billing@shop.example", "ana@example.com", "Subject: x\r\n\r\n.hi\r\n").ok());
  (*session)->Quit();
  session->reset();
  const std::string& got = relay.received();
  CHECK(got.find("EHLO jopay.test\r\n") != std::string::npos);
  CHECK(got.find("AUTH PLAIN AHNob3AAczNjcmV0\r\n") != std::string::npos);  // \0shop\0s3cret
  CHECK(got.find("MAIL FROM:<billing@shop.example>\r\n") != std::string::npos);
  CHECK(got.find("RCPT TO:<ana@example.com>\r\n") != std::string::npos);
  CHECK(got.find("\r\n..hi\r\n.\r\n") != std::string::npos);
}

TEST_CASE("a 5xx to RCPT is permanent, a 4xx is for later, and the session goes on") {
  ScriptedRelay relay([](const std::string& line) -> std::string {
    if (line.starts_with("RCPT TO:<gone@")) return "550 5.1.1 no such user\r\n";
    if (line.starts_with("RCPT TO:<busy@")) return "451 4.3.0 try later\r\n";
    return Relay()(line);
  });
  auto session = SmtpSession::Open(Plain(relay.port()));
  REQUIRE(session.ok());
  Status gone = (*session)->Send("a@shop.example", "gone@example.com", "x\r\n");
  CHECK(IsPermanent(gone));
  CHECK(gone.message().find("550 5.1.1 no such user to RCPT TO") != std::string::npos);
  Status busy = (*session)->Send("a@shop.example", "busy@example.com", "x\r\n");
  CHECK_FALSE(busy.ok());
  CHECK_FALSE(IsPermanent(busy));
  CHECK((*session)->Send("a@shop.example", "ana@example.com", "x\r\n").ok());
  CHECK(relay.received().find("RSET\r\n") != std::string::npos);
}

TEST_CASE("STARTTLS is required when asked for; AUTH never quotes the password") {
  {
    ScriptedRelay relay(Relay());
    SmtpSettings s = Plain(relay.port());
    s.tls = SmtpTls::kStartTls;
    auto session = SmtpSession::Open(s);
    REQUIRE_FALSE(session.ok());
    CHECK(session.status().message().find("does not offer STARTTLS") != std::string::npos);
  }
  ScriptedRelay relay([](const std::string& line) -> std::string {
    if (line.starts_with("AUTH")) return "535 5.7.8 authentication failed\r\n";
    return Relay()(line);
  });
  SmtpSettings s = Plain(relay.port());
  s.user = "shop";
  s.password = "hunter2-secret";
  auto session = SmtpSession::Open(s);
  REQUIRE_FALSE(session.ok());
  CHECK_FALSE(IsPermanent(session.status()));
  CHECK(session.status().message().find("535") != std::string::npos);
  CHECK(session.status().message().find("hunter2") == std::string::npos);
}

TEST_CASE("no relay, a silent relay and a relay that hangs up are all for later") {
  {
    ScriptedRelay relay([](const std::string&) { return std::string(); });  // greets with nothing
    SmtpSettings s = Plain(relay.port());
    s.io_timeout = std::chrono::seconds(1);
    auto session = SmtpSession::Open(s);
    REQUIRE_FALSE(session.ok());
    CHECK(session.status().code() == "smtp_unavailable");
  }
  int port;
  {
    ScriptedRelay closed(Relay());
    port = closed.port();
    auto session = SmtpSession::Open(Plain(port));  // take the one connection it serves
  }
  auto refused = SmtpSession::Open(Plain(port));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == "smtp_unavailable");
  CHECK(refused.status().message().find("cannot connect") != std::string::npos);
}

}  // namespace
}  // namespace jopay::email
